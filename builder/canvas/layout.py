"""Tidy up: lay a graph out left to right in layers.

Each node goes one column right of its furthest predecessor (NetworkX's topological
generations, i.e. longest-path layering), so every edge of an acyclic graph points right.
Cycles are collapsed first (a cycle's nodes share a column: the validator reports the cycle,
the layout must still finish), disconnected parts are stacked one below the other, and a few
barycentre sweeps order each column to keep edges from crossing. Pure functions, no Reflex.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import networkx as nx

from builder.canvas import flow

Point = tuple[float, float]
Size = tuple[float, float]

DEFAULT_SIZE: Size = (200.0, 90.0)
SWEEPS = 4


@dataclass(frozen=True, slots=True)
class Spacing:
    column: float = 90.0
    """Horizontal gap between columns."""
    row: float = 45.0
    """Vertical gap between nodes of one column."""
    part: float = 90.0
    """Vertical gap between disconnected parts."""


def layers(ids: Sequence[str], links: Iterable[tuple[str, str]]) -> list[list[str]]:
    """Columns of node ids, left to right, each ordered top to bottom.

    ``ids`` gives the preferred order (top to bottom) where the edges leave a choice; links
    naming unknown nodes and self-loops are ignored.
    """
    rank = {node_id: i for i, node_id in enumerate(ids)}
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(ids)
    graph.add_edges_from((s, t) for s, t in links if s in rank and t in rank and s != t)
    condensed = nx.condensation(graph)
    members: Mapping[int, set[str]] = nx.get_node_attributes(condensed, "members")
    column: dict[str, int] = {}
    for depth, generation in enumerate(nx.topological_generations(condensed)):
        for scc in generation:
            for node_id in members[scc]:
                column[node_id] = depth
    columns: list[list[str]] = [[] for _ in range(max(column.values(), default=-1) + 1)]
    for node_id in sorted(column, key=rank.__getitem__):
        columns[column[node_id]].append(node_id)
    return _reduce_crossings(columns, graph, rank)


def _reduce_crossings(
    columns: list[list[str]], graph: nx.DiGraph[str], rank: Mapping[str, int]
) -> list[list[str]]:
    """Barycentre heuristic: order each column by the mean row of its neighbours."""

    def sweep(order: Iterable[int], neighbours_of: str) -> None:
        for c in order:
            row = {n: i for col in columns for i, n in enumerate(col)}
            keys: dict[str, tuple[float, int]] = {}
            for node_id in columns[c]:
                near = (
                    list(graph.predecessors(node_id))
                    if neighbours_of == "pred"
                    else list(graph.successors(node_id))
                )
                rows = [row[n] for n in near if n in row]
                centre = sum(rows) / len(rows) if rows else float(row[node_id])
                keys[node_id] = (centre, rank[node_id])
            columns[c].sort(key=keys.__getitem__)

    for _ in range(SWEEPS // 2):
        sweep(range(1, len(columns)), "pred")
        sweep(range(len(columns) - 2, -1, -1), "succ")
    return columns


def layered_positions(
    ids: Sequence[str],
    links: Iterable[tuple[str, str]],
    sizes: Mapping[str, Size] | None = None,
    origin: Point = (0.0, 0.0),
    spacing: Spacing | None = None,
) -> dict[str, Point]:
    """Top-left corners for every id: parts stacked downwards, each laid out in columns.

    Columns are as wide as their widest node; within a part, each column is centred on the
    part's tallest column so short branches sit level with the main line.
    """
    sizes = sizes or {}
    spacing = spacing or Spacing()
    link_list = list(links)
    rank = {node_id: i for i, node_id in enumerate(ids)}
    undirected: nx.Graph[str] = nx.Graph()
    undirected.add_nodes_from(ids)
    undirected.add_edges_from((s, t) for s, t in link_list if s in rank and t in rank)
    parts = sorted(
        (sorted(part, key=rank.__getitem__) for part in nx.connected_components(undirected)),
        key=lambda part: rank[part[0]],
    )

    def size(node_id: str) -> Size:
        return sizes.get(node_id, DEFAULT_SIZE)

    positions: dict[str, Point] = {}
    top = origin[1]
    for part in parts:
        members = set(part)
        columns = layers(part, ((s, t) for s, t in link_list if s in members and t in members))
        heights = [sum(size(n)[1] for n in col) + spacing.row * (len(col) - 1) for col in columns]
        tallest = max(heights, default=0.0)
        left = origin[0]
        for col, height in zip(columns, heights, strict=True):
            y = top + (tallest - height) / 2
            for node_id in col:
                positions[node_id] = (left, y)
                y += size(node_id)[1] + spacing.row
            left += max(size(n)[0] for n in col) + spacing.column
        top += tallest + spacing.part
    return positions


# --- React Flow nodes ----------------------------------------------------------------------


def estimated_size(node: flow.FlowNode) -> Size:
    """The size React Flow measured, or a guess from the node's port rows."""
    measured = node.get("measured") or {}
    width, height = flow.coordinate(measured.get("width")), flow.coordinate(measured.get("height"))
    if width and height:
        return width, height
    data = node.get("data") or {}
    rows = len(data.get("inputs") or []) + len(data.get("outputs") or [])
    return DEFAULT_SIZE[0], 50.0 + 20.0 * rows


def _body_inputs(node: flow.FlowNode) -> set[str]:
    ports = (node.get("data") or {}).get("inputs") or []
    return {str(p.get("name")) for p in ports if isinstance(p, dict) and p.get("body")}


def tidy(nodes: Sequence[flow.FlowNode], edges: Sequence[flow.FlowEdge]) -> list[flow.FlowNode]:
    """Copies of ``nodes`` laid out left to right, starting where the graph starts now.

    Edges into a for-each's body result port go back to the container by design; they are
    left out so a body sits to the right of its for-each instead of forming a cycle with it.
    """
    if not nodes:
        return []
    by_id = {n["id"]: n for n in nodes}

    def position(node: flow.FlowNode) -> Point:
        p = node.get("position") or {}
        return flow.coordinate(p.get("x")) or 0.0, flow.coordinate(p.get("y")) or 0.0

    ids = sorted(by_id, key=lambda i: (position(by_id[i])[1], position(by_id[i])[0]))
    links = [
        (e["source"], e["target"])
        for e in edges
        if e.get("target") in by_id
        and (e.get("targetHandle") or "in") not in _body_inputs(by_id[e["target"]])
    ]
    origin = (
        flow.snap(min(position(n)[0] for n in nodes)),
        flow.snap(min(position(n)[1] for n in nodes)),
    )
    placed = layered_positions(ids, links, {i: estimated_size(n) for i, n in by_id.items()}, origin)
    return [
        {**n, "position": {"x": flow.snap(placed[n["id"]][0]), "y": flow.snap(placed[n["id"]][1])}}
        for n in nodes
    ]
