from __future__ import annotations

import time
from typing import Any, cast

import pytest
from fastapi.testclient import TestClient

from tests.service.conftest import Tenant, example

HOT = {
    "lead": {
        "email": "ada@example.com",
        "name": "Ada",
        "budget": 45000,
        "timeline": "this_month",
        "source": "web",
    }
}


def _deploy(client: TestClient, tenant: Tenant, name: str, slug: str) -> dict[str, Any]:
    graph = example(name)
    assert (
        client.post("/api/v1/graphs", json={"graph": graph}, headers=tenant.auth).status_code == 201
    )
    response = client.post(
        "/api/v1/deployments", json={"slug": slug, "graph_id": graph["id"]}, headers=tenant.auth
    )
    assert response.status_code == 201, response.text
    return cast(dict[str, Any], response.json())


def test_a_deployed_graph_answers_with_its_respond_node(client: TestClient, acme: Tenant) -> None:
    deployed = _deploy(client, acme, "lead-scoring", "leads")
    assert deployed["url"].endswith("/t/acme/leads")
    response = client.post("/t/acme/leads", json=HOT, headers=acme.key)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "email": "ada@example.com",
        "score": 85,
        "tier": "hot",
        "next_action": "Text Ada within 5 minutes",
    }
    run_id = response.headers["x-auterity-run-id"]
    run = client.get(f"/api/v1/runs/{run_id}", headers=acme.auth).json()
    assert run["slug"] == "leads"
    assert run["trigger"] == "http"


def test_endpoint_auth_and_method_errors(client: TestClient, acme: Tenant, acme_co: Tenant) -> None:
    _deploy(client, acme, "lead-scoring", "leads")
    assert client.post("/t/acme/leads", json=HOT).status_code == 401
    assert client.post("/t/acme/missing", json=HOT).status_code == 401
    assert client.post("/t/acme/leads", json=HOT, headers=acme_co.key).status_code == 404
    assert client.post("/t/acme/missing", json=HOT, headers=acme.key).status_code == 404
    wrong = client.get("/t/acme/leads", headers=acme.key)
    assert wrong.status_code == 405
    assert wrong.headers["allow"] == "POST"


def test_bad_requests_are_4xx_naming_the_problem(client: TestClient, acme: Tenant) -> None:
    _deploy(client, acme, "lead-scoring", "leads")
    missing = client.post("/t/acme/leads", json={"lead": {"budget": 1}}, headers=acme.key)
    assert missing.status_code == 400
    assert "lead.email" in missing.json()["error"]["message"]
    broken = client.post(
        "/t/acme/leads",
        content=b"{not json",
        headers={**acme.key, "content-type": "application/json"},
    )
    assert broken.status_code == 400
    huge = client.post(
        "/t/acme/leads",
        content=b"x" * (2 * 1024 * 1024),
        headers={**acme.key, "content-type": "text/plain"},
    )
    assert huge.status_code == 413


def test_public_endpoint_needs_no_key_unless_the_tenant_forbids_it(
    client: TestClient, acme: Tenant
) -> None:
    _deploy(client, acme, "http-echo", "echo")
    answered = client.post("/t/acme/echo?x=1", json={"hi": 1})
    assert answered.status_code == 200
    assert answered.json() == {"method": "POST", "query": {"x": "1"}, "echo": {"hi": 1}}
    settings = client.get("/api/v1/settings", headers=acme.auth).json()
    settings["public_endpoints"] = False
    assert client.put("/api/v1/settings", json=settings, headers=acme.auth).status_code == 200
    assert client.post("/t/acme/echo", json={"hi": 1}).status_code == 401


def test_async_run_returns_202_and_can_be_polled(client: TestClient, acme: Tenant) -> None:
    _deploy(client, acme, "lead-scoring", "leads")
    accepted = client.post("/t/acme/leads?async=1", json=HOT, headers=acme.key)
    assert accepted.status_code == 202
    poll = accepted.json()["poll"]
    for _ in range(100):
        run = client.get(poll, headers=acme.key).json()
        if run["status"] == "succeeded":
            break
        time.sleep(0.05)
    assert run["status"] == "succeeded"
    assert run["output"]["body"]["tier"] == "hot"


def test_idempotency_key_runs_once(client: TestClient, acme: Tenant) -> None:
    _deploy(client, acme, "lead-scoring", "leads")
    headers = {**acme.key, "Idempotency-Key": "delivery-1"}
    first = client.post("/t/acme/leads", json=HOT, headers=headers)
    second = client.post("/t/acme/leads", json=HOT, headers=headers)
    assert first.status_code == second.status_code == 200
    assert first.headers["x-auterity-run-id"] == second.headers["x-auterity-run-id"]
    assert len(client.get("/api/v1/runs", headers=acme.auth).json()) == 1
    other = client.post("/t/acme/leads", json={**HOT, "extra": 1}, headers=headers)
    assert other.status_code == 422


