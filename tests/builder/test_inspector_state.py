"""The inspector's state without a browser: selection, edits, drafts, secrets, bad payloads."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import reflex as rx

from builder.inspector import secret_fields
from builder.inspector.field_specs import config_spec
from builder.state import CanvasState
from builder.state.inspector import InspectorState
from tests.builder import secret_probe


@pytest.fixture
def state() -> InspectorState:
    root = rx.State(_reflex_internal_init=True)  # type: ignore[call-arg]
    canvas = root.substates[CanvasState.get_name()]
    inspector = canvas.substates[InspectorState.get_name()]
    assert isinstance(inspector, InspectorState)
    return inspector


@pytest.fixture
def probe() -> Iterator[type[secret_probe.SecretProbe]]:
    with secret_probe.registered() as node_type:
        yield node_type


def _select(state: InspectorState, *ids: str) -> None:
    state.on_nodes_change(
        [{"id": n["id"], "type": "select", "selected": n["id"] in ids} for n in state.nodes]
    )


def _wired(state: InspectorState) -> None:
    state.add_node("trigger.webhook", {"x": 0, "y": 0})
    state.add_node("http.request", {"x": 300, "y": 0})
    state.on_connect(
        {"source": "webhook_1", "sourceHandle": "out", "target": "request_1", "targetHandle": "in"}
    )


def _status(state: InspectorState, node_id: str) -> str:
    return str(next(n for n in state.nodes if n["id"] == node_id)["data"]["status"])


def test_the_panel_shows_exactly_one_selected_node(state: InspectorState) -> None:
    _wired(state)
    assert state.inspected_id == ""
    assert state.inspector == {}
    _select(state, "request_1")
    assert state.inspected_id == "request_1"
    view = state.inspector
    assert view["nodeType"] == "http.request"
    assert view["configSpec"]["fields"][0]["key"] == "method"
    assert view["config"]["method"] == "POST"  # the type's example
    assert "nodes.webhook_1" in [r["expression"] for r in view["references"]]
    _select(state, "request_1", "webhook_1")
    assert state.inspected_id == ""
    assert state.selected_ids == ["webhook_1", "request_1"]


def test_an_invalid_config_is_kept_shown_inline_and_badged(state: InspectorState) -> None:
    _wired(state)
    _select(state, "request_1")
    config = {**state.inspector["config"], "retries": 9}
    state.change_config({"nodeId": "request_1", "value": config})
    view = state.inspector
    assert view["config"]["retries"] == 9  # what was typed is what is stored
    assert (
        view["configErrors"]["retries"][0]["message"] == "Input should be less than or equal to 5"
    )
    assert _status(state, "request_1") == "error"
    state.change_config({"nodeId": "request_1", "value": {**config, "retries": 2}})
    assert state.inspector["configErrors"] == {}
    assert _status(state, "request_1") == "valid"


def test_invalid_json_typed_is_kept_as_a_draft_and_listed_as_a_problem(
    state: InspectorState,
) -> None:
    """Issue 14.2: ``{{ input }}`` typed in JSON mode was dropped when the inspector closed."""
    state.add_node("trigger.webhook", {"x": 0, "y": 0})
    state.add_node("http.respond", {"x": 300, "y": 0})
    state.on_connect(
        {"source": "webhook_1", "sourceHandle": "out", "target": "respond_1", "targetHandle": "in"}
    )
    _select(state, "respond_1")
    before = state.inspector["config"]
    state.change_config({"nodeId": "respond_1", "value": before, "drafts": {"body": "{{ input }}"}})
    state.close()
    rows = [p for p in state.problems if p["node"] == "respond_1"]
    assert [r["severity"] for r in rows] == ["error"]
    assert "Body" in rows[0]["message"]
    assert "not valid JSON" in rows[0]["message"]
    assert _status(state, "respond_1") == "error"
    _select(state, "respond_1")
    assert state.inspector["drafts"] == {"body": "{{ input }}"}  # shown again as typed
    respond = state.to_graph().node("respond_1")
    assert respond is not None
    assert respond.config == before  # the run uses the old body
    state.change_config({"nodeId": "respond_1", "value": {**before, "body": {"ok": True}}})
    assert state.inspector["drafts"] == {}
    assert not [p for p in state.problems if p["node"] == "respond_1"]
    assert _status(state, "respond_1") == "valid"


def test_an_edit_goes_to_the_node_it_was_made_on(state: InspectorState) -> None:
    _wired(state)
    _select(state, "webhook_1")  # the panel moved on before the edit arrived
    state.change_config({"nodeId": "request_1", "value": {"url": "https://late.example"}})
    request = next(n for n in state.nodes if n["id"] == "request_1")
    assert request["data"]["config"] == {"url": "https://late.example"}


def test_label_and_settings_apply_only_when_valid(state: InspectorState) -> None:
    _wired(state)
    _select(state, "request_1")
    too_long = {"label": "x" * 201, "disabled": True}
    state.change_node({"nodeId": "request_1", "value": too_long})
    view = state.inspector
    assert view["nodeValue"] == too_long  # the draft, exactly as typed
    assert "label" in view["nodeErrors"]
    assert view["label"] == ""  # the canvas still shows the old label
    state.change_node(
        {"nodeId": "request_1", "value": {"label": "Call CRM", "retry": {"max_attempts": 3}}}
    )
    view = state.inspector
    assert view["nodeErrors"] == {}
    assert view["label"] == "Call CRM"
    settings = state.to_graph().node("request_1").settings  # type: ignore[union-attr]
    assert settings.retry.max_attempts == 3
    assert state.node_drafts == {}


@pytest.mark.parametrize(
    "payload",
    [
        None,
        [],
        "x",
        {"nodeId": 3, "value": {}},
        {"nodeId": "request_1", "value": [1]},
        {"nodeId": "ghost", "value": {}},
    ],
)
def test_malformed_changes_are_ignored(state: InspectorState, payload: Any) -> None:
    _wired(state)
    before = json.dumps(state.nodes, sort_keys=True)
    state.change_config(payload)
    state.change_node(payload)
    assert json.dumps(state.nodes, sort_keys=True) == before


def test_close_deselects(state: InspectorState) -> None:
    _wired(state)
    _select(state, "request_1")
    state.close()
    assert state.inspected_id == ""
    assert not any(n.get("selected") for n in state.nodes)


def test_secrets_never_reach_the_browser_state(
    state: InspectorState, probe: type[secret_probe.SecretProbe]
) -> None:
    state.add_node(probe.type, {"x": 0, "y": 0})
    node_id = state.nodes[0]["id"]
    assert state.nodes[0]["data"]["config"]["api_key"] == secret_fields.MASK
    assert state.to_graph().nodes[0].config["api_key"] == "sk-example-secret"
    _select(state, node_id)
    # The form sends the mask back unchanged: the secret is kept.
    config = {**state.inspector["config"], "endpoint": "https://x"}
    state.change_config({"nodeId": node_id, "value": config})
    assert state.to_graph().nodes[0].config == {
        "api_key": "sk-example-secret",
        "endpoint": "https://x",
    }
    # A new value replaces it, and is masked at once, nested ones too.
    config = {
        **config,
        "api_key": "sk-new-value",
        "extra": [{"name": "backup", "token": "tok-nested"}],
    }
    state.change_config({"nodeId": node_id, "value": config})
    graph_config = state.to_graph().nodes[0].config
    assert graph_config["api_key"] == "sk-new-value"
    assert graph_config["extra"][0]["token"] == "tok-nested"
    root = state.parent_state.parent_state  # type: ignore[union-attr]
    assert root is not None
    sent = json.dumps(root.dict(), ensure_ascii=False, default=str)  # all the browser holds
    assert secret_fields.MASK in sent
    for secret in ("sk-example-secret", "sk-new-value", "tok-nested"):
        assert secret not in sent
    assert state.inspector["config"]["api_key"] == secret_fields.MASK
    assert "api_key" not in state.inspector["configErrors"]


def test_conceal_and_reveal(probe: type[secret_probe.SecretProbe]) -> None:
    spec = config_spec(probe)
    masked, stored = secret_fields.conceal(spec, {"api_key": "a", "endpoint": "e"}, {})
    assert masked == {"api_key": secret_fields.MASK, "endpoint": "e"}
    assert stored == {"api_key": "a"}
    # Unchanged keeps, cleared forgets, a mask with nothing behind it stores nothing.
    assert secret_fields.conceal(spec, masked, stored)[1] == {"api_key": "a"}
    assert secret_fields.conceal(spec, {"endpoint": "e"}, stored)[1] == {}
    assert secret_fields.conceal(spec, masked, {})[1] == {}
    assert secret_fields.reveal(masked, stored, spec) == {"api_key": "a", "endpoint": "e"}


def test_the_saved_document_carries_the_secret_and_the_browser_only_a_digest(
    probe: type[secret_probe.SecretProbe],
) -> None:
    from builder.state.document import DocumentState

    root = rx.State(_reflex_internal_init=True)  # type: ignore[call-arg]
    canvas = root.substates[CanvasState.get_name()]
    document = canvas.substates[DocumentState.get_name()]
    assert isinstance(document, DocumentState)
    document.base_graph = {"id": "g1", "name": "With a secret"}
    document.add_node(probe.type, {"x": 0, "y": 0})
    node_id = document.nodes[0]["id"]
    document.set_node_config(node_id, {"api_key": "sk-other-secret", "endpoint": "e"})
    assert document.nodes[0]["data"]["config"]["api_key"] == secret_fields.MASK
    saved = document.document()
    assert saved.nodes[0].config["api_key"] == "sk-other-secret"
    fingerprint = document._fingerprint()
    assert "sk-other-secret" not in fingerprint
    assert len(fingerprint) == 64
