"""The deploy panel's state against the real service: Express or Standard, why, the override."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import boto3  # type: ignore[import-untyped]  # boto3 ships no types
import httpx
import pytest
import reflex as rx
from moto import mock_aws

from builder.client.api import Api
from builder.state import CanvasState
from builder.state import deploy as deploy_module
from builder.state.deploy import DeployState
from builder.state.document import DocumentState
from runtime.core.graph import Graph
from runtime.service.app import create_app
from runtime.service.config import ServiceConfig
from runtime.service.idempotency import create_idempotency_table
from runtime.store import Directory, create_table

BASE = "http://service.test"
PASSWORD = "correct horse battery"


@pytest.fixture
async def api(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Api]:
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

        monkeypatch.setattr(deploy_module, "api_for", api_for)
        yield logged_in


def _event(state: DeployState, name: str) -> Any:
    """An event handler of the state, called as Reflex would (``rx.event`` hides it from mypy)."""
    return getattr(state, name)


async def _panel(api: Api, graph: dict[str, Any]) -> DeployState:
    """The panel over ``graph``, saved as version 1 and loaded in the editor."""
    saved = await api.create_graph(Graph.model_validate(graph))
    root = rx.State(_reflex_internal_init=True)  # type: ignore[call-arg]
    canvas = root.substates[CanvasState.get_name()]
    document = canvas.substates[DocumentState.get_name()]
    assert isinstance(document, DocumentState)
    document._adopt(saved.version)
    state = root.substates[DeployState.get_name()]
    assert isinstance(state, DeployState)
    await _event(state, "refresh")()
    return state


def _waits(seconds: float) -> dict[str, Any]:
    return {
        "schema_version": 2,
        "id": "waits",
        "name": "Waits",
        "nodes": [
            {"id": "hook", "type": "trigger.webhook", "config": {"auth": "public"}},
            {"id": "pause", "type": "logic.delay", "config": {"seconds": seconds}},
            {"id": "reply", "type": "http.respond", "config": {"status": 200, "body": "ok"}},
        ],
        "edges": [
            {"source": "hook", "target": "pause"},
            {"source": "pause", "target": "reply"},
        ],
    }


async def test_the_panel_says_standard_and_why_and_refuses_express(api: Api) -> None:
    panel = await _panel(api, _waits(900))
    assert panel.workflow_type == "Standard"  # shown before anything is deployed
    assert any("waits 900 s" in reason for reason in panel.workflow_reasons)
    await _event(panel, "set_workflow_choice")("express")
    assert "workflow_type" in panel.workflow_error
    assert panel.workflow_type == ""
    await _event(panel, "set_workflow_choice")("automatic")
    assert (panel.workflow_error, panel.workflow_type) == ("", "Standard")


async def test_an_override_is_deployed_and_shown_as_the_users_choice(api: Api) -> None:
    panel = await _panel(api, _waits(1))
    assert panel.workflow_type == "Express"
    await _event(panel, "set_workflow_choice")("standard")
    assert (panel.workflow_type, panel.workflow_overridden) == ("Standard", True)
    async for _ in _event(panel, "deploy")():
        pass
    assert panel.error == ""
    assert panel.deployed_version == 1
    assert (panel.workflow_type, panel.workflow_overridden) == ("Standard", True)
    assert panel.workflow_reasons[0].startswith("STANDARD was requested")
    deployed = (await api.list_deployments())[0].deployment
    assert deployed.workflow is not None
    assert (deployed.workflow.type, deployed.workflow.overridden) == ("STANDARD", True)
