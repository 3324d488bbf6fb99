"""An approval graph deployed as an endpoint: it waits, shows in the Inbox, and goes on with
the decision (approve, reject, timeout), whichever way the decision comes."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, cast

import pytest
from fastapi.testclient import TestClient

from runtime.service.config import ServiceConfig
from runtime.store import Directory
from tests.service.conftest import Tenant

GRAPHS = Path(__file__).parents[2] / "fixtures" / "graphs" / "durable"


@pytest.fixture
def config() -> ServiceConfig:
    return ServiceConfig(token_secret="t" * 48, max_run_seconds=5, sweeper=True, sweep_seconds=0.2)


def graph(name: str) -> dict[str, Any]:
    return cast(dict[str, Any], json.loads((GRAPHS / f"{name}.graph.json").read_text()))


def deploy(client: TestClient, tenant: Tenant, name: str, slug: str) -> None:
    body = graph(name)
    saved = client.post("/api/v1/graphs", json={"graph": body}, headers=tenant.auth)
    assert saved.status_code == 201, saved.text
    deployed = client.post(
        "/api/v1/deployments", json={"slug": slug, "graph_id": body["id"]}, headers=tenant.auth
    )
    assert deployed.status_code == 201, deployed.text


def settle(client: TestClient, tenant: Tenant, run_id: str, until: set[str]) -> dict[str, Any]:
    for _ in range(600):  # up to 30 s on a loaded machine
        run = cast(dict[str, Any], client.get(f"/api/v1/runs/{run_id}", headers=tenant.auth).json())
        if run["status"] in until:
            return run
        time.sleep(0.05)
    raise AssertionError(f"run {run_id} is still {run['status']}")


def ask(client: TestClient, tenant: Tenant) -> str:
    asked = client.post("/t/acme/discount", json={"customer": "Ada", "discount": 15})
    assert asked.status_code == 202, asked.text
    assert asked.json()["status"] == "waiting"
    return cast(str, asked.json()["run_id"])


def audit_actions(aws: Any, tenant: str) -> list[str]:
    return [e.action for e in Directory(aws, "auterity").tenant(tenant).iter_audit()]


def test_an_approval_waits_in_the_inbox_and_approve_takes_the_approved_branch(
    client: TestClient, acme: Tenant, aws: Any
) -> None:
    deploy(client, acme, "discount-approval", "discount")
    run_id = ask(client, acme)
    run = settle(client, acme, run_id, {"waiting"})
    assert [t["node"] for t in run["trace"] if t["status"] == "waiting"] == ["review"]

    inbox = client.get("/api/v1/inbox", headers=acme.auth).json()
    assert [(i["wait"]["run_id"], i["wait"]["node"]) for i in inbox] == [(run_id, "review")]
    assert inbox[0]["wait"]["title"] == "Discount of 15% for Ada"
    assert inbox[0]["may_decide"] is True

    decided = client.post(
        f"/api/v1/inbox/{run_id}/review/decision",
        json={"decision": "approve", "form": {"note": "loyal customer"}},
        headers=acme.auth,
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "approved"

    done = settle(client, acme, run_id, {"succeeded", "failed"})
    assert done["status"] == "succeeded", done
    assert done["output"]["body"] == {
        "outcome": "granted",
        "note": "loyal customer",
        "by": "user:admin@example.com",
        **done["output"]["body"],
    }
    statuses = {t["node"]: t["status"] for t in done["trace"]}
    assert (statuses["review"], statuses["granted"]) == ("ok", "ok")
    assert (statuses["refused"], statuses["expired"]) == ("skipped", "skipped")
    assert client.get("/api/v1/inbox", headers=acme.auth).json() == []
    assert "wait.approved" in audit_actions(aws, "acme")


def test_reject_takes_the_rejected_branch(client: TestClient, acme: Tenant) -> None:
    deploy(client, acme, "discount-approval", "discount")
    run_id = ask(client, acme)
    settle(client, acme, run_id, {"waiting"})
    decided = client.post(
        f"/api/v1/inbox/{run_id}/review/decision",
        json={"decision": "reject", "comment": "too much"},
        headers=acme.auth,
    )
    assert decided.status_code == 200, decided.text
    done = settle(client, acme, run_id, {"succeeded", "failed"})
    assert done["output"]["body"]["outcome"] == "refused"
    assert done["output"]["body"]["note"] == "too much"


def test_a_second_decision_is_refused_and_the_first_stands(
    client: TestClient, acme: Tenant, aws: Any
) -> None:
    deploy(client, acme, "discount-approval", "discount")
    run_id = ask(client, acme)
    settle(client, acme, run_id, {"waiting"})
    url = f"/api/v1/inbox/{run_id}/review/decision"
    first = client.post(url, json={"decision": "reject"}, headers=acme.auth)
    second = client.post(
        url, json={"decision": "approve", "form": {"note": "x"}}, headers=acme.auth
    )
    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "already_answered"
    assert "wait.refused" in audit_actions(aws, "acme")
    done = settle(client, acme, run_id, {"succeeded", "failed"})
    assert done["output"]["body"]["outcome"] == "refused"


def test_bad_decisions_are_4xx_and_change_nothing(
    client: TestClient, acme: Tenant, acme_co: Tenant, aws: Any
) -> None:
    deploy(client, acme, "discount-approval", "discount")
    run_id = ask(client, acme)
    settle(client, acme, run_id, {"waiting"})
    url = f"/api/v1/inbox/{run_id}/review/decision"
    missing = client.post(url, json={"decision": "approve"}, headers=acme.auth)
    assert missing.status_code == 422
    assert "form.note" in missing.json()["error"]["message"]
    other_tenant = client.post(url, json={"decision": "approve"}, headers=acme_co.auth)
    assert other_tenant.status_code == 404
    unknown = client.post(
        "/api/v1/inbox/nope/review/decision", json={"decision": "approve"}, headers=acme.auth
    )
    assert unknown.status_code == 404
    _, viewer = Directory(aws, "auterity").tenant("acme").create_api_key("v", "viewer")
    forbidden = client.post(url, json={"decision": "reject"}, headers={"X-API-Key": viewer})
    assert forbidden.status_code == 403
    assert settle(client, acme, run_id, {"waiting"})["status"] == "waiting"
    assert (
        client.get(f"/api/v1/runs/{run_id}/waits", headers=acme.auth).json()[0]["status"]
        == "pending"
    )
