"""Compiler: a valid graph becomes an execution ``Plan`` (and, via ``engine.bundle``, a zip).

NetworkX is used here and in ``runtime.engine.validate`` only; the plan it produces is plain data,
so the executor and the Lambda bundle need no graph library at run time.
"""

from __future__ import annotations

from collections import defaultdict

import networkx as nx

from nodes.registry import Registry, default_registry
from runtime.core.canonical import graph_hash
from runtime.core.errors import CompileError
from runtime.core.graph import Graph
from runtime.core.types import ERROR_PORT
from runtime.engine.gc_pause import paused_gc
from runtime.engine.plan import Plan, ScopePlan, Step, Wire
from runtime.engine.validate import Analysis, analyze


def _scope_plan(g: nx.DiGraph[str]) -> ScopePlan:
    levels = [sorted(level) for level in nx.topological_generations(g)]
    return ScopePlan(order=[n for level in levels for n in level], levels=levels)


def build_plan(graph: Graph, registry: Registry | None = None) -> Plan:
    """Validate and plan, or raise ``CompileError`` carrying every diagnostic."""
    analysis = analyze(graph, registry or default_registry())
    if not analysis.ok or analysis.trigger is None:
        raise CompileError(analysis.diagnostics)
    return plan_from_analysis(analysis)


def plan_from_analysis(analysis: Analysis) -> Plan:
    with paused_gc():
        return _plan(analysis)


def _plan(analysis: Analysis) -> Plan:
    graph = analysis.graph
    inputs: dict[str, list[Wire]] = defaultdict(list)
    branches: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    results: dict[str, list[Wire]] = defaultdict(list)
    for ce in analysis.edges:
        e = ce.edge
        wire = Wire(
            source=e.source, source_port=e.source_port, target=e.target, target_port=e.target_port
        )
        if ce.kind == "body_in":
            results[e.target].append(wire)
            continue
        inputs[e.target].append(wire)
        branches[e.source][e.source_port].append(e.target)
    steps: dict[str, Step] = {}
    for node in graph.nodes:
        resolved = analysis.resolved[node.id]
        assert resolved.config is not None
        steps[node.id] = Step(
            node=node.id,
            type=node.type,
            version=node.version,
            label=node.label,
            config=resolved.config.model_dump(mode="json", by_alias=True, exclude_unset=True),
            settings=node.settings,
            scope=node.parent,
            inputs=inputs.get(node.id, []),
            branches={port: sorted(ts) for port, ts in sorted(branches[node.id].items())},
            handles_errors=ERROR_PORT in branches[node.id],
        )
    bodies: dict[str, ScopePlan] = {}
    for scope, g in sorted(analysis.scopes.items(), key=lambda kv: kv[0] or ""):
        if scope is None:
            continue
        body = _scope_plan(g)
        body.results = results.get(scope, [])
        bodies[scope] = body
    containers = [
        n.id
        for n in graph.nodes
        if (t := analysis.resolved[n.id].node_type) is not None and t.container
    ]
    for container in containers:
        bodies.setdefault(container, ScopePlan(results=results.get(container, [])))
    responders = [
        n.id
        for n in graph.nodes
        if (t := analysis.resolved[n.id].node_type) is not None and t.responds
    ]
    assert analysis.trigger is not None
    return Plan(
        graph_id=graph.id,
        graph_name=graph.name,
        graph_hash=graph_hash(graph),
        trigger=analysis.trigger,
        responders=responders,
        steps=steps,
        root=_scope_plan(analysis.scopes.get(None, nx.DiGraph())),
        bodies=bodies,
    )
