"""Graph patches as data: what an auto-fix proposes, shown as a diff before it is applied.

A patch never runs code: it is a list of operations on nodes and edges, each of which can be
read, previewed (``runtime.core.diff``) and refused.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from runtime.core.graph import Edge, Graph, Node, Position


class _Op(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InsertNode(_Op):
    """Split ``edge`` with ``node``: source -> node.in, node.out -> target."""

    op: Literal["insert_node"] = "insert_node"
    edge: str
    node: Node


class SetConfig(_Op):
    """Set one top-level config field of a node."""

    op: Literal["set_config"] = "set_config"
    node: str
    field: str
    value: Any


class AddNode(_Op):
    """Add a node and the edges that wire it in."""

    op: Literal["add_node"] = "add_node"
    node: Node
    edges: list[Edge] = Field(default_factory=list)


Operation = Annotated[InsertNode | SetConfig | AddNode, Field(discriminator="op")]


class GraphPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str
    operations: list[Operation] = Field(default_factory=list)


class PatchError(ValueError):
    """The patch no longer fits the graph (the edge or node it names is gone)."""


def free_id(graph: Graph, base: str) -> str:
    taken = {n.id for n in graph.nodes}
    if base not in taken:
        return base
    n = 2
    while f"{base}_{n}" in taken:
        n += 1
    return f"{base}_{n}"


def apply_patch(graph: Graph, patch: GraphPatch) -> Graph:
    """A new graph with the patch applied; the given one is not changed."""
    out = graph.model_copy(deep=True)
    for op in patch.operations:
        if isinstance(op, InsertNode):
            _insert(out, op)
        elif isinstance(op, SetConfig):
            node = out.node(op.node)
            if node is None:
                raise PatchError(f"node {op.node!r} is not in the graph")
            node.config = {**node.config, op.field: op.value}
        else:
            if out.node(op.node.id) is not None:
                raise PatchError(f"node {op.node.id!r} already exists")
            out.nodes.append(op.node)
            out.edges.extend(op.edges)
    return out


def _insert(graph: Graph, op: InsertNode) -> None:
    index = next((i for i, e in enumerate(graph.edges) if e.key == op.edge), None)
    if index is None:
        raise PatchError(f"edge {op.edge!r} is not in the graph")
    if graph.node(op.node.id) is not None:
        raise PatchError(f"node {op.node.id!r} already exists")
    edge = graph.edges[index]
    source, target = graph.node(edge.source), graph.node(edge.target)
    node = op.node.model_copy(deep=True)
    if source is not None and target is not None:
        node.position = Position(
            x=(source.position.x + target.position.x) / 2,
            y=(source.position.y + target.position.y) / 2 + 80,
        )
        node.parent = target.parent
    graph.nodes.append(node)
    graph.edges[index : index + 1] = [
        Edge(source=edge.source, source_port=edge.source_port, target=node.id),
        Edge(source=node.id, target=edge.target, target_port=edge.target_port),
    ]
