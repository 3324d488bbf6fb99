"""GDPR erasure through the API: afterwards the subject is nowhere (the whole table, the
idempotency table, the service's caches), other people's data is intact, and the erasure is
on the audit trail without the identifier."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from runtime.core.clock import utc_now
from runtime.store import ChatTurn, Directory

from .conftest import Tenant, example

SUBJECT = "ada.subject@example.org"
PHONE = "+44 20 7946 0123"
OTHER = "bob.other@example.org"


def _scan(aws: Any, table: str) -> str:
    items: list[Any] = []
    for page in aws.get_paginator("scan").paginate(TableName=table):
        items.extend(page["Items"])
    raw = json.dumps(items)
    return raw + json.dumps(json.loads(raw), ensure_ascii=False)  # escaped and as text


def _found(text: str, value: str) -> bool:
    return value.casefold() in text.casefold()


def test_erasure_leaves_no_trace_of_the_subject(client: TestClient, acme: Tenant, aws: Any) -> None:
    graph = example("http-echo")
    graph["nodes"][0]["config"]["auth"] = "api_key"
    assert client.post("/api/v1/graphs", json={"graph": graph}, headers=acme.auth).is_success
    deploy = {"slug": "echo", "graph_id": "http_echo"}
    assert client.post("/api/v1/deployments", json=deploy, headers=acme.auth).is_success
    ada = {"email": SUBJECT.upper(), "phone": PHONE, "note": f"call {SUBJECT} back"}
    for body in (ada, {"email": OTHER}):
        answered = client.post("/t/acme/echo", json=body, headers=acme.key)
        assert answered.status_code == 200, answered.text
    keyed = client.post(
        "/t/acme/echo", json=ada, headers={**acme.key, "Idempotency-Key": "delivery-1"}
    )
    assert keyed.status_code == 200, keyed.text
    manual = client.post(
        "/api/v1/graphs/http_echo/run", json={"input": {"body": ada}}, headers=acme.auth
    )
    assert manual.status_code == 200, manual.text
    store = Directory(aws, "auterity").tenant("acme")
    chat = store.create_conversation("user:admin@example.com", "follow-ups")
    store.append_turns(
        chat, [ChatTurn(role="user", content=f"Draft a reply to {SUBJECT}", at=utc_now())]
    )
    assert _found(_scan(aws, "auterity"), SUBJECT)

    _, editor_key = store.create_api_key("editor", "editor")
    body = {"subject": SUBJECT}
    denied = client.post("/api/v1/gdpr/erase", json=body, headers={"X-API-Key": editor_key})
    assert denied.status_code == 403
    erased = client.post("/api/v1/gdpr/erase", json=body, headers=acme.auth)
    assert erased.status_code == 200, erased.text
    report = erased.json()
    assert report["runs"] == 3
    assert report["conversations"] == 1
    assert report["graphs"] == []
    erased_phone = client.post("/api/v1/gdpr/erase", json={"subject": PHONE}, headers=acme.auth)
    assert erased_phone.status_code == 200, erased_phone.text

    everything = _scan(aws, "auterity") + _scan(aws, "auterity-idempotency")
    state = client.app.state.auterity  # type: ignore[attr-defined]
    everything += repr(dict(state.lookups._cache)) + repr(state.labels)
    for value in (SUBJECT, PHONE):
        assert not _found(everything, value), f"{value} survived the erasure"
    assert _found(everything, OTHER)  # only the subject's data went

    runs = client.get("/api/v1/runs", headers=acme.auth).json()
    assert len(runs) == 4  # the records stay, redacted
    events = [e for e in store.iter_audit() if e.action == "gdpr.erase"]
    assert [e.outcome for e in events] == ["attempted", "succeeded"] * 2
    assert not any(_found(e.model_dump_json(), SUBJECT) for e in events)
    assert store.verify_audit().ok


def test_short_identifiers_are_refused(client: TestClient, acme: Tenant) -> None:
    response = client.post("/api/v1/gdpr/erase", json={"subject": "ann"}, headers=acme.auth)
    assert response.status_code == 422


def _deploy_mentioning(client: TestClient, acme: Tenant) -> None:
    """An endpoint whose graph holds the subject: a sample input and a constant in its reply."""
    graph = example("http-echo")
    graph["nodes"][0]["config"]["auth"] = "api_key"
    graph["nodes"][1]["config"]["body"]["contact"] = f"Owner: {SUBJECT}"
    graph["metadata"] = {"sample_input": {"email": SUBJECT}}
    assert client.post("/api/v1/graphs", json={"graph": graph}, headers=acme.auth).is_success
    deploy = {"slug": "echo", "graph_id": "http_echo"}
    assert client.post("/api/v1/deployments", json=deploy, headers=acme.auth).is_success


def _contact(client: TestClient, acme: Tenant) -> str:
    answered = client.post("/t/acme/echo", json={"x": 1}, headers=acme.key)
    assert answered.status_code == 200, answered.text
    contact: str = answered.json()["contact"]
    return contact


def test_erasure_rewrites_graphs_and_the_endpoints_serving_them(
    client: TestClient, acme: Tenant, aws: Any
) -> None:
    _deploy_mentioning(client, acme)
    assert _contact(client, acme) == f"Owner: {SUBJECT}"  # compiled and cached now

    erased = client.post("/api/v1/gdpr/erase", json={"subject": SUBJECT}, headers=acme.auth)
    assert erased.status_code == 200, erased.text
    assert erased.json()["graph_versions"] == 1
    assert erased.json()["graphs"] == []

    assert _contact(client, acme) == "[erased]"  # not the cached compilation
    assert not _found(_scan(aws, "auterity"), SUBJECT)
    stored = client.get("/api/v1/graphs/http_echo", headers=acme.auth).json()
    assert stored["graph"]["metadata"] == {"sample_input": {"email": "[erased]"}}


def test_an_erasure_by_another_process_reaches_every_instance(
    client: TestClient, acme: Tenant, aws: Any
) -> None:
    """The CLI erases in its own process: a running service must not keep the old graph."""
    from runtime.service.app import create_app
    from runtime.service.config import ServiceConfig
    from runtime.store.erasure import erase_subject

    _deploy_mentioning(client, acme)
    config = ServiceConfig(token_secret="t" * 48, max_run_seconds=5, cache_seconds=0)
    with TestClient(create_app(config, aws)) as other:
        assert _contact(other, acme) == f"Owner: {SUBJECT}"
        report = erase_subject(Directory(aws, "auterity").tenant("acme"), SUBJECT)
        assert report.graph_versions == 1
        assert _contact(other, acme) == "[erased]"
