"""Every change leaves an attempt before it and an outcome after it in the tenant's trail."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from runtime.store import AuditEvent, Directory
from tests.service.conftest import Tenant, example


def _trail(aws: Any, tenant: str) -> list[AuditEvent]:
    return [
        e
        for e in Directory(aws, "auterity").tenant(tenant).iter_audit()
        if e.action != "auth.login"
    ]


def test_a_successful_save_has_attempt_then_success(
    client: TestClient, aws: Any, acme: Tenant
) -> None:
    graph = example("http-echo")
    assert (
        client.post("/api/v1/graphs", json={"graph": graph}, headers=acme.auth).status_code == 201
    )
    attempt, outcome = _trail(aws, "acme")
    assert (attempt.action, attempt.outcome, attempt.target) == (
        "graph.create",
        "attempted",
        "http_echo",
    )
    assert (outcome.action, outcome.outcome) == ("graph.create", "succeeded")
    assert outcome.details["attempt"] == attempt.event_id
    assert outcome.actor == attempt.actor == "user:admin@example.com"


def test_a_refused_change_has_attempt_then_failure_naming_why(
    client: TestClient, aws: Any, acme: Tenant
) -> None:
    graph = example("http-echo")
    client.post("/api/v1/graphs", json={"graph": graph}, headers=acme.auth)
    stale = client.put(
        "/api/v1/graphs/http_echo", json={"graph": graph, "base_version": 7}, headers=acme.auth
    )
    assert stale.status_code == 409
    gone = client.delete("/api/v1/api-keys/0123456789ab", headers=acme.auth)
    assert gone.status_code == 404
    trail = _trail(aws, "acme")[2:]
    assert [(e.action, e.outcome) for e in trail] == [
        ("graph.save", "attempted"),
        ("graph.save", "failed"),
        ("api_key.revoke", "attempted"),
        ("api_key.revoke", "failed"),
    ]
    assert trail[1].details["error"].startswith("Conflict")
    assert trail[3].details["error"].startswith("NotFound")
