"""The Assistant panel's state against the real service (ASGI, over moto, no AI provider).

Without a provider the service answers with the closest bundled template and says so, which
is enough to check what matters here: a proposal is previewed, never applied on arrival;
Discard leaves the canvas exactly as it was; Accept is one undo step; edits wait while a
proposal is shown; conversations are listed, reopened and deleted per user.
"""

from __future__ import annotations

import json
from typing import Any

import boto3  # type: ignore[import-untyped]  # boto3 ships no types
import httpx
import pytest
import reflex as rx
from moto import mock_aws

from builder.client.api import Api
from builder.inspector import secret_fields
from builder.state import CanvasState
from builder.state import chat as chat_module
from builder.state.chat import ChatState
from builder.state.document import DocumentState
from runtime.core.graph import Graph
from runtime.service.app import create_app
from runtime.service.config import ServiceConfig
from runtime.service.idempotency import create_idempotency_table
from runtime.store import Directory, create_table
from tests.builder import secret_probe

BASE = "http://service.test"
PASSWORD = "correct horse battery"
ASK = "when a dealership lead arrives, score it and text hot leads to sales"


@pytest.fixture
def sent() -> list[dict[str, Any]]:
    """The generate-graph request bodies the service received."""
    return []


@pytest.fixture
async def api(monkeypatch: pytest.MonkeyPatch, sent: list[dict[str, Any]]) -> Any:
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
        directory.create_tenant("acme", "Acme", "automotive")
        directory.tenant("acme").create_user("admin@example.com", PASSWORD, "admin")
        app = create_app(ServiceConfig(token_secret="t" * 48, public_base_url=BASE), client)
        inner = httpx.ASGITransport(app=app)

        class Recording(httpx.AsyncBaseTransport):
            async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
                if request.url.path.endswith("/ai/generate-graph"):
                    sent.append(json.loads(request.content))
                return await inner.handle_async_request(request)

        transport = Recording()
        session = await Api(base_url=BASE, transport=transport).login(
            "acme", "admin@example.com", PASSWORD
        )
        logged_in = Api(session.token, base_url=BASE, transport=transport)

        async def api_for(_: object) -> Api:
            return logged_in

        monkeypatch.setattr(chat_module, "api_for", api_for)
        yield logged_in


@pytest.fixture
def chat(api: Api) -> ChatState:
    root = rx.State(_reflex_internal_init=True)  # type: ignore[call-arg]
    canvas = root.substates[CanvasState.get_name()]
    document = canvas.substates[DocumentState.get_name()]
    state = document.substates[ChatState.get_name()]
    assert isinstance(state, ChatState)
    document.base_graph = Graph(id="leads", name="Leads").model_dump(
        mode="json", exclude={"nodes", "edges"}
    )
    document.base_version = 1
    return state


async def _send(chat: ChatState, text: str = ASK) -> None:
    async for _ in chat.send({"message": text}):
        pass


def _ids(nodes: list[dict[str, Any]]) -> list[str]:
    return [n["id"] for n in nodes]


async def test_a_proposal_is_previewed_and_discard_leaves_the_canvas_as_it_was(
    chat: ChatState,
) -> None:
    chat.add_node("trigger.webhook", {"x": 0, "y": 0})
    before = (json.dumps(chat.nodes), json.dumps(chat.edges), chat.can_undo)
    chat.set_industry("automotive")
    await _send(chat)
    assert chat.previewing
    assert [m["role"] for m in chat.messages] == ["user", "assistant"]
    assert "No AI provider is configured" in chat.messages[1]["text"]
    assert chat.conversation_id
    marks = {n["id"]: n["data"]["diff"] for n in chat.preview_nodes}
    assert marks["webhook_1"] == "removed"  # the canvas's node is not in the template
    assert "added" in marks.values()
    assert chat.preview_summary.endswith("1 removed")
    # Edits wait while the proposal is shown (the canvas is not what the user sees).
    chat.add_node("http.request", {"x": 300, "y": 0})
    chat.undo()
    assert "Accept or discard" in chat.notice
    chat.discard()
    assert not chat.previewing
    assert chat.preview_nodes == []
    assert (json.dumps(chat.nodes), json.dumps(chat.edges), chat.can_undo) == before


async def test_accept_is_one_undo_step_and_the_conversation_is_saved(chat: ChatState) -> None:
    await _send(chat)
    proposed = _ids(chat.preview_nodes)
    assert chat.nodes == []
    chat.accept()
    assert not chat.previewing
    assert _ids(chat.nodes) == proposed
    assert chat.error_count == 0
    assert all("diff" not in n["data"] for n in chat.nodes)
    chat.undo()
    assert chat.nodes == []
    assert not chat.can_undo

    await _send(chat, "also email the sales manager")  # the same conversation continues
    await chat.open_chat_panel()
    assert [c["title"] for c in chat.conversations] == [ASK]
    conversation_id = chat.conversations[0]["id"]
    chat.new_conversation()
    assert chat.messages == []
    await chat.open_conversation(conversation_id)
    assert [m["role"] for m in chat.messages] == ["user", "assistant", "user", "assistant"]
    assert chat.messages[1]["turn"] == "1"
    chat.discard()
    chat.preview_turn("1")  # an earlier proposal can be shown again
    assert chat.previewing
    await chat.delete_conversation(conversation_id)
    assert chat.conversations == []
    assert chat.conversation_id == ""


async def test_secrets_never_reach_the_model_and_survive_accept(
    chat: ChatState, sent: list[dict[str, Any]]
) -> None:
    with secret_probe.registered() as node_type:
        chat.add_node(node_type.type, {"x": 0, "y": 0})
        node_id = chat.nodes[0]["id"]
        config = {**chat.nodes[0]["data"]["config"], "api_key": "s3cret-value"}
        chat.set_node_config(node_id, config)
        assert chat.document().nodes[0].config["api_key"] == "s3cret-value"
        await _send(chat)
        assert "s3cret-value" not in json.dumps(sent)
        assert sent[0]["graph"]["nodes"][0]["config"]["api_key"] == secret_fields.MASK
        assert "s3cret-value" not in json.dumps(chat.preview_nodes)
        chat.discard()
        # A proposal that keeps the node (as a model editing the canvas would) keeps the
        # masked value's stored secret when accepted.
        kept = chat._masked_document()
        kept = kept.model_copy(
            update={"nodes": [kept.nodes[0].model_copy(update={"label": "Renamed"})]}
        )
        chat._preview(kept)
        assert {n["data"]["diff"] for n in chat.preview_nodes} == {"changed"}
        chat.accept()
        assert chat.document().nodes[0].label == "Renamed"
        assert chat.document().nodes[0].config["api_key"] == "s3cret-value"
        assert "s3cret-value" not in json.dumps(chat.nodes)