def test_rollback_and_undeploy(client: TestClient, acme: Tenant) -> None:
    _deploy(client, acme, "http-echo", "echo")
    graph = example("http-echo")
    graph["nodes"][1]["config"]["status"] = 201
    saved = client.put(
        "/api/v1/graphs/http_echo", json={"graph": graph, "base_version": 1}, headers=acme.auth
    )
    assert saved.status_code == 200
    redeployed = client.post(
        "/api/v1/deployments", json={"slug": "echo", "graph_id": "http_echo"}, headers=acme.auth
    )
    assert redeployed.json()["deployment"]["version"] == 2
    assert client.post("/t/acme/echo", json={}).status_code == 201
    back = client.post("/api/v1/deployments/echo/rollback", json={"version": 1}, headers=acme.auth)
    assert back.json()["deployment"]["version"] == 1
    assert client.post("/t/acme/echo", json={}).status_code == 200
    assert client.delete("/api/v1/deployments/echo", headers=acme.auth).status_code == 204
    assert client.post("/t/acme/echo", json={}).status_code == 401


def test_deploying_an_invalid_graph_is_refused_with_diagnostics(
    client: TestClient, acme: Tenant
) -> None:
    graph = example("lead-scoring")
    graph["edges"] = graph["edges"][:-1]
    client.post("/api/v1/graphs", json={"graph": graph}, headers=acme.auth)
    refused = client.post(
        "/api/v1/deployments", json={"slug": "leads", "graph_id": "lead_scoring"}, headers=acme.auth
    )
    assert refused.status_code == 422
    assert any(d["node"] == "reply" for d in refused.json()["error"]["diagnostics"])
    assert client.get("/api/v1/deployments", headers=acme.auth).json() == []


def test_a_graph_without_a_webhook_trigger_is_not_an_endpoint(
    client: TestClient, acme: Tenant
) -> None:
    _deploy(client, acme, "foreach-fanout", "orders")
    assert client.post("/t/acme/orders", json={}, headers=acme.key).status_code == 404
    assert client.post("/t/acme/orders", json={}).status_code == 401


ISSUE_14 = ["{{ eval('1+1') }}", "{{ ''|attr('__class__') }}", "{{ os.system('id') }}",
            "{{ globals() }}"]  # fmt: skip


@pytest.mark.parametrize("payload", ISSUE_14)
def test_an_expression_calling_an_unknown_function_neither_validates_nor_deploys(
    client: TestClient, acme: Tenant, payload: str
) -> None:
    """Issue 14: these validated and deployed (201); every call then answered 502."""
    graph = example("http-echo")
    graph["nodes"][1]["config"]["body"]["echo"] = payload
    checked = client.post("/api/v1/validate", json=graph, headers=acme.auth).json()
    assert checked["valid"] is False
    (problem,) = checked["diagnostics"]
    assert (problem["node"], problem["path"]) == ("reply", "config.body.echo")
    assert "unknown function" in problem["message"]
    assert (
        client.post("/api/v1/graphs", json={"graph": graph}, headers=acme.auth).status_code == 201
    )
    refused = client.post(
        "/api/v1/deployments", json={"slug": "echo", "graph_id": "http_echo"}, headers=acme.auth
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["diagnostics"][0]["path"] == "config.body.echo"
    assert client.get("/api/v1/deployments", headers=acme.auth).json() == []
    assert client.post("/t/acme/echo", json={}).status_code == 401  # nothing is served


def test_a_respond_content_type_expression_is_rendered(client: TestClient, acme: Tenant) -> None:
    """Issue 14: ``{{ input.body.ct }}`` went out literally as the Content-Type."""
    graph = example("http-echo")
    graph["nodes"][1]["config"] = {"content_type": "{{ input.body.ct }}", "body": "a,b\n1,2\n"}
    assert (
        client.post("/api/v1/graphs", json={"graph": graph}, headers=acme.auth).status_code == 201
    )
    deployed = client.post(
        "/api/v1/deployments", json={"slug": "echo", "graph_id": "http_echo"}, headers=acme.auth
    )
    assert deployed.status_code == 201, deployed.text
    answered = client.post("/t/acme/echo", json={"ct": "text/csv"})
    assert answered.status_code == 200, answered.text
    assert answered.headers["content-type"].startswith("text/csv")
    assert answered.text == "a,b\n1,2\n"
