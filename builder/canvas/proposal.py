"""An AI proposal drawn over the canvas as a diff, before the user accepts or discards it.

The assistant never edits the canvas: its graph is shown as a preview (what the canvas would
become, plus what it would lose, faded) and only an Accept makes it an edit. This module is
the pure part: React Flow nodes and edges of the preview, each node marked in ``data.diff``
(``added``, ``changed``, ``removed`` or ``""`` for unchanged) for the node JSX to colour, and
the one-line summary the panel shows. No Reflex import, so it is tested as plain functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from builder.canvas import flow
from runtime.core.diagnostics import Diagnostic
from runtime.core.diff import GraphDiff, diff_graphs
from runtime.core.graph import Graph

Mark = Literal["added", "changed", "removed", ""]

LOCKED = {"draggable": False, "selectable": False, "connectable": False, "deletable": False}
"""React Flow per-element options: a preview is looked at, never edited in place."""

REMOVED_EDGE_STYLE = {"opacity": 0.35, "strokeDasharray": "6 4"}


def marks(diff: GraphDiff) -> dict[str, Mark]:
    """Node id -> how the proposal changes it (nodes it leaves alone are absent)."""
    return {c.node: c.change for c in diff.nodes}


def _marked(node: flow.FlowNode, mark: Mark) -> flow.FlowNode:
    return {**node, **LOCKED, "data": {**(node.get("data") or {}), "diff": mark}}


def preview(current: Graph, proposed: Graph) -> tuple[list[flow.FlowNode], list[flow.FlowEdge]]:
    """The proposed graph as flow nodes and edges, with what it removes drawn faded.

    Proposed nodes keep their own validation badges (so a preview shows what would still be
    wrong); removed nodes and edges come from the current graph at their current positions.
    """
    diff = diff_graphs(current, proposed)
    by_node = marks(diff)
    nodes, edges = flow.graph_to_flow(proposed)
    shown: list[flow.FlowNode] = [_marked(n, by_node.get(n["id"], "")) for n in nodes]
    kept_ids = {n["id"] for n in nodes}
    old_nodes, old_edges = flow.graph_to_flow(current)
    shown += [_marked(n, "removed") for n in old_nodes if n["id"] not in kept_ids]
    new_edge_ids = {e["id"] for e in edges}
    drawn: list[flow.FlowEdge] = [{**e, **LOCKED} for e in edges]
    drawn += [
        {**e, **LOCKED, "style": REMOVED_EDGE_STYLE, "data": {**e["data"], "diff": "removed"}}
        for e in old_edges
        if e["id"] not in new_edge_ids
    ]
    return shown, drawn


def summary(nodes: Sequence[flow.FlowNode]) -> str:
    """E.g. ``"3 nodes added, 1 changed"``: counted from the marks the canvas shows."""
    counts: dict[str, int] = {}
    for node in nodes:
        mark = str((node.get("data") or {}).get("diff") or "")
        if mark:
            counts[mark] = counts.get(mark, 0) + 1
    parts = [f"{counts[m]} {m}" for m in ("added", "changed", "removed") if counts.get(m)]
    if not parts:
        return "no changes to the nodes"
    total = sum(counts.values())
    return f"{total} node{'s' if total != 1 else ''}: " + ", ".join(parts)


def applied(proposed: Graph) -> tuple[list[flow.FlowNode], list[flow.FlowEdge]]:
    """The proposal as plain canvas nodes and edges (no marks, editable), for Accept."""
    return flow.graph_to_flow(proposed)


def diagnostics_note(diagnostics: Sequence[Diagnostic]) -> str:
    """What the validator still finds in a proposal, as one plain-text line (never markup)."""
    if not diagnostics:
        return ""
    errors = sum(d.severity == "error" for d in diagnostics)
    shown = "; ".join(f"{d.node or 'graph'}: {d.message}" for d in diagnostics[:3])
    more = f" (+{len(diagnostics) - 3} more)" if len(diagnostics) > 3 else ""
    kind = f"{errors} error{'s' if errors != 1 else ''}" if errors else "warnings only"
    return f"Still to fix ({kind}): {shown}{more}"
