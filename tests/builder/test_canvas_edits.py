"""CanvasState's edit handlers without a browser: every edit is one undo step and re-validates.

The handlers are called the way Reflex calls them (the event handler's function on a state
instance), so these run in milliseconds; the browser path is in ``test_e2e_editing``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from reflex.state import State

from builder.state import CanvasState


@pytest.fixture
def canvas() -> CanvasState:
    # By name, and the handlers through the instance's class: robust to a reloaded module.
    # Reflex types a state's __init__ from its fields (dataclass_transform): not this flag.
    root = State(_reflex_internal_init=True)  # type: ignore[call-arg]
    state = root.get_substate(CanvasState.get_full_name().split(".")[1:])
    assert type(state).__name__ == "CanvasState"
    return state  # type: ignore[return-value]


def _handler(name: str) -> Callable[..., Any]:
    def call(state: CanvasState, *args: Any) -> Any:
        return type(state).event_handlers[name].fn(state, *args)

    return call


def _ids(state: CanvasState) -> list[str]:
    return [n["id"] for n in state.nodes]


def _build(state: CanvasState) -> None:
    _handler("add_node")(state, "trigger.webhook", {"x": 100, "y": 100})
    _handler("add_node")(state, "transform.set", {"x": 400, "y": 100})
    _handler("add_node")(state, "http.respond", {"x": 700, "y": 100})
    _handler("on_connect")(state, {"source": "webhook_1", "target": "set_1"})
    _handler("on_connect")(state, {"source": "set_1", "target": "respond_1"})


def test_each_edit_is_one_undo_step_and_redo_replays_it(canvas: CanvasState) -> None:
    _build(canvas)
    assert canvas.error_count == 0
    assert len(canvas.edges) == 2
    _handler("undo")(canvas)
    assert len(canvas.edges) == 1
    assert canvas.error_count == 1  # respond_1 lost its input: re-validated after undo
    _handler("undo")(canvas)
    _handler("undo")(canvas)
    assert _ids(canvas) == ["webhook_1", "set_1"]
    assert canvas.can_redo
    _handler("redo")(canvas)
    _handler("redo")(canvas)
    _handler("redo")(canvas)
    assert _ids(canvas) == ["webhook_1", "set_1", "respond_1"]
    assert len(canvas.edges) == 2
    assert not canvas.can_redo


def test_deleting_a_selection_and_its_edges_is_one_step(canvas: CanvasState) -> None:
    _build(canvas)
    _handler("on_delete_elements")(
        canvas, {"nodes": ["set_1", "respond_1"], "edges": ["webhook_1.out->set_1.in"]}
    )
    assert _ids(canvas) == ["webhook_1"]
    assert canvas.edges == []
    _handler("undo")(canvas)
    assert _ids(canvas) == ["webhook_1", "set_1", "respond_1"]
    assert len(canvas.edges) == 2


def test_moves_are_undoable_but_selection_is_not_an_edit(canvas: CanvasState) -> None:
    _build(canvas)
    start = dict(canvas.nodes[1]["position"])
    _handler("on_nodes_change")(canvas, [{"id": "set_1", "type": "select", "selected": True}])
    _handler("on_nodes_change")(
        canvas, [{"id": "set_1", "type": "position", "position": {"x": 999, "y": 15}}]
    )
    _handler("undo")(canvas)
    assert canvas.nodes[1]["position"] == start
    _handler("undo")(canvas)  # the step before the move is the last connection
    assert len(canvas.edges) == 1


def test_numbered_selections_are_acknowledged_in_order(canvas: CanvasState) -> None:
    """The browser keeps its own selection until the server has applied its last select."""
    _build(canvas)
    assert canvas.selection_ack == 0
    _handler("on_nodes_change")(
        canvas, [{"id": "set_1", "type": "select", "selected": True, "seq": 1}]
    )
    assert canvas.selection_ack == 1
    _handler("on_nodes_change")(
        canvas, [{"id": "set_1", "type": "position", "position": {"x": 5, "y": 5}}]
    )
    assert canvas.selection_ack == 1  # a move is not a selection
    edge_id = canvas.edges[0]["id"]
    _handler("on_edges_change")(
        canvas, [{"id": edge_id, "type": "select", "selected": True, "seq": 2}]
    )
    assert (canvas.selection_ack, canvas.edges[0]["selected"]) == (2, True)
    # A reloaded page counts from 1 again; the server follows it, never keeps the larger.
    _handler("on_nodes_change")(
        canvas, [{"id": "set_1", "type": "select", "selected": False, "seq": 1}]
    )
    assert canvas.selection_ack == 1
    for bad in ("3", True, -1, None):
        _handler("on_nodes_change")(
            canvas, [{"id": "set_1", "type": "select", "selected": True, "seq": bad}]
        )
        assert canvas.selection_ack == 1


def test_config_edits_with_one_merge_key_undo_together(canvas: CanvasState) -> None:
    """What the inspector does: ``_commit`` with a key per node and field."""
    _build(canvas)
    for text in ("a", "ab", "abc"):
        nodes = [
            {**n, "data": {**n["data"], "config": {"fields": [{"path": "x", "value": text}]}}}
            if n["id"] == "set_1"
            else n
            for n in canvas.nodes
        ]
        canvas._commit(nodes, canvas.edges, merge_key="config:set_1")
    assert canvas.nodes[1]["data"]["config"]["fields"][0]["value"] == "abc"
    _handler("undo")(canvas)
    assert canvas.nodes[1]["data"]["config"]["fields"][0]["path"] == "greeting"


def test_paste_adds_selected_copies_and_refuses_unknown_types(canvas: CanvasState) -> None:
    _build(canvas)
    fragment = {
        "nodes": [
            {"id": "a", "type": "transform.set", "position": {"x": 400, "y": 100}},
            {"id": "b", "type": "http.respond", "position": {"x": 700, "y": 100}},
        ],
        "edges": [{"source": "a", "target": "b"}],
    }
    _handler("on_paste")(canvas, {"text": json.dumps(fragment), "view": None})
    assert _ids(canvas)[3:] == ["set_2", "respond_2"]
    assert [n["id"] for n in canvas.nodes if n.get("selected")] == ["set_2", "respond_2"]
    assert any(e["id"] == "set_2.out->respond_2.in" for e in canvas.edges)
    assert any(p["node"] == "set_2" for p in canvas.problems)  # validated like any graph
    bad = {"nodes": [{"id": "x", "type": "acme.teleport"}]}
    _handler("on_paste")(canvas, {"text": json.dumps(bad)})
    assert "unknown node type 'acme.teleport'" in canvas.notice
    assert len(canvas.nodes) == 5
    _handler("undo")(canvas)
    assert len(canvas.nodes) == 3


def test_tidy_up_is_undoable_and_fits_the_view(canvas: CanvasState) -> None:
    _build(canvas)
    _handler("on_nodes_change")(
        canvas, [{"id": "respond_1", "type": "position", "position": {"x": -600, "y": 400}}]
    )
    fits = canvas.fit_view_request
    _handler("tidy_up")(canvas)
    xs = {n["id"]: n["position"]["x"] for n in canvas.nodes}
    assert xs["webhook_1"] < xs["set_1"] < xs["respond_1"]
    assert canvas.fit_view_request == fits + 1
    _handler("undo")(canvas)
    assert canvas.nodes[2]["position"] == {"x": -600.0, "y": 400.0}


def test_focus_node_selects_it_alone_and_asks_the_browser_to_centre_it(
    canvas: CanvasState,
) -> None:
    _build(canvas)
    _handler("on_nodes_change")(canvas, [{"id": "set_1", "type": "select", "selected": True}])
    _handler("focus_node")(canvas, "respond_1")
    assert [n["id"] for n in canvas.nodes if n.get("selected")] == ["respond_1"]
    assert canvas.focus_request["id"] == "respond_1"
    seq = canvas.focus_request["seq"]
    _handler("focus_node")(canvas, "ghost")
    assert canvas.focus_request["seq"] == seq


def test_clear_and_open_example_are_undoable(canvas: CanvasState) -> None:
    _build(canvas)
    _handler("open_example")(canvas, "http-echo")
    assert _ids(canvas) == ["hook", "reply"]
    _handler("clear")(canvas)
    assert canvas.nodes == []
    assert canvas.problems == []
    _handler("undo")(canvas)
    assert _ids(canvas) == ["hook", "reply"]
    _handler("undo")(canvas)
    assert _ids(canvas) == ["webhook_1", "set_1", "respond_1"]


def _outputs(state: CanvasState, node_id: str) -> list[str]:
    node = next(n for n in state.nodes if n["id"] == node_id)
    return [p["name"] for p in node["data"]["outputs"]]


def test_config_edits_redraw_ports_that_depend_on_the_config(canvas: CanvasState) -> None:
    """Renaming a switch's cases renames its output handles (they could not be wired before);
    while the config is invalid the last handles stay; undo brings the old ones back."""
    _handler("add_node")(canvas, "logic.switch", {"x": 100, "y": 100})
    assert _outputs(canvas, "switch_1") == ["urgent", "normal", "fallback", "error"]
    config = dict(canvas.nodes[0]["data"]["config"])
    cases = [{"key": "high", "value": "high"}, {"key": "low", "value": "low"}]
    canvas.set_node_config("switch_1", config={**config, "cases": cases, "fallback": False})
    assert _outputs(canvas, "switch_1") == ["high", "low", "error"]
    canvas.set_node_config("switch_1", config={**config, "cases": [{"key": "", "value": 1}]})
    assert _outputs(canvas, "switch_1") == ["high", "low", "error"]
    assert canvas.nodes[0]["data"]["status"] == "error"
    _handler("undo")(canvas)  # both edits of the node are one undo step
    assert _outputs(canvas, "switch_1") == ["urgent", "normal", "fallback", "error"]
