"""A first admin made with a password someone else chose must choose their own before anything
else works; a permission beyond the role gates white-label provisioning."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from runtime.store import Directory
from tests.service.conftest import Tenant

GIVEN, CHOSEN = "given-by-provisioning-1", "my-own-password-22"


def _first_admin(aws: Any, tenant: str, **extra: Any) -> None:
    store = Directory(aws, "auterity").tenant(tenant)
    store.create_user("owner@acme.test", GIVEN, "admin", must_change_password=True, **extra)


def _login(client: TestClient, password: str) -> Any:
    body = {"tenant": "acme", "email": "owner@acme.test", "password": password}
    return client.post("/api/v1/auth/login", json=body)


def test_first_login_can_only_change_the_password(
    client: TestClient, acme: Tenant, aws: Any
) -> None:
    _first_admin(aws, "acme")
    session = _login(client, GIVEN).json()
    assert session["password_change_required"] is True
    restricted = {"Authorization": f"Bearer {session['token']}"}
    refused = client.get("/api/v1/graphs", headers=restricted)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "password_change_required"

    wrong = client.post(
        "/api/v1/auth/password",
        json={"current_password": "not-the-one-1", "new_password": CHOSEN},
        headers=restricted,
    )
    assert wrong.status_code == 422
    assert "current_password" in wrong.json()["error"]["message"]
    same = client.post(
        "/api/v1/auth/password",
        json={"current_password": GIVEN, "new_password": GIVEN},
        headers=restricted,
    )
    assert same.status_code == 422
    assert "new_password" in same.json()["error"]["message"]

    changed = client.post(
        "/api/v1/auth/password",
        json={"current_password": GIVEN, "new_password": CHOSEN},
        headers=restricted,
    )
    assert changed.status_code == 200
    assert changed.json()["password_change_required"] is False
    full = {"Authorization": f"Bearer {changed.json()['token']}"}
    assert client.get("/api/v1/graphs", headers=full).status_code == 200
    assert _login(client, GIVEN).status_code == 401
    again = _login(client, CHOSEN).json()
    assert again["password_change_required"] is False
    audit = Directory(aws, "auterity").tenant("acme").list_audit()
    assert "auth.password_changed" in [event.action for event in audit]


def test_an_api_key_cannot_change_a_password(client: TestClient, acme: Tenant) -> None:
    answer = client.post(
        "/api/v1/auth/password",
        json={"current_password": "whatever-1", "new_password": CHOSEN},
        headers=acme.key,
    )
    assert answer.status_code == 401


def test_the_white_label_permission_travels_in_the_session(
    client: TestClient, acme: Tenant, aws: Any
) -> None:
    store = Directory(aws, "auterity").tenant("acme")
    store.create_user("agency@acme.test", CHOSEN, "admin", permissions=("white_label",))
    body = {"tenant": "acme", "email": "agency@acme.test", "password": CHOSEN}
    assert client.post("/api/v1/auth/login", json=body).json()["permissions"] == ["white_label"]
