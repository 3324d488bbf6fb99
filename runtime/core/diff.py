"""Structural difference between two graphs.

What a version history and an AI-proposed edit show the user: nodes added, removed or
changed (with the exact fields), and edges added or removed.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from runtime.core.graph import Edge, Graph

MAX_PATHS = 50


class NodeChange(BaseModel):
    node: str
    change: Literal["added", "removed", "changed"]
    fields: list[str] = Field(default_factory=list)
    """For ``changed``: dotted paths that differ, e.g. ``config.fields[0].value``."""


class EdgeChange(BaseModel):
    edge: str
    change: Literal["added", "removed"]


class GraphDiff(BaseModel):
    nodes: list[NodeChange] = Field(default_factory=list)
    edges: list[EdgeChange] = Field(default_factory=list)
    changed: list[str] = Field(default_factory=list)
    """Graph-level fields that differ: ``name``, ``description``, ``metadata``..."""

    @property
    def empty(self) -> bool:
        return not (self.nodes or self.edges or self.changed)


def _paths(a: Any, b: Any, prefix: str, out: list[str]) -> None:
    if len(out) >= MAX_PATHS or a == b:
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            _paths(a.get(key), b.get(key), f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _paths(x, y, f"{prefix}[{i}]", out)
    else:
        out.append(prefix or "value")


def _edge_key(edge: Edge) -> str:
    return f"{edge.source}.{edge.source_port}->{edge.target}.{edge.target_port}"


def diff_graphs(old: Graph, new: Graph) -> GraphDiff:
    result = GraphDiff()
    before = {n.id: n.model_dump(mode="json") for n in old.nodes}
    after = {n.id: n.model_dump(mode="json") for n in new.nodes}
    for node_id in after.keys() - before.keys():
        result.nodes.append(NodeChange(node=node_id, change="added"))
    for node_id in before.keys() - after.keys():
        result.nodes.append(NodeChange(node=node_id, change="removed"))
    for node_id in before.keys() & after.keys():
        fields: list[str] = []
        _paths(before[node_id], after[node_id], "", fields)
        if fields:
            result.nodes.append(NodeChange(node=node_id, change="changed", fields=fields))
    result.nodes.sort(key=lambda c: (c.node, c.change))
    old_edges = {_edge_key(e) for e in old.edges}
    new_edges = {_edge_key(e) for e in new.edges}
    result.edges = sorted(
        [EdgeChange(edge=k, change="added") for k in new_edges - old_edges]
        + [EdgeChange(edge=k, change="removed") for k in old_edges - new_edges],
        key=lambda c: (c.edge, c.change),
    )
    for name in ("name", "description", "metadata"):
        if getattr(old, name) != getattr(new, name):
            result.changed.append(name)
    return result
