"""Graph <-> React Flow conversion, change application and connection checks (no browser)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from builder.canvas import flow
from nodes.registry import default_registry
from runtime.core.graph import Edge, Graph, Node, Position
from runtime.core.load import load_graph_file
from runtime.core.types import OBJECT, STRING
from runtime.engine.validate import analyze, validate

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.graph.json"))


def _add(nodes: list[dict[str, Any]], node_type: str, x: float = 0, y: float = 0) -> str:
    node = flow.new_flow_node(node_type, x, y, (n["id"] for n in nodes))
    nodes.append(node)
    return str(node["id"])


def _connect(source: str, sp: str, target: str, tp: str) -> dict[str, str]:
    return {"source": source, "sourceHandle": sp, "target": target, "targetHandle": tp}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_survive_a_round_trip_through_the_canvas(path: Path) -> None:
    graph = load_graph_file(path)
    nodes, edges = flow.graph_to_flow(graph)
    back = flow.flow_to_graph(nodes, edges, graph)
    assert back == graph


def test_positions_live_in_the_graph_node() -> None:
    graph = Graph(nodes=[Node(id="a", type="trigger.manual", position=Position(x=30, y=-45))])
    nodes, _ = flow.graph_to_flow(graph)
    assert nodes[0]["position"] == {"x": 30.0, "y": -45.0}
    moved = flow.apply_node_changes(
        nodes, [{"id": "a", "type": "position", "position": {"x": 90, "y": 15}, "dragging": False}]
    )
    assert flow.flow_to_graph(moved, []).nodes[0].position == Position(x=90, y=15)


def test_flow_nodes_carry_ports_with_their_types_and_the_category_look() -> None:
    nodes: list[dict[str, Any]] = []
    set_id = _add(nodes, "transform.set")
    data = nodes[0]["data"]
    assert set_id == "set_1"
    assert nodes[0]["type"] == flow.NODE_KIND
    assert data["title"] == "Set fields"
    assert data["category"] == "transform"
    assert data["icon"] == "pencil"
    assert data["inputs"] == [{"name": "in", "type": "object", "label": "In", "body": False}]
    assert [(p["name"], p["type"]) for p in data["outputs"]] == [
        ("out", "object"),
        ("error", "object"),
    ]


def test_foreach_body_ports_are_drawn_on_the_right_sides() -> None:
    nodes: list[dict[str, Any]] = []
    _add(nodes, "logic.foreach")
    data = nodes[0]["data"]
    assert {"name": "result", "type": "any", "label": "Result", "body": True} in data["inputs"]
    assert any(p["name"] == "item" and p["body"] for p in data["outputs"])


def test_new_ids_are_readable_and_unique() -> None:
    assert flow.new_node_id("trigger.webhook", []) == "webhook_1"
    assert flow.new_node_id("trigger.webhook", ["webhook_1", "webhook_2"]) == "webhook_3"
    assert flow.new_node_id("x.9lives", []) == "n_9lives_1"


def test_new_nodes_snap_to_the_grid_and_refuse_unknown_types() -> None:
    node = flow.new_flow_node("trigger.manual", 22, 38, [])
    assert node["position"] == {"x": 15.0, "y": 45.0}
    with pytest.raises(KeyError):
        flow.new_flow_node("no.such", 0, 0, [])


def _validated(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the canvas does after each change: validate the graph, pin diagnostics on nodes."""
    graph = flow.flow_to_graph(nodes, edges)
    return flow.with_statuses(nodes, analyze(graph, default_registry()).diagnostics)


def test_statuses_come_from_the_validator() -> None:
    nodes: list[dict[str, Any]] = []
    hook = _add(nodes, "trigger.manual")
    set_id = _add(nodes, "transform.set")
    nodes = _validated(nodes, [])
    by_id = {n["id"]: n["data"] for n in nodes}
    assert by_id[set_id]["status"] == "error"
    assert "not connected" in by_id[set_id]["statusText"]
    edges = [flow.connection_edge(_connect(hook, "out", set_id, "in"))]
    nodes = _validated(nodes, edges)
    assert [n["data"]["status"] for n in nodes] == ["valid", "valid"]
    assert validate(flow.flow_to_graph(nodes, edges)) == []


def test_run_outcomes_show_when_the_node_is_valid() -> None:
    assert flow.node_status([], "ok") == ("ok", "ran ok")
    assert flow.node_status([], "failed")[0] == "failed"
    assert flow.node_status([], None) == ("valid", "")


def test_compatible_ports_connect() -> None:
    nodes: list[dict[str, Any]] = []
    hook = _add(nodes, "trigger.webhook")
    set_id = _add(nodes, "transform.set")
    assert flow.connection_refusal(nodes, [], _connect(hook, "out", set_id, "in")) is None


def test_incompatible_ports_are_refused_naming_both_ports_and_types() -> None:
    nodes: list[dict[str, Any]] = []
    fmt = _add(nodes, "transform.json_format")
    set_id = _add(nodes, "transform.set")
    reason = flow.connection_refusal(nodes, [], _connect(fmt, "out", set_id, "in"))
    assert reason is not None
    assert not OBJECT.accepts(STRING)  # the algebra the refusal relies on
    for part in (fmt, "'out'", "(string)", set_id, "'in'", "(object)"):
        assert part in reason


