"""Undo and redo for the canvas: bounded stacks of graph snapshots.

A snapshot is the canvas as graph data (the ``*.graph.json`` shape of its nodes and edges),
not React Flow's dicts: selection, measured sizes and validation badges are not edits, so two
canvases that differ only in those compare equal and never make an undo step. Restoring goes
back through ``flow.graph_to_flow``, so ports are re-resolved exactly as when a file is opened.
No Reflex import here: the state keeps a ``History`` and swaps it for the one these functions
return.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from builder.canvas import flow
from runtime.core.graph import Graph

Snapshot = dict[str, Any]
"""``{"nodes": [...], "edges": [...]}`` as in a graph file."""

DEFAULT_DEPTH = 100
"""Undo steps kept per tab; older ones are dropped first."""

EDIT_CHANGES = frozenset({"position", "remove"})
"""Browser change types that edit the graph (selection and sizes do not)."""


@dataclass(frozen=True, slots=True)
class History:
    """Snapshots before each edit (``past``, oldest first) and after each undo (``future``).

    ``merge_key`` is the key of the last recorded edit: a further edit with the same key (a
    config field typed into letter by letter, say) joins that step instead of adding one.
    """

    past: tuple[Snapshot, ...] = ()
    future: tuple[Snapshot, ...] = ()
    depth: int = DEFAULT_DEPTH
    merge_key: str | None = None

    @property
    def can_undo(self) -> bool:
        return bool(self.past)

    @property
    def can_redo(self) -> bool:
        return bool(self.future)

    def record(self, before: Snapshot, after: Snapshot, merge_key: str | None = None) -> History:
        """The history after an edit turned ``before`` into ``after``.

        Nothing is recorded when the edit changed nothing; any real edit clears the redo stack.
        """
        if before == after:
            return self
        if merge_key is not None and merge_key == self.merge_key and self.past:
            return replace(self, future=())
        past = (*self.past, before)[-self.depth :] if self.depth > 0 else ()
        return replace(self, past=past, future=(), merge_key=merge_key)

    def undo(self, current: Snapshot) -> tuple[History, Snapshot] | None:
        """``(history, snapshot to show)``, or ``None`` when there is nothing to undo."""
        if not self.past:
            return None
        *rest, previous = self.past
        future = (current, *self.future)[: self.depth]
        return replace(self, past=tuple(rest), future=future, merge_key=None), previous

    def redo(self, current: Snapshot) -> tuple[History, Snapshot] | None:
        """``(history, snapshot to show)``, or ``None`` when there is nothing to redo."""
        if not self.future:
            return None
        following, *rest = self.future
        past = (*self.past, current)[-self.depth :]
        return replace(self, past=past, future=tuple(rest), merge_key=None), following


def snapshot(nodes: Sequence[flow.FlowNode], edges: Sequence[flow.FlowEdge]) -> Snapshot:
    """The canvas as graph data: what an undo step compares and restores."""
    graph = flow.flow_to_graph(nodes, edges)
    dumped = graph.model_dump(mode="json", include={"nodes", "edges"})
    return {"nodes": dumped["nodes"], "edges": dumped["edges"]}


def restore(
    snap: Snapshot, current: Sequence[flow.FlowNode]
) -> tuple[list[flow.FlowNode], list[flow.FlowEdge]]:
    """React Flow nodes and edges for ``snap``.

    Nodes still on the canvas keep what only the browser knows (measured size) and their
    selection; nodes that come back arrive unselected and are measured again by React Flow.
    """
    nodes, edges = flow.graph_to_flow(Graph.model_validate(snap))
    by_id = {n["id"]: n for n in current}
    kept: list[flow.FlowNode] = []
    for node in nodes:
        mine = by_id.get(node["id"])
        if mine is not None:
            for key in ("measured", "selected"):
                if key in mine:
                    node[key] = mine[key]
        kept.append(node)
    return kept, edges


def is_edit(changes: Sequence[Any]) -> bool:
    """Whether forwarded React Flow changes edit the graph (moves, removals)."""
    return any(isinstance(c, dict) and c.get("type") in EDIT_CHANGES for c in changes)
