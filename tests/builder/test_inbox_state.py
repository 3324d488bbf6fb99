"""The Inbox and the Runs page's actions against the real service (over moto), through ASGI.

An approval graph is deployed and called, so a run really waits; the page's states list it,
decide it with the form the graph asks for, and cancel or redrive runs, showing the service's
own words when it refuses.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]  # boto3 ships no types
import httpx
import pytest
import reflex as rx
from moto import mock_aws

from builder.client.api import Api
from builder.state import inbox as inbox_module
from builder.state import runs as runs_module
from builder.state.inbox import InboxState
from builder.state.runs import RunsState
from runtime.core.graph import Graph
from runtime.service.app import create_app
from runtime.service.config import ServiceConfig
from runtime.service.durable.sweeper import sweep_once
from runtime.service.idempotency import create_idempotency_table
from runtime.service.state import ServiceState
from runtime.store import Directory, create_table

BASE = "http://service.test"
PASSWORD = "correct horse battery"
GRAPH = (
    Path(__file__).resolve().parents[1]
    / "fixtures"
    / "graphs"
    / "durable"
    / "discount-approval.graph.json"
)


@dataclass
class Service:
    api: Api
    transport: httpx.ASGITransport
    state: ServiceState


@pytest.fixture
async def service(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Service]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_table(client, "auterity")
        create_idempotency_table(client, "auterity-idempotency")
        directory = Directory(client, "auterity")
        directory.create_tenant("acme", "Acme")
        directory.tenant("acme").create_user("admin@example.com", PASSWORD, "admin")
        app = create_app(ServiceConfig(token_secret="t" * 48, public_base_url=BASE), client)
        transport = httpx.ASGITransport(app=app)
        session = await Api(base_url=BASE, transport=transport).login(
            "acme", "admin@example.com", PASSWORD
        )
        logged_in = Api(session.token, base_url=BASE, transport=transport)

        async def api_for(_: object) -> Api:
            return logged_in

        monkeypatch.setattr(inbox_module, "api_for", api_for)
        monkeypatch.setattr(runs_module, "api_for", api_for)
        graph = Graph.model_validate(json.loads(GRAPH.read_text()))
        await logged_in.create_graph(graph)
        await logged_in.deploy("discount", graph.id)
        yield Service(logged_in, transport, app.state.auterity)


def _event(state: rx.State, name: str) -> Any:
    """An event handler of the state, called as Reflex would (``rx.event`` hides it from mypy)."""
    return getattr(state, name)


async def _ask(service: Service, customer: str = "Ada") -> str:
    """Call the deployed endpoint: the run waits at the approval."""
    async with httpx.AsyncClient(transport=service.transport, base_url=BASE) as raw:
        asked = await raw.post("/t/acme/discount", json={"customer": customer, "discount": 15})
    assert asked.status_code == 202, asked.text
    run_id = str(asked.json()["run_id"])
    await _settle(service, run_id, {"waiting"})
    return run_id


async def _settle(service: Service, run_id: str, until: set[str]) -> str:
    for _ in range(200):
        status = (await service.api.get_run(run_id)).status
        if status in until:
            return status
        await asyncio.sleep(0.05)
    raise AssertionError(f"run {run_id} is still {status}")


async def _resume(service: Service) -> None:
    """What the service's sweeper does after an answer (the test app runs no lifespan)."""
    await sweep_once(service.state)
    while service.state.background:
        await asyncio.gather(*list(service.state.background))


def _state(cls: type[rx.State]) -> Any:
    root = rx.State(_reflex_internal_init=True)  # type: ignore[call-arg]
    state = root.substates[cls.get_name()]
    assert isinstance(state, cls)
    return state


async def test_the_inbox_lists_a_waiting_run_and_approving_it_takes_the_approved_branch(
    service: Service,
) -> None:
    run_id = await _ask(service)
    inbox = _state(InboxState)
    await _event(inbox, "load")()
    assert len(inbox.items) == 1
    item = inbox.items[0]
    assert (item["run_id"], item["title"]) == (run_id, "Discount of 15% for Ada")
    assert item["graph"] == "A discount above 10% needs a manager's approval"
    assert item["assignee"] == "any editor"
    assert item["may_decide"] is True
    assert '"customer": "Ada"' in item["input"]
    assert item["fields"] == [
        {
            "name": "note",
            "label": "Note for the customer",
            "type": "text",
            "required": True,
            "options": [],
        }
    ]
    assert inbox.count == 1

    await _event(inbox, "approve")(item["key"])  # the required note is missing
    assert "form.note" in inbox.errors[item["key"]]
    assert len(inbox.items) == 1

    _event(inbox, "set_value")(item["key"], "note", "loyal customer")
    _event(inbox, "set_comment")(item["key"], "fine by me")
    await _event(inbox, "approve")(item["key"])
    assert inbox.items == []
    assert inbox.errors == {}

    await _resume(service)
    assert await _settle(service, run_id, {"succeeded", "failed"}) == "succeeded"
    body = (await service.api.get_run(run_id)).output["body"]
    assert (body["outcome"], body["note"]) == ("granted", "loyal customer")


async def test_a_decision_someone_else_made_first_shows_the_services_reason(
    service: Service,
) -> None:
    await _ask(service)
    mine, theirs = _state(InboxState), _state(InboxState)
    await _event(mine, "load")()
    await _event(theirs, "load")()
    key = mine.items[0]["key"]
    await _event(theirs, "reject")(key)
    assert theirs.items == []

    _event(mine, "set_value")(key, "note", "too late")
    await _event(mine, "approve")(key)
    assert mine.errors == {}
    assert "already" in mine.notice
    assert mine.items == []


async def test_the_runs_page_shows_what_a_run_waits_for_and_cancels_it(service: Service) -> None:
    run_id = await _ask(service, "Grace")
    runs = _state(RunsState)
    await _event(runs, "load")()
    row = next(r for r in runs.rows if r["id"] == run_id)
    assert (row["status"], row["color"], row["can_cancel"], row["can_redrive"]) == (
        "waiting",
        "amber",
        "yes",
        "",
    )
    await _event(runs, "open_run")(run_id)
    assert [(w["node"], w["kind"], w["status"]) for w in runs.waits] == [
        ("review", "approval", "pending")
    ]
    assert runs.waits[0]["title"] == "Discount of 15% for Grace"

    await _event(runs, "cancel_run")()
    assert runs.action_error == ""
    assert runs.run_summary["status"] == "cancelled"
    assert runs.run_summary["can_cancel"] == ""
    assert next(r for r in runs.rows if r["id"] == run_id)["status"] == "cancelled"

    await _event(runs, "redrive_run")()  # only a failed run is redriven: the 409 says so
    assert "only a failed run is redriven" in runs.action_error
    await _event(runs, "cancel_run")()  # it ended: the service refuses, the page says why
    assert runs.action_error

    inbox = _state(InboxState)
    await _event(inbox, "load")()
    assert inbox.items == []  # a cancelled run's approval leaves the Inbox