def test_the_refusal_agrees_with_the_validator() -> None:
    nodes: list[dict[str, Any]] = []
    fmt = _add(nodes, "transform.json_format")
    set_id = _add(nodes, "transform.set")
    graph = flow.flow_to_graph(nodes, [flow.connection_edge(_connect(fmt, "out", set_id, "in"))])
    assert "edge.type_mismatch" in {d.code for d in validate(graph)}


@pytest.mark.parametrize(
    ("connection", "expected"),
    [
        (_connect("manual_1", "out", "manual_1", "in"), "cannot feed itself"),
        (_connect("manual_1", "nope", "set_1", "in"), "no output port 'nope'"),
        (_connect("manual_1", "out", "set_1", "nope"), "no input port 'nope'"),
        (_connect("ghost", "out", "set_1", "in"), "must be nodes on this canvas"),
    ],
)
def test_other_refusals(connection: dict[str, str], expected: str) -> None:
    nodes: list[dict[str, Any]] = []
    _add(nodes, "trigger.manual")
    _add(nodes, "transform.set")
    reason = flow.connection_refusal(nodes, [], connection)
    assert reason is not None
    assert expected in reason


def test_an_input_takes_one_edge() -> None:
    nodes: list[dict[str, Any]] = []
    a = _add(nodes, "trigger.manual")
    b = _add(nodes, "trigger.webhook")
    set_id = _add(nodes, "transform.set")
    edges = [flow.connection_edge(_connect(a, "out", set_id, "in"))]
    again = flow.connection_refusal(nodes, edges, _connect(a, "out", set_id, "in"))
    other = flow.connection_refusal(nodes, edges, _connect(b, "out", set_id, "in"))
    assert again is not None
    assert "already connected" in again
    assert other is not None
    assert "Merge" in other


def test_node_changes_select_resize_and_remove() -> None:
    nodes: list[dict[str, Any]] = []
    a = _add(nodes, "trigger.manual")
    b = _add(nodes, "transform.set")
    changed = flow.apply_node_changes(
        nodes,
        [
            {"id": a, "type": "select", "selected": True},
            {"id": b, "type": "dimensions", "dimensions": {"width": 180, "height": 90}},
            {"id": "ghost", "type": "remove"},
            {"id": a, "type": "position"},  # a drag end without a position keeps the old one
            {"id": a, "type": "teleport"},
        ],
    )
    assert changed[0]["selected"] is True
    assert changed[0]["position"] == nodes[0]["position"]
    assert changed[1]["measured"] == {"width": 180, "height": 90}
    assert [n["id"] for n in flow.apply_node_changes(changed, [{"id": a, "type": "remove"}])] == [b]


def test_edge_changes_and_dangling_edges() -> None:
    graph = Graph(
        nodes=[Node(id="a", type="trigger.manual"), Node(id="b", type="transform.set")],
        edges=[Edge(source="a", target="b")],
    )
    nodes, edges = flow.graph_to_flow(graph)
    key = edges[0]["id"]
    assert flow.apply_edge_changes(edges, [{"id": key, "type": "select", "selected": True}])[0][
        "selected"
    ]
    assert flow.apply_edge_changes(edges, [{"id": key, "type": "remove"}]) == []
    assert flow.drop_dangling(nodes[:1], edges) == []
    assert flow.drop_dangling(nodes, edges) == edges


def test_malformed_changes_from_the_browser_are_skipped() -> None:
    nodes: list[dict[str, Any]] = []
    a = _add(nodes, "trigger.manual")
    junk: list[Any] = [
        "remove",
        {"id": ["a"], "type": "remove"},
        {"id": a, "type": "position", "position": {"x": float("nan"), "y": 0}},
        {"id": a, "type": "position", "position": {"x": "10", "y": 0}},
        {"id": a, "type": "position", "position": {"x": True, "y": 0}},
        {"id": a, "type": "dimensions", "dimensions": {"width": -1, "height": 5}},
        {"id": a, "type": "select", "selected": "yes"},
        {"type": "add", "item": {"id": "evil", "type": "auterity", "data": {}}},
        {"id": a, "type": "replace", "item": {"id": a, "data": {"nodeType": "evil"}}},
    ]
    changed = flow.apply_node_changes(nodes, junk)
    assert [n["id"] for n in changed] == [a]
    assert changed[0]["position"] == nodes[0]["position"]
    assert changed[0]["data"] == nodes[0]["data"]
    assert "measured" not in changed[0]
    assert changed[0]["selected"] is False
    assert flow.apply_edge_changes([], junk) == []
    assert flow.has_removal(["remove", {"type": "select"}]) is False
    assert flow.has_removal([{"id": a, "type": "remove"}]) is True


def test_odd_connections_are_refused_not_crashed_on() -> None:
    nodes: list[dict[str, Any]] = []
    _add(nodes, "trigger.manual")
    _add(nodes, "transform.set")
    odd: dict[str, Any] = {"source": ["manual_1"], "sourceHandle": {"x": 1}, "target": "set_1"}
    assert flow.connection_refusal(nodes, [], odd) == (
        "Both ends of a connection must be nodes on this canvas."
    )
    assert flow.endpoints({"source": "a", "target": "b"}) == ("a", "out", "b", "in")
    assert flow.coordinate(float("inf")) is None
    assert flow.coordinate(3) == 3.0
