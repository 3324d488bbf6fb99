"""A deployment records Express or Standard and why; a user may override it where it can work."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.service.conftest import Tenant, example


def _waiting(seconds: float) -> dict[str, Any]:
    return {
        "schema_version": 2,
        "id": "waits",
        "name": "Waits",
        "nodes": [
            {"id": "hook", "type": "trigger.webhook", "config": {"auth": "public"}},
            {"id": "pause", "type": "logic.delay", "config": {"seconds": seconds}},
            {"id": "reply", "type": "http.respond", "config": {"status": 200, "body": "done"}},
        ],
        "edges": [
            {"source": "hook", "target": "pause"},
            {"source": "pause", "target": "reply"},
        ],
    }


def _save(client: TestClient, acme: Tenant, graph: dict[str, Any]) -> None:
    saved = client.post("/api/v1/graphs", json={"graph": graph}, headers=acme.auth)
    assert saved.status_code == 201, saved.text


def test_a_graph_that_waits_past_five_minutes_deploys_as_standard_and_says_why(
    client: TestClient, acme: Tenant
) -> None:
    _save(client, acme, _waiting(600))
    deployed = client.post(
        "/api/v1/deployments", json={"slug": "waits", "graph_id": "waits"}, headers=acme.auth
    )
    assert deployed.status_code == 201, deployed.text
    workflow = deployed.json()["deployment"]["workflow"]
    assert workflow["type"] == "STANDARD"
    assert workflow["overridden"] is False
    assert "'pause' waits 600 s" in workflow["reasons"][0]
    listed = client.get("/api/v1/deployments/waits", headers=acme.auth).json()
    assert listed["deployment"]["workflow"] == workflow


def test_express_is_refused_for_a_graph_that_waits_naming_the_field(
    client: TestClient, acme: Tenant
) -> None:
    _save(client, acme, _waiting(600))
    body = {"slug": "waits", "graph_id": "waits", "workflow_type": "express"}
    refused = client.post("/api/v1/deployments", json=body, headers=acme.auth)
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert error["problems"][0]["field"] == "workflow_type"
    assert "600 s" in error["message"]
    # Nothing went live.
    assert client.get("/api/v1/deployments/waits", headers=acme.auth).status_code == 404


def test_a_user_may_ask_for_standard_and_the_record_says_so(
    client: TestClient, acme: Tenant
) -> None:
    _save(client, acme, example("http-echo"))
    body = {"slug": "echo", "graph_id": "http_echo", "workflow_type": "standard"}
    deployed = client.post("/api/v1/deployments", json=body, headers=acme.auth)
    assert deployed.status_code == 201, deployed.text
    workflow = deployed.json()["deployment"]["workflow"]
    assert (workflow["type"], workflow["overridden"]) == ("STANDARD", True)
    assert workflow["reasons"][0].startswith("STANDARD was requested")
    plain = {"slug": "echo", "graph_id": "http_echo"}
    again = client.post("/api/v1/deployments", json=plain, headers=acme.auth).json()
    assert (
        again["deployment"]["workflow"]["type"],
        again["deployment"]["workflow"]["overridden"],
    ) == (
        "EXPRESS",
        False,
    )
