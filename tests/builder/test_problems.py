"""Diagnostics on nodes, on edges and in the problems list."""

from __future__ import annotations

from typing import Any

from builder.canvas import diagnosis as problems
from builder.canvas import flow
from runtime.core.diagnostics import error, warning


def _canvas() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    nodes: list[dict[str, Any]] = []
    for node_type in ("trigger.webhook", "transform.set", "http.respond", "transform.json_format"):
        nodes.append(flow.new_flow_node(node_type, 0, 0, (n["id"] for n in nodes)))
    edges = [
        flow.connection_edge({"source": "webhook_1", "target": "set_1"}),
        flow.connection_edge({"source": "set_1", "target": "respond_1"}),
    ]
    return nodes, edges


def test_a_valid_graph_has_no_problems() -> None:
    nodes, edges = _canvas()
    nodes = nodes[:3]
    decorated, decorated_edges, rows = problems.diagnose(nodes, edges)
    assert rows == []
    assert [n["data"]["status"] for n in decorated] == ["valid"] * 3
    assert all(n["data"]["diagnostics"] == [] for n in decorated)
    assert all("severity" not in e["data"] for e in decorated_edges)


def test_errors_and_warnings_land_on_their_nodes_and_in_the_list() -> None:
    nodes, edges = _canvas()
    edges = edges[:1]  # respond_1 loses its input
    decorated, _, rows = problems.diagnose(nodes, edges)
    by_id = {n["id"]: n["data"] for n in decorated}
    assert by_id["respond_1"]["status"] == "error"
    assert "required input 'in' is not connected" in by_id["respond_1"]["statusText"]
    assert by_id["json_format_1"]["status"] == "error"
    assert by_id["set_1"]["status"] == "valid"
    severities = [r["severity"] for r in rows]
    assert severities == sorted(severities, key=problems.SEVERITY_ORDER.__getitem__)
    row = next(r for r in rows if r["node"] == "respond_1" and "required input" in r["message"])
    assert row["severity"] == "error"
    assert row["title"] == "Respond to webhook (respond_1)"


def test_a_node_with_only_warnings_gets_a_warning_badge() -> None:
    nodes, _ = _canvas()
    diags = [warning("node.unreachable", "never runs", node="set_1")]
    decorated = problems.decorate_nodes(nodes, diags)
    data = next(n["data"] for n in decorated if n["id"] == "set_1")
    assert data["status"] == "warning"
    assert data["diagnostics"] == [{"severity": "warning", "message": "never runs", "hint": ""}]


def test_edge_diagnostics_colour_the_edges_they_concern() -> None:
    _, edges = _canvas()
    second = flow.connection_edge({"source": "webhook_1", "target": "respond_1"})
    edges = [*edges, second]
    diags = [
        error("edge.type_mismatch", "wrong type", edge=edges[0]["id"], node="set_1"),
        error("edge.multiple_inputs", "two inputs", node="respond_1", port="in"),
        error("graph.cycle", "cycle", node="a", nodes=("a", "b")),
    ]
    decorated = {e["id"]: e["data"] for e in problems.decorate_edges(edges, diags)}
    assert decorated[edges[0]["id"]]["severity"] == "error"
    assert decorated[edges[0]["id"]]["diagnostics"][0]["message"] == "wrong type"
    assert decorated[edges[1]["id"]]["diagnostics"][0]["message"] == "two inputs"
    assert decorated[second["id"]]["diagnostics"][0]["message"] == "two inputs"
    # Fixed problems leave no trace on the next validation.
    clean = problems.decorate_edges(problems.decorate_edges(edges, diags), [])
    assert all("severity" not in e["data"] and "diagnostics" not in e["data"] for e in clean)


def test_cycles_mark_every_node_and_edge_of_the_ring() -> None:
    nodes = [
        flow.new_flow_node("transform.set", 0, 0, []),
        flow.new_flow_node("transform.set", 0, 0, ["set_1"]),
    ]
    edges = [
        flow.connection_edge({"source": "set_1", "target": "set_2"}),
        flow.connection_edge({"source": "set_2", "sourceHandle": "error", "target": "set_1"}),
    ]
    decorated, decorated_edges, rows = problems.diagnose(nodes, edges)
    assert all(
        any(d["message"].startswith("cycle") for d in n["data"]["diagnostics"]) for n in decorated
    )
    assert all(e["data"].get("severity") == "error" for e in decorated_edges)
    assert any(r["title"] == "Graph" for r in rows)  # "the graph has no trigger"


def test_an_empty_canvas_has_no_problems_yet() -> None:
    assert problems.diagnose([], []) == ([], [], [])
