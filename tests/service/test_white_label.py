"""``POST /api/v1/white-label/deploy``: an admin with the white-label permission provisions a
branded tenant (stack on the AWS endpoint, here moto in this process; platform account; brand),
polls the job, and the new tenant's first admin logs in and must choose a password."""

from __future__ import annotations

import base64
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from runtime.local.moto_cfn import register
from runtime.store import Directory
from tests.service.conftest import Tenant

ROOT = Path(__file__).resolve().parents[2]
AGENCY_PASSWORD = "agency-password-1"
ACME_BRAND = {
    "product_name": "Acme Flow",
    "primary_color": "#b91c1c",
    "accent_color": "#7f1d1d",
    "font": "Georgia",
}


def _agency_admin(client: TestClient, aws: Any, acme: Tenant, **user: Any) -> dict[str, str]:
    store = Directory(aws, "auterity").tenant("acme")
    store.create_user("agency@acme.test", AGENCY_PASSWORD, "admin", **user)
    body = {"tenant": "acme", "email": "agency@acme.test", "password": AGENCY_PASSWORD}
    token = client.post("/api/v1/auth/login", json=body).json()["token"]
    return {"Authorization": f"Bearer {token}"}


def _request(**changes: Any) -> dict[str, Any]:
    logo = (ROOT / "examples" / "brands" / "acme-logo.svg").read_bytes()
    return {
        "tenant": "acme-motors",
        "industry": "automotive",
        "brand": ACME_BRAND,
        "logo": base64.b64encode(logo).decode(),
        "admin_email": "owner@acme-motors.example",
        **changes,
    }


def test_only_admins_with_the_white_label_permission_may_provision(
    client: TestClient, aws: Any, acme: Tenant
) -> None:
    plain_admin = _agency_admin(client, aws, acme)
    refused = client.post("/api/v1/white-label/deploy", json=_request(), headers=plain_admin)
    assert refused.status_code == 403
    assert "white-label permission" in refused.json()["error"]["message"]
    assert (
        client.post("/api/v1/white-label/deploy", json=_request(), headers=acme.key).status_code
        == 403
    )
    assert client.get("/api/v1/white-label/jobs/abc", headers=plain_admin).status_code == 403


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"brand": {**ACME_BRAND, "primary_color": "#fde68a"}}, "primary_color"),
        ({"logo": base64.b64encode(b"<html>nope</html>").decode()}, "logo"),
        ({"logo": "%%%"}, "logo"),
        ({"admin_email": "not-an-email"}, "admin_email"),
        ({"tenant": "Acme Motors!"}, "tenant"),
        ({"tenant": "acme"}, "already exists"),
    ],
)
def test_bad_requests_name_the_field_and_start_nothing(
    client: TestClient, aws: Any, acme: Tenant, changes: dict[str, Any], named: str
) -> None:
    headers = _agency_admin(client, aws, acme, permissions=("white_label",))
    answer = client.post("/api/v1/white-label/deploy", json=_request(**changes), headers=headers)
    assert answer.status_code in (409, 422), answer.text
    assert named in answer.json()["error"]["message"]
    assert [t.id for t in Directory(aws, "auterity").list_tenants()] == ["acme"]


def test_provisioning_over_the_api_ends_with_a_branded_tenant(
    client: TestClient, aws: Any, acme: Tenant
) -> None:
    register()  # what the local endpoint adds to moto's CloudFormation
    headers = _agency_admin(client, aws, acme, permissions=("white_label",))
    started = client.post("/api/v1/white-label/deploy", json=_request(), headers=headers)
    assert started.status_code == 202, started.text
    job_id, password = started.json()["job_id"], started.json()["one_time_password"]
    deadline = time.monotonic() + 240
    while True:
        job = client.get(f"/api/v1/white-label/jobs/{job_id}", headers=headers).json()
        if job["status"] != "running" or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert job["status"] == "succeeded", job
    assert [s["name"] for s in job["steps"]][-2:] == ["validate", "account"]
    assert "BucketName" in job["outputs"]
    assert password not in str(job)  # the one-time password is never stored with the job

    # Another tenant cannot see the job, even with the same id.
    assert client.get(f"/api/v1/white-label/jobs/{job_id}", headers=acme.key).status_code == 403

    # The new tenant's first admin must choose a password, then sees Acme's brand.
    login = {"tenant": "acme-motors", "email": "owner@acme-motors.example", "password": password}
    first = client.post("/api/v1/auth/login", json=login).json()
    assert first["password_change_required"] is True
    changed = client.post(
        "/api/v1/auth/password",
        json={"current_password": password, "new_password": "acme-chose-this-1"},
        headers={"Authorization": f"Bearer {first['token']}"},
    ).json()
    owner = {"Authorization": f"Bearer {changed['token']}"}
    brand = client.get("/api/v1/brand", headers=owner).json()
    assert brand["brand"]["product_name"] == "Acme Flow"
    assert brand["brand"]["primary_color"] == "#b91c1c"
    assert client.get(brand["logo_url"]).status_code == 200

    trail = [e.action for e in Directory(aws, "auterity").tenant("acme").list_audit(limit=200)]
    assert "white_label.provision" in trail
    for step in ("synth", "deploy", "validate", "account", "finished"):
        assert f"white_label.provision.{step}" in trail
