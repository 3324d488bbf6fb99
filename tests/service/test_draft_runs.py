"""``POST /api/v1/runs``: the builder's Run button, on a graph that need not be saved."""

from __future__ import annotations

import copy
from typing import Any

from fastapi.testclient import TestClient

from tests.service.conftest import Tenant, example
from tests.service.test_endpoints import HOT

EVENT = {"method": "POST", "body": HOT}


def _run(client: TestClient, tenant: Tenant, **body: Any) -> Any:
    return client.post("/api/v1/runs", json=body, headers=tenant.auth)


def test_a_draft_runs_without_being_saved_and_is_recorded(client: TestClient, acme: Tenant) -> None:
    response = _run(client, acme, graph=example("lead-scoring"), input=EVENT)
    assert response.status_code == 201, response.text
    run = response.json()
    assert run["status"] == "succeeded"
    assert run["output"]["body"]["tier"] == "hot"
    assert run["version"] == 0
    assert {t["node"]: t["status"] for t in run["trace"]}["score"] == "ok"
    stored = client.get(f"/api/v1/runs/{run['run_id']}", headers=acme.auth).json()
    assert stored["trigger"] == "manual"
    assert client.get("/api/v1/graphs", headers=acme.auth).json() == []  # nothing saved


def test_rerun_from_a_node_pins_what_is_upstream_of_it(client: TestClient, acme: Tenant) -> None:
    graph = example("lead-scoring")
    first = _run(client, acme, graph=graph, input=EVENT).json()
    edited = copy.deepcopy(graph)
    hot = next(n for n in edited["nodes"] if n["id"] == "hot")
    hot["config"]["fields"] = [
        {"path": "tier", "value": "hot"},
        {"path": "next_action", "value": "Call at once"},
    ]
    again = _run(client, acme, graph=edited, rerun_from="hot", previous_run_id=first["run_id"])
    assert again.status_code == 201, again.text
    statuses = {t["node"]: t["status"] for t in again.json()["trace"]}
    assert statuses["hook"] == statuses["points"] == statuses["score"] == "pinned"
    assert statuses["route"] == "pinned"
    assert statuses["hot"] == "ok"
    assert again.json()["output"]["body"]["next_action"] == "Call at once"


def test_bad_drafts_are_4xx_naming_the_problem(
    client: TestClient, acme: Tenant, acme_co: Tenant
) -> None:
    graph = example("lead-scoring")
    broken = copy.deepcopy(graph)
    broken["edges"] = [e for e in broken["edges"] if e["target"] != "points"]
    invalid = _run(client, acme, graph=broken, input=EVENT)
    assert invalid.status_code == 422
    assert "points" in invalid.text
    unknown = _run(client, acme, graph=graph, pins={"ghost": {"out": 1}})
    assert unknown.status_code == 422
    assert "ghost" in unknown.json()["error"]["message"]
    lonely = _run(client, acme, graph=graph, rerun_from="hot")
    assert lonely.status_code == 422
    assert "previous_run_id" in lonely.json()["error"]["message"]
    theirs = _run(client, acme_co, graph=graph, input=EVENT).json()["run_id"]
    probe = _run(client, acme, graph=graph, rerun_from="hot", previous_run_id=theirs)
    assert probe.status_code == 404
    mine = _run(client, acme, graph=graph, input=EVENT).json()["run_id"]
    nowhere = _run(client, acme, graph=graph, rerun_from="nope", previous_run_id=mine)
    assert nowhere.status_code == 422
    assert "nope" in nowhere.json()["error"]["message"]


def test_pinning_a_node_that_produced_nothing_is_refused_naming_it(
    client: TestClient, acme: Tenant
) -> None:
    """Issue 14.1: the builder pinned a failed node's ``{}`` and the next run "succeeded"."""
    graph = example("lead-scoring")
    failed = _run(client, acme, graph=graph, input={"method": "POST", "body": {"lead": {}}})
    assert failed.json()["status"] == "failed"
    hook = next(t for t in failed.json()["trace"] if t["node"] == "hook")
    refused = _run(client, acme, graph=graph, input=EVENT, pins={"hook": hook["outputs"]})
    assert refused.status_code == 422, refused.text
    message = refused.json()["error"]["message"]
    assert "pins.hook" in message
    assert "no output" in message


def test_a_draft_whose_respond_never_ran_is_recorded_as_failed(
    client: TestClient, acme: Tenant
) -> None:
    """An HTTP-triggered graph whose Respond was skipped never reads "succeeded"."""
    graph = example("lead-scoring")
    # The cold branch ends at "cold" (valid: only one Respond is required), and a cold lead
    # takes it.
    graph["edges"] = [e for e in graph["edges"] if e["source"] != "cold"]
    cold = {"method": "POST", "body": {"lead": {"email": "x@example.com", "budget": 0}}}
    run = _run(client, acme, graph=graph, input=cold)
    assert run.status_code == 201, run.text
    assert run.json()["status"] == "failed"
    assert run.json()["error"]["node"] == "reply"
    stored = client.get(f"/api/v1/runs/{run.json()['run_id']}", headers=acme.auth).json()
    assert stored["status"] == "failed"
