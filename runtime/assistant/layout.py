"""Canvas positions for generated nodes: columns by depth from the trigger, rows in order.

A model rarely places nodes well (or at all), and a graph that lands on the canvas as one pile
is unusable; nodes that already have a place (kept from the graph being edited) keep it.
"""

from __future__ import annotations

from collections import defaultdict

from runtime.core.graph import Graph, Position

COLUMN = 300.0
ROW = 160.0


def _unplaced(graph: Graph, keep: set[str]) -> list[str]:
    return [
        n.id for n in graph.nodes if n.id not in keep and n.position.x == 0 and n.position.y == 0
    ]


def lay_out(graph: Graph, keep: set[str] | None = None) -> Graph:
    """Place nodes sitting at the origin (except ``keep``); others stay where they are."""
    keep = keep or set()
    unplaced = set(_unplaced(graph, keep))
    if len(unplaced) <= 1:
        return graph  # one node at the origin is a placement, not a pile
    depth: dict[str, int] = {n.id: 0 for n in graph.nodes}
    for _ in range(len(graph.nodes)):  # longest path, bounded: cycles are the validator's job
        changed = False
        for edge in graph.edges:
            known = edge.source in depth and edge.target in depth
            if known and depth[edge.target] < depth[edge.source] + 1:
                depth[edge.target] = depth[edge.source] + 1
                changed = True
        if not changed:
            break
    rows: defaultdict[int, int] = defaultdict(int)
    nodes = []
    max_x = max((n.position.x for n in graph.nodes if n.id not in unplaced), default=-COLUMN)
    offset = 0.0 if len(unplaced) == len(graph.nodes) else max_x + COLUMN
    for node in graph.nodes:
        if node.id in unplaced:
            column = depth[node.id]
            position = Position(x=offset + column * COLUMN, y=rows[column] * ROW)
            rows[column] += 1
            node = node.model_copy(update={"position": position})
        nodes.append(node)
    return graph.model_copy(update={"nodes": nodes})
