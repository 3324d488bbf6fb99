"""Issue 13, item 4: guessing passwords is throttled, locks the account, and leaks nothing.

The reproductions: 60 wrong passwords in a row (each answered 401, then the right one worked);
a new password ``12345678`` accepted; an unknown tenant answered ~8x faster than a known one.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from runtime.store import Directory, TenantStore
from tests.service.attacks.conftest import Live
from tests.service.conftest import PASSWORD, Tenant

EVE = "eve@example.com"


def _store(aws: Any) -> TenantStore:
    return Directory(aws, "auterity").tenant("acme")


def _login(client: Any, password: str, email: str = EVE, tenant: str = "acme") -> Any:
    body = {"tenant": tenant, "email": email, "password": password}
    return client.post("/api/v1/auth/login", json=body)


class Clock:
    """The login guard's clock, moved by the test instead of by sleeping."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    frozen = Clock()
    monkeypatch.setattr("runtime.service.login_guard.clock", frozen)
    return frozen


def test_sixty_wrong_passwords_are_throttled_and_the_right_one_then_waits(
    client: TestClient, acme: Tenant, aws: Any
) -> None:
    _store(aws).create_user(EVE, PASSWORD, "admin")
    answers = [_login(client, f"wrong guess {n:04d}") for n in range(60)]
    statuses = [a.status_code for a in answers]
    assert set(statuses) <= {401, 429}
    assert statuses[:3] == [401, 401, 401]  # a few typos cost nothing
    assert statuses.count(429) >= 50, statuses
    throttled = next(a for a in answers if a.status_code == 429)
    assert int(throttled.headers["retry-after"]) >= 1
    assert throttled.json()["error"]["code"] == "too_many_attempts"
    right = _login(client, PASSWORD)
    assert right.status_code == 429
    failures = [e for e in _store(aws).list_audit(500) if e.action == "auth.login_failed"]
    assert len(failures) == statuses.count(401)


def test_the_account_locks_until_an_admin_lifts_it(
    client: TestClient, acme: Tenant, aws: Any, clock: Clock
) -> None:
    _store(aws).create_user(EVE, PASSWORD, "editor")
    refused = []
    for n in range(30):  # wait out each backoff, as a patient attacker would
        answer = _login(client, f"wrong guess {n:04d}")
        if answer.status_code == 429:
            refused.append(answer.json()["error"]["code"])
            if refused[-1] == "account_locked":
                break
            clock.now += int(answer.headers["retry-after"])
    assert refused[-1] == "account_locked"
    assert set(refused[:-1]) == {"too_many_attempts"}
    clock.now += 3 * 3600  # a lockout does not wear off by waiting a few hours
    locked = _login(client, PASSWORD)
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "account_locked"

    viewer = _store(aws).create_user("v@example.com", PASSWORD, "viewer")
    as_viewer = {
        "Authorization": "Bearer " + _login(client, PASSWORD, viewer.email).json()["token"]
    }
    denied = client.post("/api/v1/auth/unlock", json={"email": EVE}, headers=as_viewer)
    assert denied.status_code == 403
    lifted = client.post("/api/v1/auth/unlock", json={"email": EVE}, headers=acme.auth)
    assert lifted.status_code == 204
    assert _login(client, PASSWORD).status_code == 200
    actions = [e.action for e in _store(aws).list_audit(500)]
    assert "auth.locked" in actions
    assert "auth.unlock" in actions


def test_one_source_guessing_many_accounts_is_throttled(
    client: TestClient, acme: Tenant, aws: Any, clock: Clock
) -> None:
    statuses = [
        _login(client, "wrong guess 1", f"user{n}@example.com").status_code for n in range(40)
    ]
    assert 429 in statuses
    assert statuses.index(429) <= 25
    # Another tenant's admin is unaffected by its account's state, but this source waits.
    assert _login(client, PASSWORD, "admin@example.com").status_code == 429


@pytest.mark.parametrize("weak", ["12345678", "password1234", "qwertyuiop12", "aaaaaaaaaaaaaa"])
def test_weak_new_passwords_are_refused(
    client: TestClient, acme: Tenant, aws: Any, weak: str
) -> None:
    answer = client.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": weak},
        headers=acme.auth,
    )
    assert answer.status_code == 422
    assert "new_password" in answer.json()["error"]["message"]
    assert _login(client, PASSWORD, "admin@example.com").status_code == 200


def test_unknown_tenants_and_users_take_as_long_as_known_ones(live: Live) -> None:
    """Over a real server, as an attacker measures: a new connection per login.

    A known tenant's failure is audited after its answer is sent; the pause before each try
    lets that finish, and the order rotates, so no kind is always measured behind another.
    """
    store = live.store("acme")
    timings: dict[str, list[float]] = {"known": [], "unknown user": [], "unknown tenant": []}
    for n in range(6):  # a fresh account each try, and under the per-source free allowance
        store.create_user(f"t{n}@example.com", PASSWORD, "viewer")
        tries = [
            ("known", f"t{n}@example.com", "acme"),
            ("unknown user", f"ghost{n}@example.com", "acme"),
            ("unknown tenant", f"t{n}@example.com", f"ghost-{n}"),
        ]
        for kind, email, tenant in tries[n % 3 :] + tries[: n % 3]:
            time.sleep(0.3)
            with live.http() as http:
                started = time.perf_counter()
                answer = _login(http, "not the password", email, tenant)
                timings[kind].append(time.perf_counter() - started)
            assert answer.status_code == 401
    medians = {kind: statistics.median(times) for kind, times in timings.items()}
    assert max(medians.values()) / min(medians.values()) < 1.6, medians
