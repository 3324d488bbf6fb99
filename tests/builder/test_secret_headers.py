"""Credential headers in the builder: masked in the browser state, kept across an untouched save.

The service masks ``Authorization`` on every read (``runtime.engine.secret_configs``); the canvas
must treat such a header as it treats a ``Secret`` field: the browser only ever holds the mask, a
typed value stays on the server, and a graph read back from the service (masks in place) saves
those masks unchanged, so the service keeps the stored token.
"""

from __future__ import annotations

import json

import reflex as rx

from builder.inspector import secret_fields
from builder.state import CanvasState
from builder.state.inspector import InspectorState
from runtime.core.graph import Graph, Node
from runtime.engine.credentials import MASK

TOKEN = "Bearer sk-live-4f9a2c7e1b3d5f6a8c0e2b4d6f8a0c2e"


def _inspector() -> InspectorState:
    root = rx.State(_reflex_internal_init=True)  # type: ignore[call-arg]
    canvas = root.substates[CanvasState.get_name()]
    inspector = canvas.substates[InspectorState.get_name()]
    assert isinstance(inspector, InspectorState)
    return inspector


def _browser_view(state: InspectorState) -> str:
    root = state.parent_state.parent_state  # type: ignore[union-attr]
    assert root is not None
    return json.dumps(root.dict(), ensure_ascii=False, default=str)


def test_a_typed_authorization_header_is_masked_and_kept() -> None:
    state = _inspector()
    state.add_node("http.request", {"x": 0, "y": 0})
    node_id = state.nodes[0]["id"]
    state.on_nodes_change([{"id": node_id, "type": "select", "selected": True}])
    config = {
        **state.inspector["config"],
        "url": "https://crm.example/api",
        "headers": {"Authorization": TOKEN, "Accept": "application/json"},
    }
    state.change_config({"nodeId": node_id, "value": config})
    shown = state.nodes[0]["data"]["config"]["headers"]
    assert shown == {"Authorization": MASK, "Accept": "application/json"}
    assert "sk-live" not in _browser_view(state)
    # The form sends the mask back with another edit: the token is kept for the save.
    edited = {**state.inspector["config"], "url": "https://crm.example/v2"}
    assert edited["headers"]["Authorization"] == MASK
    state.change_config({"nodeId": node_id, "value": edited})
    sent = state.to_graph().nodes[0].config
    assert sent["headers"]["Authorization"] == TOKEN
    assert sent["url"] == "https://crm.example/v2"


def test_a_graph_read_from_the_service_saves_its_masks_unchanged() -> None:
    state = _inspector()
    read = Graph(
        id="crm_sync",
        nodes=[
            Node(
                id="call",
                type="http.request",
                config={"url": "https://crm.example", "headers": {"X-API-Key": MASK}},
            )
        ],
    )
    state.load_graph(read)
    assert state.nodes[0]["data"]["config"]["headers"] == {"X-API-Key": MASK}
    # Nothing was typed, so the save carries the mask and the service keeps its value.
    assert state.to_graph().nodes[0].config["headers"] == {"X-API-Key": MASK}


def test_conceal_takes_the_node_types_secret_paths() -> None:
    from builder.inspector.field_specs import config_spec
    from nodes.registry import default_registry

    node_type = default_registry().get("http.request")
    assert node_type is not None
    config = {"url": "u", "headers": {"Cookie": "sid=1", "Accept": "a"}, "query": {"q": "x"}}
    extra = node_type.secret_paths(config)
    masked, stored = secret_fields.conceal(config_spec(node_type), config, {}, extra)
    assert masked["headers"] == {"Cookie": MASK, "Accept": "a"}
    assert stored == {"headers.Cookie": "sid=1"}
    revealed = secret_fields.reveal(masked, stored, config_spec(node_type), extra)
    assert revealed == config


def test_secret_fields_are_secret_paths_by_default() -> None:
    from tests.builder import secret_probe

    with secret_probe.registered() as probe:
        assert probe.secret_paths({"api_key": "x", "endpoint": "e"}) == [("api_key",)]
        assert probe.secret_paths({"endpoint": "e"}) == []
