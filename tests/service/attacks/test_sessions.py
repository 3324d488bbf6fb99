"""Issue 13, item 3: a session must not outlive its user, its password or its role.

Each test is the issue's reproduction: a bearer token taken before a change is used after it.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from runtime.service.config import ServiceConfig
from runtime.store import Directory, TenantStore
from tests.service.conftest import PASSWORD, Tenant

EVE = "eve@example.com"
CACHE_SECONDS = 0.3


@pytest.fixture
def config() -> ServiceConfig:
    """A short key cache, so the cross-process bound of a revocation is quick to wait out."""
    return ServiceConfig(token_secret="t" * 48, max_run_seconds=5, cache_seconds=CACHE_SECONDS)


NEW_PASSWORD = "a brand new passphrase 7"


def _store(aws: Any) -> TenantStore:
    return Directory(aws, "auterity").tenant("acme")


def _login(client: TestClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    body = {"tenant": "acme", "email": email, "password": password}
    answer = client.post("/api/v1/auth/login", json=body)
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def test_a_password_change_ends_the_old_session(client: TestClient, acme: Tenant, aws: Any) -> None:
    _store(aws).create_user(EVE, PASSWORD, "admin")
    old = _login(client, EVE)
    changed = client.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=old,
    )
    assert changed.status_code == 200, changed.text
    assert client.get("/api/v1/auth/me", headers=old).status_code == 401
    new = {"Authorization": f"Bearer {changed.json()['token']}"}
    assert client.get("/api/v1/auth/me", headers=new).status_code == 200


def test_a_deleted_user_s_token_cannot_list_or_mint_keys(
    client: TestClient, acme: Tenant, aws: Any
) -> None:
    _store(aws).create_user(EVE, PASSWORD, "admin")
    token = _login(client, EVE)
    _store(aws).delete_user(EVE)
    assert client.get("/api/v1/api-keys", headers=token).status_code == 401
    minted = client.post("/api/v1/api-keys", json={"name": "kept", "role": "admin"}, headers=token)
    assert minted.status_code == 401
    assert [k.name for k in _store(aws).list_api_keys()] == ["ci"]


def test_keys_a_removed_user_created_are_revoked_and_audited(
    client: TestClient, acme: Tenant, aws: Any
) -> None:
    _store(aws).create_user(EVE, PASSWORD, "admin")
    token = _login(client, EVE)
    minted = client.post("/api/v1/api-keys", json={"name": "eve's", "role": "admin"}, headers=token)
    assert minted.status_code == 201
    secret, key_id = minted.json()["secret"], minted.json()["key"]["key_id"]
    assert minted.json()["key"]["created_by"] == f"user:{EVE}"
    assert client.get("/api/v1/auth/me", headers={"X-API-Key": secret}).status_code == 200
    _store(aws).delete_user(EVE)  # by the operator, not through this process
    assert [k.revoked for k in _store(aws).list_api_keys() if k.key_id == key_id] == [True]
    time.sleep(CACHE_SECONDS)  # the documented bound for a change made by another process
    assert client.get("/api/v1/auth/me", headers={"X-API-Key": secret}).status_code == 401
    # The tenant's own key (created by no user) is untouched.
    assert client.get("/api/v1/auth/me", headers=acme.key).status_code == 200
    removed = [e for e in _store(aws).list_audit() if e.action == "user.removed"]
    assert removed
    assert removed[0].target == EVE
    assert [e.details.get("revoked_api_keys") for e in removed if e.outcome == "succeeded"] == [
        [key_id]
    ]


def test_a_user_re_created_as_viewer_does_not_keep_admin(
    client: TestClient, acme: Tenant, aws: Any
) -> None:
    _store(aws).create_user(EVE, PASSWORD, "admin")
    old = _login(client, EVE)
    _store(aws).delete_user(EVE)
    _store(aws).create_user(EVE, PASSWORD, "viewer")
    assert client.get("/api/v1/api-keys", headers=old).status_code == 401
    minted = client.post("/api/v1/api-keys", json={"name": "x", "role": "admin"}, headers=old)
    assert minted.status_code == 401
    new = _login(client, EVE)
    assert client.get("/api/v1/auth/me", headers=new).json()["role"] == "viewer"
    assert client.get("/api/v1/api-keys", headers=new).status_code == 403


def test_a_role_change_takes_effect_at_once(client: TestClient, acme: Tenant, aws: Any) -> None:
    _store(aws).create_user(EVE, PASSWORD, "admin")
    old = _login(client, EVE)
    _store(aws).set_user_role(EVE, "viewer")
    assert client.get("/api/v1/api-keys", headers=old).status_code == 401
    new = _login(client, EVE)
    assert client.get("/api/v1/api-keys", headers=new).status_code == 403


def test_logout_ends_the_session(client: TestClient, acme: Tenant, aws: Any) -> None:
    _store(aws).create_user(EVE, PASSWORD, "editor")
    token = _login(client, EVE)
    assert client.get("/api/v1/graphs", headers=token).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=token).status_code == 204
    assert client.get("/api/v1/graphs", headers=token).status_code == 401
    assert client.post("/api/v1/auth/logout", headers=token).status_code == 401
    assert client.post("/api/v1/auth/logout", headers=acme.key).status_code == 401
    assert "auth.logout" in [e.action for e in _store(aws).list_audit()]
    assert client.get("/api/v1/graphs", headers=_login(client, EVE)).status_code == 200
