"""Pasting a copied fragment: a ``*.graph.json``-shaped document of some nodes and their edges.

The browser copies the selected nodes (and the edges between them) as graph JSON, so a
fragment can go to another graph, another tab or a text editor and back. Pasting reads it
like any graph file (size limit, JSON errors, migrations, the pydantic model), refuses node
types this registry does not know, and gives every node a fresh id so nothing on the canvas
is overwritten. Pure functions, no Reflex.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from builder.canvas import flow
from nodes.registry import Registry, default_registry
from runtime.core.errors import GraphLoadError
from runtime.core.graph import Edge, Graph, Node, Position
from runtime.core.load import load_graph

MAX_FRAGMENT_CHARS = 2_000_000
MAX_FRAGMENT_NODES = 500
STEP = 2 * flow.GRID
"""How far a paste lands from the nodes it copies (and from an earlier paste of them)."""


class FragmentError(ValueError):
    """Why the clipboard's text cannot be pasted; shown to the user as it is."""


@dataclass(frozen=True, slots=True)
class View:
    """The visible part of the canvas, in flow coordinates."""

    x: float
    y: float
    width: float
    height: float

    @classmethod
    def from_browser(cls, raw: Any) -> View | None:
        if not isinstance(raw, dict):
            return None
        values = [flow.coordinate(raw.get(k)) for k in ("x", "y", "width", "height")]
        x, y, width, height = values
        if x is None or y is None or width is None or height is None or width <= 0 or height <= 0:
            return None
        return cls(x, y, width, height)

    def contains(self, x: float, y: float) -> bool:
        return self.x <= x <= self.x + self.width and self.y <= y <= self.y + self.height


def parse_fragment(text: str, registry: Registry | None = None) -> Graph:
    """The fragment in ``text``, or ``FragmentError`` saying what is wrong with it."""
    registry = registry or default_registry()
    if len(text) > MAX_FRAGMENT_CHARS:
        raise FragmentError(
            f"Cannot paste: the clipboard holds over {MAX_FRAGMENT_CHARS} characters."
        )
    if not text.lstrip().startswith("{"):
        raise FragmentError("Cannot paste: the clipboard does not hold copied nodes (graph JSON).")
    try:
        graph = load_graph(text, source="clipboard")
    except GraphLoadError as exc:
        raise FragmentError(
            f"Cannot paste: the clipboard is not a graph fragment: {exc.message}"
        ) from None
    if not graph.nodes:
        raise FragmentError("Cannot paste: the copied fragment has no nodes.")
    if len(graph.nodes) > MAX_FRAGMENT_NODES:
        raise FragmentError(f"Cannot paste more than {MAX_FRAGMENT_NODES} nodes at once.")
    unknown = [n for n in graph.nodes if registry.get(n.type) is None]
    if unknown:
        first = unknown[0]
        more = f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""
        raise FragmentError(
            f"Cannot paste: unknown node type {first.type!r} (node {first.id!r}){more}."
        )
    return graph


def offset(
    positions: Sequence[tuple[float, float]],
    occupied: Iterable[tuple[float, float]],
    view: View | None = None,
) -> tuple[float, float]:
    """How far to move pasted nodes so they are visible and not on top of existing ones.

    A fragment copied from the part of the canvas in view lands one step down and right of
    its originals (further if an earlier paste is there); one from elsewhere, another graph
    say, lands in the middle of the view.
    """
    if not positions:
        return 0.0, 0.0
    xs = [p[0] for p in positions]
    ys = [p[1] for p in positions]
    if view is not None and not view.contains((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2):
        cx, cy = view.x + view.width / 2, view.y + view.height / 2
        return (
            flow.snap(cx - (max(xs) - min(xs)) / 2 - min(xs)),
            flow.snap(cy - (max(ys) - min(ys)) / 2 - min(ys)),
        )
    taken = {(flow.snap(x), flow.snap(y)) for x, y in occupied}
    shift = float(STEP)
    for _ in range(100):
        if not any((flow.snap(x + shift), flow.snap(y + shift)) in taken for x, y in positions):
            break
        shift += STEP
    return shift, shift


def rebase(fragment: Graph, taken: Iterable[str], shift: tuple[float, float]) -> Graph:
    """The fragment with fresh node ids (not in ``taken``) and moved by ``shift``.

    Edges follow their nodes; edges to nodes outside the fragment and a parent the fragment
    does not contain are dropped, so a pasted node never reaches into the existing graph.
    """
    used = set(taken)
    ids: dict[str, str] = {}
    for node in fragment.nodes:
        if node.id in ids:
            continue
        ids[node.id] = flow.new_node_id(node.type, used)
        used.add(ids[node.id])
    dx, dy = shift
    nodes = [
        node.model_copy(
            update={
                "id": ids[node.id],
                "position": Position(
                    x=flow.snap(node.position.x + dx), y=flow.snap(node.position.y + dy)
                ),
                "parent": ids.get(node.parent) if node.parent else None,
            }
        )
        for node in _unique(fragment.nodes)
    ]
    edges: dict[str, Edge] = {}
    for edge in fragment.edges:
        if edge.source in ids and edge.target in ids:
            moved = Edge(
                source=ids[edge.source],
                source_port=edge.source_port,
                target=ids[edge.target],
                target_port=edge.target_port,
            )
            edges.setdefault(moved.key, moved)
    return Graph(nodes=nodes, edges=list(edges.values()))


def _unique(nodes: Iterable[Node]) -> list[Node]:
    seen: set[str] = set()
    out = []
    for node in nodes:
        if node.id not in seen:
            seen.add(node.id)
            out.append(node)
    return out


def paste(
    nodes: Sequence[flow.FlowNode],
    edges: Sequence[flow.FlowEdge],
    text: str,
    view: View | None = None,
    registry: Registry | None = None,
) -> tuple[list[flow.FlowNode], list[flow.FlowEdge], list[str]]:
    """The canvas with the fragment in ``text`` added and selected alone, and the new ids."""
    registry = registry or default_registry()
    fragment = parse_fragment(text, registry)
    shift = offset([(n.position.x, n.position.y) for n in fragment.nodes], _positions(nodes), view)
    pasted = rebase(fragment, (n["id"] for n in nodes), shift)
    new_nodes = [{**flow.node_to_flow(n, registry), "selected": True} for n in pasted.nodes]
    new_edges = [flow.edge_to_flow(e) for e in pasted.edges]
    kept_nodes = [{**n, "selected": False} for n in nodes]
    kept_edges = [{**e, "selected": False} for e in edges]
    return [*kept_nodes, *new_nodes], [*kept_edges, *new_edges], [n.id for n in pasted.nodes]


def _positions(nodes: Sequence[Mapping[str, Any]]) -> list[tuple[float, float]]:
    out = []
    for node in nodes:
        p = node.get("position") or {}
        x, y = flow.coordinate(p.get("x")), flow.coordinate(p.get("y"))
        if x is not None and y is not None:
            out.append((x, y))
    return out
