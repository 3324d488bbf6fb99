"""What runs leave behind: SAD never reaches run storage and card numbers are kept as first 6 /
last 4 only (PCI-DSS), and every endpoint run of a deployed graph is on the audit trail with the
data classes it touched, never the values."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from compliance.trace import MASK
from runtime.store import Directory

from .conftest import Tenant

GRAPH = Path(__file__).parent.parent / "fixtures/graphs/runs/pci-sad-trace.graph.json"
SAD = "Q-7391-Z"  # never hex, so it cannot turn up inside an id or a hash by chance
UNDECLARED = "W-5520-X"
BODY = {
    "card": {"number": "4111 1111 1111 1111", "verification": SAD},
    "extra": {"cvc": UNDECLARED},  # not declared anywhere: caught by its name
}


def _graph() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(GRAPH.read_text())
    return data


@pytest.fixture
def deployed(client: TestClient, acme: Tenant) -> Tenant:
    created = client.post("/api/v1/graphs", json={"graph": _graph()}, headers=acme.auth)
    assert created.status_code == 201, created.text
    body = {"slug": "cards", "graph_id": "card-intake"}
    deployed = client.post("/api/v1/deployments", json=body, headers=acme.auth)
    assert deployed.status_code == 201, deployed.text
    return acme


def _everything(aws: Any) -> str:
    """Every item of the table, as text."""
    items: list[Any] = []
    for page in aws.get_paginator("scan").paginate(TableName="auterity"):
        items.extend(page["Items"])
    return json.dumps(items)


def _field(trace: list[dict[str, Any]], node: str, side: str) -> Any:
    entry = next(t for t in trace if t["node"] == node)
    return next(iter(entry[side].values()))


def test_sad_is_masked_and_card_numbers_cut_in_every_stored_run(
    client: TestClient, deployed: Tenant, aws: Any
) -> None:
    answered = client.post("/t/acme/cards", json=BODY, headers=deployed.key)
    assert answered.status_code == 200, answered.text
    queued = client.post("/t/acme/cards?async=1", json=BODY, headers=deployed.key)
    assert queued.status_code == 202, queued.text
    manual = client.post(
        "/api/v1/graphs/card-intake/run", json={"input": {"body": BODY}}, headers=deployed.auth
    )
    assert manual.status_code == 200, manual.text
    draft = client.post(
        "/api/v1/runs", json={"graph": _graph(), "input": {"body": BODY}}, headers=deployed.auth
    )
    assert draft.status_code in (200, 201), draft.text
    for _ in range(50):  # the background run finishes on the app's loop
        poll = client.get(queued.json()["poll"], headers=deployed.auth).json()
        if poll["status"] not in ("queued", "running"):
            break
        time.sleep(0.05)
    assert poll["status"] == "succeeded", poll

    run_id = answered.headers["x-auterity-run-id"]
    run = client.get(f"/api/v1/runs/{run_id}", headers=deployed.auth).json()
    hook_out = _field(run["trace"], "hook", "outputs")
    assert hook_out["body"]["card"]["verification"] == MASK
    assert hook_out["body"]["extra"]["cvc"] == MASK
    assert hook_out["body"]["card"]["number"] == "411111******1111"  # PAN: first 6, last 4
    assert _field(run["trace"], "reply", "inputs")["body"]["card"]["verification"] == MASK

    stored = _everything(aws)
    assert SAD not in stored
    assert UNDECLARED not in stored
    for pan in (BODY["card"]["number"], BODY["card"]["number"].replace(" ", "")):
        assert pan not in stored


def test_an_endpoint_run_is_audited_with_the_classes_it_touched(
    client: TestClient, deployed: Tenant, aws: Any
) -> None:
    answered = client.post("/t/acme/cards", json=BODY, headers=deployed.key)
    assert answered.status_code == 200, answered.text
    store = Directory(aws, "auterity").tenant("acme")
    (event,) = [e for e in store.iter_audit() if e.action == "run.endpoint"]
    assert event.target == "card-intake"
    assert event.outcome == "succeeded"
    assert event.details["run_id"] == answered.headers["x-auterity-run-id"]
    assert event.details["slug"] == "cards"
    assert event.details["classes"] == ["PAN", "SAD"]
    assert event.details["nodes"]  # each node that touched card data, by name
    assert all(set(c) <= {"PAN", "SAD"} for c in event.details["nodes"].values())
    text = event.model_dump_json()
    assert BODY["card"]["number"] not in text
    assert SAD not in text
    assert store.verify_audit().ok


def test_an_endpoint_run_without_classified_data_adds_no_audit_event(
    client: TestClient, deployed: Tenant, aws: Any
) -> None:
    """Plain webhooks are in the run records; the trail is for runs that handled data classes."""
    graph = json.loads((GRAPH.parents[4] / "examples" / "http-echo.graph.json").read_text())
    saved = client.post("/api/v1/graphs", json={"graph": graph}, headers=deployed.auth)
    assert saved.status_code == 201, saved.text
    body = {"slug": "echo", "graph_id": graph["id"]}
    assert client.post("/api/v1/deployments", json=body, headers=deployed.auth).status_code == 201
    assert client.post("/t/acme/echo", json={"hi": 1}, headers=deployed.key).status_code == 200
    store = Directory(aws, "auterity").tenant("acme")
    assert [e for e in store.iter_audit() if e.action == "run.endpoint"] == []
