"""The assistant's proposal as a canvas preview: diff marks, faded removals, locked elements."""

from __future__ import annotations

import json
from pathlib import Path

from builder.canvas import proposal
from runtime.core.diagnostics import Diagnostic
from runtime.core.graph import Edge, Graph, Node

ROOT = Path(__file__).resolve().parents[2]


def _graph(path: str) -> Graph:
    return Graph.model_validate(json.loads((ROOT / path).read_text()))


def _marks(nodes: list[dict[str, object]]) -> dict[str, object]:
    return {str(n["id"]): n["data"]["diff"] for n in nodes}  # type: ignore[index]


def test_a_proposal_for_an_empty_canvas_is_all_added_and_locked() -> None:
    proposed = _graph("templates/automotive-lead-triage.graph.json")
    nodes, edges = proposal.preview(Graph(), proposed)
    assert set(_marks(nodes).values()) == {"added"}
    assert [n["id"] for n in nodes] == [n.id for n in proposed.nodes]
    assert all(n["draggable"] is False and n["selectable"] is False for n in nodes)
    assert all(e["deletable"] is False for e in edges)
    assert len(edges) == len(proposed.edges)
    assert {n["data"]["status"] for n in nodes} == {"valid"}  # badges as they would be
    count = len(proposed.nodes)
    assert proposal.summary(nodes) == f"{count} nodes: {count} added"


def test_an_edit_marks_added_changed_removed_and_keeps_the_rest_unmarked() -> None:
    current = _graph("examples/http-echo.graph.json")
    current = current.model_copy(
        update={
            "nodes": [
                *current.nodes,
                Node(id="old", type="http.respond", config={"status": 204}),
            ],
            "edges": [*current.edges, Edge(source="hook", target="old")],
        }
    )
    reply = next(n for n in current.nodes if n.id == "reply")
    hook = next(n for n in current.nodes if n.id == "hook")
    proposed = current.model_copy(
        update={
            "nodes": [
                hook,
                reply.model_copy(update={"config": {**reply.config, "status": 201}}),
                Node(id="extra", type="http.respond", config={"status": 202}),
            ],
            "edges": [Edge(source="hook", target="reply"), Edge(source="hook", target="extra")],
        }
    )
    nodes, edges = proposal.preview(current, proposed)
    assert _marks(nodes) == {"hook": "", "reply": "changed", "extra": "added", "old": "removed"}
    removed = next(n for n in nodes if n["id"] == "old")
    assert removed["position"] == {"x": 0.0, "y": 0.0}  # where it is on the canvas now
    faded = [e for e in edges if e["data"].get("diff") == "removed"]
    assert [e["target"] for e in faded] == ["old"]
    assert faded[0]["style"] == proposal.REMOVED_EDGE_STYLE
    assert proposal.summary(nodes) == "3 nodes: 1 added, 1 changed, 1 removed"


def test_the_same_graph_proposed_again_changes_nothing() -> None:
    current = _graph("examples/http-echo.graph.json")
    nodes, _ = proposal.preview(current, current)
    assert set(_marks(nodes).values()) == {""}
    assert proposal.summary(nodes) == "no changes to the nodes"


def test_accepting_gives_plain_editable_nodes() -> None:
    proposed = _graph("examples/http-echo.graph.json")
    nodes, edges = proposal.applied(proposed)
    assert all("diff" not in n["data"] and "draggable" not in n for n in nodes)
    assert len(edges) == 1


def test_remaining_diagnostics_read_as_one_plain_line() -> None:
    assert proposal.diagnostics_note([]) == ""
    found = [
        Diagnostic(severity="error", code="x", message="missing <b>url</b>", node="call"),
        Diagnostic(severity="warning", code="y", message="unused"),
    ]
    assert proposal.diagnostics_note(found) == (
        "Still to fix (1 error): call: missing <b>url</b>; graph: unused"
    )
    many = [Diagnostic(severity="warning", code="w", message=str(i)) for i in range(5)]
    assert proposal.diagnostics_note(many).endswith("graph: 2 (+2 more)")
