"""``flow.subgraph``: a graph calls another of its workspace; runs are linked parent to child,
cycles stop with the chain named, a graph calling itself does not validate."""

from __future__ import annotations

import copy
from typing import Any

from fastapi.testclient import TestClient

from tests.service.conftest import Tenant
from tests.service.durable.test_approvals import deploy, graph, settle


def save(client: TestClient, tenant: Tenant, body: dict[str, Any]) -> None:
    saved = client.post("/api/v1/graphs", json={"graph": body}, headers=tenant.auth)
    assert saved.status_code == 201, saved.text


def test_a_graph_answers_with_what_the_graph_it_calls_made(
    client: TestClient, acme: Tenant
) -> None:
    save(client, acme, graph("greet-child"))
    deploy(client, acme, "greet-parent", "greet")
    answered = client.post("/t/acme/greet", json={"name": "Ada"})
    assert answered.status_code == 200, answered.text
    assert answered.json() == {"said": "Hello Ada"}
    parent_id = answered.headers["x-auterity-run-id"]
    runs = client.get("/api/v1/runs", params={"graph_id": "greet_child"}, headers=acme.auth)
    [child] = runs.json()
    assert (child["parent_run_id"], child["trigger"], child["status"]) == (
        parent_id, "subgraph", "succeeded"
    )  # fmt: skip
    assert child["output"] == {"greeting": "Hello Ada"}


def test_start_mode_goes_on_with_the_child_run_id(client: TestClient, acme: Tenant) -> None:
    save(client, acme, graph("greet-child"))
    parent = graph("greet-parent")
    parent["nodes"][1]["config"]["mode"] = "start"
    parent["nodes"][1]["config"].pop("output_path")
    save(client, acme, parent)
    deployed = client.post(
        "/api/v1/deployments", json={"slug": "greet", "graph_id": "greet_parent"}, headers=acme.auth
    )
    assert deployed.status_code == 201, deployed.text
    answered = client.post("/t/acme/greet", json={"name": "Grace"})
    assert answered.status_code == 200, answered.text
    started = answered.json()["said"]
    assert started["status"] == "queued"
    child = settle(client, acme, started["run_id"], {"succeeded", "failed"})
    assert child["output"] == {"greeting": "Hello Grace"}
    assert child["parent_run_id"] == answered.headers["x-auterity-run-id"]


def test_a_cycle_through_two_graphs_stops_naming_it(client: TestClient, acme: Tenant) -> None:
    ping = graph("greet-parent")
    pong = copy.deepcopy(ping)
    pong["id"] = "pong"
    pong["nodes"][0] = {"id": "start", "type": "trigger.manual", "config": {}}
    pong["nodes"][1]["config"] = {"graph_id": "greet_parent", "input": {"body": "{{ input }}"}}
    pong["nodes"] = pong["nodes"][:2]
    pong["edges"] = [{"source": "start", "target": "call"}]
    ping["nodes"][1]["config"] = {"graph_id": "pong", "input": "{{ input.body }}"}
    save(client, acme, pong)
    deploy_body = ping
    saved = client.post("/api/v1/graphs", json={"graph": deploy_body}, headers=acme.auth)
    assert saved.status_code == 201, saved.text
    deployed = client.post(
        "/api/v1/deployments", json={"slug": "ping", "graph_id": "greet_parent"}, headers=acme.auth
    )
    assert deployed.status_code == 201, deployed.text
    answered = client.post("/t/acme/ping", json={"name": "Ada"})
    assert answered.status_code == 502
    message = answered.json()["error"]["message"]
    assert "sub-graph cycle: greet_parent -> pong -> greet_parent" in message


def test_a_graph_that_calls_itself_does_not_validate(client: TestClient, acme: Tenant) -> None:
    itself = graph("greet-parent")
    itself["nodes"][1]["config"]["graph_id"] = "greet_parent"
    checked = client.post("/api/v1/validate", json=itself, headers=acme.auth)
    assert checked.status_code == 200, checked.text
    problems = [d for d in checked.json()["diagnostics"] if d["code"] == "node.calls_itself"]
    assert [(d["node"], d["path"]) for d in problems] == [("call", "graph_id")]
