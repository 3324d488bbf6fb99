"""Graph validation: structured diagnostics that point at node ids, never an exception.

Nodes live in *scopes*: the top level, or the body of a for-each container (nodes whose
``parent`` is the container). Ordinary edges stay inside one scope; a container talks to its
body only through its body ports (``item`` out, ``result`` in). That keeps every scope a DAG,
so a loop is always an explicit for-each and never an accidental cycle.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Literal

import networkx as nx

from nodes.registry import Registry, default_registry
from runtime.core.diagnostics import Diagnostic, error, warning
from runtime.core.graph import Edge, Graph
from runtime.engine.gc_pause import paused_gc
from runtime.engine.references import reference_diagnostics
from runtime.engine.resolve import ResolvedNode, resolve_node
from runtime.engine.secret_configs import credential_warnings

MAX_NODES = 20_000
MAX_EDGES = 100_000
MAX_NESTING = 16
"""For-each inside for-each: deeper than this is a mistake, and would exhaust the stack."""

EdgeKind = Literal["flow", "body_out", "body_in"]
Scope = str | None
"""``None`` is the top level; otherwise the id of the container whose body it is."""


@dataclass(slots=True)
class ClassifiedEdge:
    edge: Edge
    kind: EdgeKind


@dataclass
class Analysis:
    graph: Graph
    diagnostics: list[Diagnostic] = field(default_factory=list)
    resolved: dict[str, ResolvedNode] = field(default_factory=dict)
    edges: list[ClassifiedEdge] = field(default_factory=list)
    scopes: dict[Scope, nx.DiGraph[str]] = field(default_factory=dict)
    trigger: str | None = None

    @property
    def ok(self) -> bool:
        return not any(d.severity == "error" for d in self.diagnostics)


def validate(graph: Graph, registry: Registry | None = None) -> list[Diagnostic]:
    return analyze(graph, registry).diagnostics


def analyze(graph: Graph, registry: Registry | None = None) -> Analysis:
    """Run every check. Unexpected failures become an ``internal.error`` diagnostic."""
    analysis = Analysis(graph)
    try:
        with paused_gc():
            _Checker(analysis, registry or default_registry()).run()
    except RecursionError:
        analysis.diagnostics.append(error("graph.too_deep", "graph is nested too deeply"))
    except Exception as exc:  # a bug, but validation must still answer
        analysis.diagnostics.append(
            error("internal.error", f"validator failed: {type(exc).__name__}: {exc}"[:300])
        )
    return analysis


class _Checker:
    def __init__(self, analysis: Analysis, registry: Registry) -> None:
        self.a = analysis
        self.registry = registry
        self.out = analysis.diagnostics
        self.parent: dict[str, Scope] = {}
        self.incoming: dict[tuple[str, str], list[Edge]] = defaultdict(list)

    def run(self) -> None:
        graph = self.a.graph
        if len(graph.nodes) > MAX_NODES or len(graph.edges) > MAX_EDGES:
            self.out.append(
                error(
                    "graph.too_large",
                    f"graph has {len(graph.nodes)} nodes and {len(graph.edges)} edges;"
                    f" the limit is {MAX_NODES} nodes and {MAX_EDGES} edges",
                    hint="split it into smaller graphs",
                )
            )
            return
        self._nodes()
        self._parents()
        self._edges()
        self._inputs()
        self._scopes()
        self._triggers()
        self.out.extend(reference_diagnostics(self.a.resolved, self.parent, self.a.scopes))

    def _nodes(self) -> None:
        for node in self.a.graph.nodes:
            if node.id in self.a.resolved:
                self.out.append(
                    error("node.duplicate_id", f"node id {node.id!r} is used twice", node=node.id)
                )
                continue
            resolved, diagnostics = resolve_node(node, self.registry)
            self.a.resolved[node.id] = resolved
            self.out.extend(diagnostics)
            self.out.extend(credential_warnings(node, self.registry))
            if node.type == "flow.subgraph" and node.config.get("graph_id") == self.a.graph.id:
                why = "a graph that calls itself never ends"
                self.out.append(error("node.calls_itself", why, node=node.id, path="graph_id"))

    def _parents(self) -> None:
        for node_id, r in self.a.resolved.items():
            parent = r.node.parent
            self.parent[node_id] = parent
            if parent is None:
                continue
            container = self.a.resolved.get(parent)
            if container is None or (container.node_type and not container.node_type.container):
                what = "does not exist" if container is None else "is not a for-each container"
                self.out.append(
                    error(
                        "node.bad_parent", f"parent {parent!r} {what}", node=node_id, path="parent"
                    )
                )
                self.parent[node_id] = None
        for node_id in list(self.parent):
            seen = {node_id}
            current = self.parent[node_id]
            while current is not None:
                if current in seen:
                    self.out.append(
                        error("node.bad_parent", "parents form a loop", node=node_id, path="parent")
                    )
                    self.parent[node_id] = None
                    break
                seen.add(current)
                if len(seen) > MAX_NESTING + 1:
                    self.out.append(
                        error(
                            "foreach.too_deep",
                            f"for-each bodies are nested more than {MAX_NESTING} deep here",
                            node=node_id,
                            path="parent",
                        )
                    )
                    self.parent[node_id] = None
                    break
                current = self.parent.get(current)

    def _edge_error(self, edge: Edge, code: str, message: str, **where: Any) -> None:
        self.out.append(error(code, message, edge=edge.key, **where))

    def _edges(self) -> None:
        seen_ids: set[str] = set()
        for edge in self.a.graph.edges:
            if edge.id:
                if edge.id in seen_ids:
                    self._edge_error(
                        edge, "edge.duplicate_id", f"edge id {edge.id!r} is used twice"
                    )
                    continue
                seen_ids.add(edge.id)
            source = self.a.resolved.get(edge.source)
            target = self.a.resolved.get(edge.target)
            missing = [n for n, r in ((edge.source, source), (edge.target, target)) if r is None]
            if missing or source is None or target is None:
                self._edge_error(
                    edge,
                    "edge.dangling",
                    f"edge points at missing node {missing[0]!r}",
                    node=edge.source if source is not None else None,
                )
                continue
            kind = self._classify(edge, source, target)
            if kind is None:
                continue
            out_ports = source.body_outputs if kind == "body_out" else source.outputs
            in_ports = target.body_inputs if kind == "body_in" else target.inputs
            out_port = out_ports.get(edge.source_port)
            in_port = in_ports.get(edge.target_port)
            if out_port is None and source.ok:
                self._port_error(edge, edge.source, edge.source_port, "output", out_ports)
                continue
            if in_port is None and target.ok:
                self._port_error(edge, edge.target, edge.target_port, "input", in_ports)
                continue
            if out_port is None or in_port is None:
                # A node whose config is broken has unknown ports; its own error says why.
                self.a.edges.append(ClassifiedEdge(edge, kind))
                continue
            if not in_port.type.accepts(out_port.type):
                self._edge_error(
                    edge,
                    "edge.type_mismatch",
                    f"{edge.source}.{edge.source_port} gives {out_port.type} but"
                    f" {edge.target}.{edge.target_port} takes {in_port.type}",
                    node=edge.target,
                    port=edge.target_port,
                )
            self.incoming[(edge.target, edge.target_port)].append(edge)
            self.a.edges.append(ClassifiedEdge(edge, kind))
        for (target_id, port), edges in self.incoming.items():
            if len(edges) > 1:
                sources = ", ".join(sorted(e.source for e in edges))
                self.out.append(
                    error(
                        "edge.multiple_inputs",
                        f"input {port!r} has {len(edges)} incoming edges (from {sources})",
                        node=target_id,
                        port=port,
                        hint="combine branches with a Merge node first",
                    )
                )

    def _classify(self, edge: Edge, source: ResolvedNode, target: ResolvedNode) -> EdgeKind | None:
        s_scope, t_scope = self.parent.get(edge.source), self.parent.get(edge.target)
        if edge.source == t_scope and edge.source_port in source.body_outputs:
            return "body_out"
        if edge.target == s_scope and edge.target_port in target.body_inputs:
            return "body_in"
        if s_scope == t_scope:
            return "flow"
        self._edge_error(
            edge,
            "edge.crosses_scope",
            f"{edge.source} and {edge.target} are in different for-each bodies",
            node=edge.target,
            hint="inside a body, connect to the for-each's item/result ports",
        )
        return None

    def _port_error(
        self, edge: Edge, node: str, port: str, side: str, available: dict[str, Any]
    ) -> None:
        names = ", ".join(sorted(available)) or "none"
        self._edge_error(
            edge,
            "edge.unknown_port",
            f"{node} has no {side} port {port!r} (it has: {names})",
            node=node,
            port=port,
        )

    def _inputs(self) -> None:
        for node_id, r in self.a.resolved.items():
            if not r.ok:
                continue
            for name, port in r.inputs.items():
                if port.required and not self.incoming.get((node_id, name)):
                    self.out.append(
                        error(
                            "port.missing_input",
                            f"required input {name!r} is not connected",
                            node=node_id,
                            port=name,
                        )
                    )
            if r.node_type is not None and r.node_type.container:
                self._container(node_id, r)

    def _container(self, node_id: str, r: ResolvedNode) -> None:
        body = [n for n, p in self.parent.items() if p == node_id]
        if not body:
            self.out.append(
                warning(
                    "foreach.empty_body",
                    "the for-each has no body; it returns its items unchanged",
                    node=node_id,
                )
            )
            return
        for name in r.body_inputs:
            if not self.incoming.get((node_id, name)):
                self.out.append(
                    error(
                        "foreach.no_result",
                        f"nothing in the body is connected to the for-each's {name!r} port",
                        node=node_id,
                        port=name,
                    )
                )

    def _scopes(self) -> None:
        graphs: dict[Scope, nx.DiGraph[str]] = defaultdict(nx.DiGraph)
        for node_id, scope in self.parent.items():
            graphs[scope].add_node(node_id)
        for ce in self.a.edges:
            if ce.kind == "flow":
                graphs[self.parent[ce.edge.source]].add_edge(ce.edge.source, ce.edge.target)
        self.a.scopes = dict(graphs)
        for g in self.a.scopes.values():
            for component in nx.strongly_connected_components(g):
                if len(component) == 1:
                    (only,) = component
                    if not g.has_edge(only, only):
                        continue
                cycle = [u for u, _ in nx.find_cycle(g.subgraph(component))]
                start = cycle.index(min(cycle))  # same message whatever the file's order
                cycle = cycle[start:] + cycle[:start]
                self.out.append(
                    error(
                        "graph.cycle",
                        f"cycle: {' -> '.join([*cycle, cycle[0]])}",
                        node=cycle[0],
                        nodes=tuple(cycle),
                        hint="graphs must not loop; iterate with a For-each node instead",
                    )
                )

    def _triggers(self) -> None:
        triggers: list[str] = []
        for node_id, r in self.a.resolved.items():
            if r.node_type is None or not r.node_type.trigger:
                continue
            if self.parent[node_id] is None:
                triggers.append(node_id)
            else:
                self.out.append(
                    error(
                        "node.trigger_in_body",
                        "a trigger cannot sit in a for-each body",
                        node=node_id,
                    )
                )
        triggers.sort()
        if not triggers:
            self.out.append(
                error(
                    "graph.no_trigger",
                    "the graph has no trigger",
                    hint="add a Webhook, Manual or Schedule trigger",
                )
            )
            return
        if len(triggers) > 1:
            self.out.append(
                error(
                    "graph.multiple_triggers",
                    f"the graph has {len(triggers)} triggers: {', '.join(triggers)}",
                    node=triggers[1],
                    nodes=tuple(triggers),
                    hint="a graph has exactly one trigger; split it into several graphs",
                )
            )
            return
        trigger = self.a.trigger = triggers[0]
        self._reachability(trigger)
        self._responders(trigger)

    def _reachability(self, trigger: str) -> None:
        reach: nx.DiGraph[str] = nx.DiGraph()
        reach.add_node(trigger)
        reach.add_edges_from(
            (ce.edge.source, ce.edge.target) for ce in self.a.edges if ce.kind != "body_in"
        )
        reached = nx.descendants(reach, trigger) | {trigger}
        for node_id in self.a.resolved:
            if node_id not in reached:
                self.out.append(
                    warning(
                        "node.unreachable",
                        "no path from the trigger reaches this node; it will never run",
                        node=node_id,
                    )
                )

    def _responders(self, trigger: str) -> None:
        trigger_type = self.a.resolved[trigger].node_type
        responders = [n for n, r in self.a.resolved.items() if r.node_type and r.node_type.responds]
        for node_id in responders:
            if self.parent[node_id] is not None:
                self.out.append(
                    error(
                        "node.respond_in_body",
                        "respond cannot sit in a for-each body",
                        node=node_id,
                    )
                )
        if trigger_type is not None and trigger_type.needs_response and not responders:
            self.out.append(
                error(
                    "graph.no_respond",
                    "an HTTP-triggered graph needs a Respond node to answer the caller",
                    node=trigger,
                    hint="add a Respond node at the end of each branch",
                )
            )
