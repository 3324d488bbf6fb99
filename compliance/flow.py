"""Data classes on every node and edge of a graph, as a pure function of the graph.

Each node's output labels are its type's ``labels_out`` applied to the union of what arrives on
its incoming edges and what its expressions read from other nodes (``nodes.<id>``). Edges into a
for-each's ``result`` loop back to the container, so labels are iterated to a fixed point
rather than assumed acyclic; they only ever grow, so that ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import networkx as nx

from nodes.base import Capability
from nodes.dataflow import NO_LABELS, Effects, Labels, classes_of, merge
from nodes.registry import Registry
from runtime.core.graph import Edge, Graph
from runtime.core.types import DataClass
from runtime.engine.references import node_refs
from runtime.engine.resolve import ResolvedNode
from runtime.engine.validate import Analysis, analyze

MAX_PASSES = 32


@dataclass
class Flow:
    """Labels per node (in and out) and per edge, with the NetworkX graph to find paths."""

    analysis: Analysis
    inputs: dict[str, Labels] = field(default_factory=dict)
    outputs: dict[str, Labels] = field(default_factory=dict)
    edges: dict[str, Labels] = field(default_factory=dict)
    digraph: nx.MultiDiGraph[str] = field(default_factory=nx.MultiDiGraph)
    effects: dict[str, Effects] = field(default_factory=dict)

    @property
    def graph(self) -> Graph:
        return self.analysis.graph

    @property
    def trigger(self) -> str | None:
        return self.analysis.trigger

    def resolved(self, node_id: str) -> ResolvedNode:
        return self.analysis.resolved[node_id]

    def capable(self, capability: Capability) -> Iterator[str]:
        """Ids of configured nodes with ``capability``, in file order."""
        for node_id, r in self.analysis.resolved.items():
            if r.ok and r.node_type is not None and capability in r.node_type.capabilities:
                yield node_id

    def arriving(self, node_id: str) -> frozenset[DataClass]:
        return classes_of(self.inputs.get(node_id, NO_LABELS))

    def incoming(self, node_id: str, cls: DataClass) -> list[Edge]:
        """Edges into ``node_id`` that carry ``cls``: where a redaction node would go."""
        return [
            e
            for e in self.graph.edges
            if e.target == node_id and cls in classes_of(self.edges.get(e.key, NO_LABELS))
        ]

    def origins(self, cls: DataClass) -> list[str]:
        """Nodes that bring ``cls`` into the graph (a trigger's declared field, say)."""
        return [
            n
            for n in self.analysis.resolved
            if cls in classes_of(self.outputs.get(n, NO_LABELS))
            and cls not in classes_of(self.inputs.get(n, NO_LABELS))
        ]

    def path(self, cls: DataClass, sink: str) -> tuple[str, ...]:
        """A shortest path from where ``cls`` enters to ``sink``, to show the user."""
        for origin in self.origins(cls):
            if origin != sink and nx.has_path(self.digraph, origin, sink):
                return tuple(nx.shortest_path(self.digraph, origin, sink))
        return (sink,)


def compute(analysis: Analysis) -> Flow:
    flow = Flow(analysis)
    resolved = analysis.resolved
    flow.digraph.add_nodes_from(resolved)
    ordered: nx.DiGraph[str] = nx.DiGraph()
    ordered.add_nodes_from(resolved)
    for ce in analysis.edges:
        flow.digraph.add_edge(ce.edge.source, ce.edge.target, key=ce.edge.key)
        if ce.kind != "body_in":
            ordered.add_edge(ce.edge.source, ce.edge.target)
    try:
        order = list(nx.lexicographical_topological_sort(ordered))
    except nx.NetworkXUnfeasible:  # a cycle, which validation reports; still label something
        order = list(resolved)
    reads = {n: node_refs(r.node.config) & resolved.keys() for n, r in resolved.items()}
    into: dict[str, list[Edge]] = {n: [] for n in resolved}
    for ce in analysis.edges:
        into[ce.edge.target].append(ce.edge)
    for node_id, r in resolved.items():
        if r.ok and r.node_type is not None and r.config is not None:
            flow.effects[node_id] = r.node_type.effects(r.config)
    for _ in range(MAX_PASSES):
        changed = False
        for node_id in order:
            arriving = merge(
                *(flow.outputs.get(e.source, NO_LABELS) for e in into[node_id]),
                *({"": classes_of(flow.outputs.get(ref, NO_LABELS))} for ref in reads[node_id]),
            )
            r = resolved[node_id]
            out: Labels = arriving
            if r.ok and r.node_type is not None and r.config is not None:
                out = r.node_type.labels_out(r.config, arriving)
            if arriving != flow.inputs.get(node_id) or dict(out) != flow.outputs.get(node_id):
                changed = True
            flow.inputs[node_id] = arriving
            flow.outputs[node_id] = dict(out)
        if not changed:
            break
    for ce in analysis.edges:
        flow.edges[ce.edge.key] = flow.outputs.get(ce.edge.source, NO_LABELS)
    return flow


def flow_of(graph: Graph, registry: Registry | None = None) -> Flow:
    return compute(analyze(graph, registry))
