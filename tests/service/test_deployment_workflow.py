"""A deployment records Express or Standard and why; a user may override it where it can work."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.service.conftest import Tenant, approve, example


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


def test_a_tenant_that_needs_an_exactly_once_audit_gets_standard_and_no_express(
    client: TestClient, aws: Any, acme: Tenant
) -> None:
    """SOC2 (an audit trail of every step): Standard runs each step exactly once."""
    settings = client.get("/api/v1/settings", headers=acme.auth).json()
    settings["compliance_packs"] = ["soc2"]
    assert client.put("/api/v1/settings", json=settings, headers=acme.auth).status_code == 200
    graph = example("http-echo")
    graph["nodes"][0]["config"]["auth"] = "api_key"
    _save(client, acme, graph)
    approve(client, aws, acme, "http_echo", 1)
    preview = client.post("/api/v1/graphs/http_echo/workflow", headers=acme.auth)
    assert preview.status_code == 200, preview.text
    assert preview.json()["type"] == "STANDARD"
    assert "exactly-once" in preview.json()["reasons"][0]
    body = {"slug": "echo", "graph_id": "http_echo", "workflow_type": "express"}
    refused = client.post("/api/v1/deployments", json=body, headers=acme.auth)
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["problems"][0]["field"] == "workflow_type"
    body.pop("workflow_type")
    deployed = client.post("/api/v1/deployments", json=body, headers=acme.auth)
    assert deployed.status_code == 201, deployed.text
    assert deployed.json()["deployment"]["workflow"]["type"] == "STANDARD"
