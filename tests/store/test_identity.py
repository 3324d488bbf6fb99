from __future__ import annotations

from typing import Any

import pytest

from runtime.store import Conflict, InvalidInput, NotFound, TenantStore, identity

from .conftest import TABLE


def items(client: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = client.scan(TableName=TABLE)["Items"]
    return found


def test_users(acme: TenantStore, client: Any) -> None:
    user = acme.create_user("Ann@Example.com", "correct horse 42x", "admin")
    assert (user.email, user.role) == ("ann@example.com", "admin")
    assert acme.get_user("ANN@example.com") == user
    assert acme.list_users() == [user]
    with pytest.raises(Conflict, match="already exists"):
        acme.create_user("ann@example.com", "another password", "viewer")
    assert "correct horse 42x" not in str(items(client))
    acme.delete_user("ann@example.com")
    assert acme.list_users() == []
    with pytest.raises(NotFound, match=r"user 'ann@example\.com'"):
        acme.get_user("ann@example.com")
    with pytest.raises(NotFound):
        acme.delete_user("ann@example.com")


@pytest.mark.parametrize(
    ("email", "password", "role", "problem"),
    [
        ("not-an-email", "long enough pass", "admin", "email"),
        ("a@b.io", "short", "admin", "password"),
        ("a@b.io", "x" * 2000, "admin", "password"),
        ("a@b.io", "long enough pass", "owner", "role"),
    ],
)
def test_bad_users_are_refused(
    acme: TenantStore, email: str, password: str, role: Any, problem: str
) -> None:
    with pytest.raises(InvalidInput, match=problem):
        acme.create_user(email, password, role)
    assert acme.list_users() == []


def test_authenticate(acme: TenantStore) -> None:
    user = acme.create_user("ann@example.com", "correct horse 42x", "editor")
    assert acme.authenticate("ANN@example.com", "correct horse 42x") == user
    assert acme.authenticate("ann@example.com", "wrong horse") is None
    assert acme.authenticate("bob@example.com", "correct horse 42x") is None
    assert acme.authenticate("not an email", "correct horse 42x") is None
    assert acme.authenticate("ann@example.com", "x" * 5000) is None


def test_passwords_are_salted(acme: TenantStore) -> None:
    acme.create_user("a@x.io", "same password", "viewer")
    acme.create_user("b@x.io", "same password", "viewer")
    stored = [acme._table.get(acme._keys.user(e)) for e in ("a@x.io", "b@x.io")]
    hashes = {s["password"]["hash"] for s in stored if s}
    assert len(hashes) == 2


def test_unknown_users_cost_one_hash_like_known_ones(
    acme: TenantStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    acme.create_user("ann@example.com", "correct horse 42x", "editor")
    calls: list[tuple[int, int, int]] = []
    real = identity._scrypt

    def counting(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
        calls.append((n, r, p))
        return real(password, salt, n, r, p)

    monkeypatch.setattr(identity, "_scrypt", counting)
    for email in ("ann@example.com", "bob@example.com", "not an email"):
        calls.clear()
        acme.authenticate(email, "wrong horse")
        assert calls == [(2**14, 8, 1)], email


def test_api_keys(acme: TenantStore, client: Any) -> None:
    key, secret = acme.create_api_key("ci", "admin")
    assert secret.startswith(f"aut_acme_{key.key_id}_")
    assert key.hint == f"aut_acme_{key.key_id[:4]}…{secret[-2:]}"
    assert secret.split("_", 3)[3] not in str(items(client))
    assert acme.verify_api_key(secret) == key
    assert acme.list_api_keys() == [key]
    assert acme.create_api_key("default")[0].role == "editor"

    acme.revoke_api_key(key.key_id)
    assert acme.verify_api_key(secret) is None
    assert [k.revoked for k in acme.list_api_keys() if k.key_id == key.key_id] == [True]
    with pytest.raises(NotFound):
        acme.revoke_api_key("0123456789ab")


def test_api_key_verification_refuses_anything_off(acme: TenantStore) -> None:
    key, secret = acme.create_api_key("ci")
    raw = secret.split("_", 3)[3]
    for candidate in [
        "",
        "aut_",
        secret[:-1],
        secret + "x",
        secret.replace("aut_", "aux_", 1),
        f"aut_acme-co_{key.key_id}_{raw}",  # another tenant's prefix
        f"aut_acme_0123456789ab_{raw}",  # unknown key id
        f"aut_acme_{key.key_id.upper()}_{raw}",
        f"aut_acme_{key.key_id}_",
        "x" * 600,
    ]:
        assert acme.verify_api_key(candidate) is None, candidate
    with pytest.raises(InvalidInput):
        acme.create_api_key("")
    with pytest.raises(InvalidInput):
        acme.create_api_key("x", "root")  # type: ignore[arg-type]
