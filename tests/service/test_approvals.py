"""SOC2 change control: with the pack on, a deploy needs an approval by someone other than the
version's author (and the requester), and the deployed bundle must be the approved one."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from runtime.store import Directory

from .conftest import Tenant, example


@pytest.fixture
def controlled(client: TestClient, acme: Tenant) -> Tenant:
    """``acme`` with SOC2 on and the echo example saved by its admin (the author)."""
    settings = client.get("/api/v1/settings", headers=acme.auth).json()
    settings["compliance_packs"] = ["soc2"]
    assert client.put("/api/v1/settings", json=settings, headers=acme.auth).status_code == 200
    graph = example("http-echo")
    graph["nodes"][0]["config"]["auth"] = "api_key"
    assert client.post("/api/v1/graphs", json={"graph": graph}, headers=acme.auth).is_success
    return acme


def _key(aws: Any, name: str) -> dict[str, str]:
    _, secret = Directory(aws, "auterity").tenant("acme").create_api_key(name, "editor")
    return {"X-API-Key": secret}


def _deploy(client: TestClient, headers: dict[str, str], version: int = 1) -> Any:
    body = {"slug": "echo", "graph_id": "http_echo", "version": version}
    return client.post("/api/v1/deployments", json=body, headers=headers)


def test_a_deploy_needs_a_second_person_and_the_approved_bundle(
    client: TestClient, controlled: Tenant, aws: Any
) -> None:
    refused = _deploy(client, controlled.auth)
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert (error["code"], error["rules"]) == ("approval_required", ["SOC2-DEPLOY-APPROVAL"])

    asked = client.post(
        "/api/v1/approvals", json={"graph_id": "http_echo"}, headers=controlled.auth
    )
    assert asked.status_code == 201, asked.text
    approval = asked.json()
    assert (approval["status"], approval["author"]) == ("pending", "user:admin@example.com")
    assert len(approval["bundle_hash"]) == 64
    assert client.post("/api/v1/approvals", json={"graph_id": "http_echo"},
                       headers=controlled.auth).status_code == 409  # fmt: skip
    assert _deploy(client, controlled.auth).json()["error"]["code"] == "approval_required"

    url = "/api/v1/approvals/http_echo/1/approve"
    own = client.post(url, headers=controlled.auth)
    assert own.status_code == 403, own.text  # the author approving their own change
    reviewer = _key(aws, "reviewer")
    approved = client.post(url, headers=reviewer)
    assert approved.status_code == 200, approved.text
    assert approved.json()["approved_by"].startswith("key:")
    assert client.post(url, headers=_key(aws, "third")).status_code == 409  # already approved

    deployed = _deploy(client, controlled.auth)
    assert deployed.status_code == 201, deployed.text
    store = Directory(aws, "auterity").tenant("acme")
    events = list(store.iter_audit())
    actions = [(e.action, e.outcome) for e in events]
    assert ("approval.request", "succeeded") in actions
    assert ("approval.approve", "failed") in actions  # the self-approval, on the record
    assert ("approval.approve", "succeeded") in actions
    deploy = next(e for e in events if e.action == "deployment.deploy")
    assert deploy.details["bundle_hash"] == approval["bundle_hash"]
    assert deploy.details["approved_by"] == approved.json()["approved_by"]


def test_a_bundle_that_changed_since_approval_is_refused(
    client: TestClient, controlled: Tenant, aws: Any
) -> None:
    client.post("/api/v1/approvals", json={"graph_id": "http_echo"}, headers=controlled.auth)
    client.post("/api/v1/approvals/http_echo/1/approve", headers=_key(aws, "reviewer"))
    # What the approval pinned is not what compiles now (a node type or compiler changed).
    store = Directory(aws, "auterity").tenant("acme")
    store._table.update(store._keys.approval("http_echo", 1), set_fields={"bundle_hash": "0" * 64})
    refused = _deploy(client, controlled.auth)
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "bundle_changed"
    assert "SOC2-DEPLOY-APPROVAL" in refused.json()["error"]["message"]


def test_the_requester_cannot_approve_either(
    client: TestClient, controlled: Tenant, aws: Any
) -> None:
    requester = _key(aws, "requester")
    asked = client.post("/api/v1/approvals", json={"graph_id": "http_echo"}, headers=requester)
    assert asked.status_code == 201, asked.text
    url = "/api/v1/approvals/http_echo/1/approve"
    assert client.post(url, headers=requester).status_code == 403
    assert client.post(url, headers=controlled.auth).status_code == 403  # the author
    assert client.post(url, headers=_key(aws, "third")).status_code == 200


def test_rolling_back_to_an_unapproved_version_is_refused(
    client: TestClient, controlled: Tenant, aws: Any
) -> None:
    client.post("/api/v1/approvals", json={"graph_id": "http_echo"}, headers=controlled.auth)
    client.post("/api/v1/approvals/http_echo/1/approve", headers=_key(aws, "r1"))
    assert _deploy(client, controlled.auth).status_code == 201
    graph = client.get("/api/v1/graphs/http_echo", headers=controlled.auth).json()["graph"]
    graph["name"] = "Echo v2"
    body = {"graph": graph, "base_version": 1}
    saved = client.put("/api/v1/graphs/http_echo", json=body, headers=controlled.auth)
    assert saved.status_code == 200, saved.text
    client.post("/api/v1/approvals", json={"graph_id": "http_echo"}, headers=controlled.auth)
    client.post("/api/v1/approvals/http_echo/2/approve", headers=_key(aws, "r2"))
    assert _deploy(client, controlled.auth, version=2).status_code == 201
    back = client.post(
        "/api/v1/deployments/echo/rollback", json={"version": 1}, headers=controlled.auth
    )
    assert back.status_code == 200, back.text  # v1 was approved
    store = Directory(aws, "auterity").tenant("acme")
    store._table.delete(store._keys.approval("http_echo", 1))
    refused = client.post(
        "/api/v1/deployments/echo/rollback", json={"version": 1}, headers=controlled.auth
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "approval_required"


def test_without_the_pack_no_approval_is_needed(client: TestClient, acme: Tenant) -> None:
    graph = example("http-echo")
    assert client.post("/api/v1/graphs", json={"graph": graph}, headers=acme.auth).is_success
    assert _deploy(client, acme.auth).status_code == 201
