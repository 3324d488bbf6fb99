"""Validation results where the user looks: on nodes, on edges and in the problems list.

``runtime.engine.validate`` names a node, an edge, a port or a set of nodes for each diagnostic;
this module turns one validation run into three views of it: each node's badge and messages, each
edge's highlight and tooltip, and the rows of the problems list (errors first). Pure
functions, no Reflex.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from builder.canvas import flow
from builder.inspector import json_drafts
from nodes.registry import Registry, default_registry
from runtime.core.diagnostics import Diagnostic
from runtime.engine.validate import analyze

Problem = dict[str, str]
"""One row of the problems list: ``severity``, ``node`` (id or ""), ``title``, ``message``,
``hint`` and ``rule`` (a compliance rule's id, or "")."""

COMPLIANCE_PREFIX = "compliance."
"""The code of a compliance finding: ``compliance.<RULE>`` (``compliance.check``)."""

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
EDGE_DECORATIONS = ("diagnostics", "severity")


def _brief(d: Diagnostic) -> dict[str, str]:
    return {"severity": d.severity, "message": d.message, "hint": d.hint}


def by_node(diagnostics: Sequence[Diagnostic]) -> dict[str, list[Diagnostic]]:
    """Diagnostics per node id: the node they name and every node of a cycle or trigger set."""
    out: dict[str, list[Diagnostic]] = defaultdict(list)
    for d in diagnostics:
        for node_id in dict.fromkeys([*([d.node] if d.node else []), *d.nodes]):
            out[node_id].append(d)
    return out


def by_edge(
    edges: Sequence[flow.FlowEdge], diagnostics: Sequence[Diagnostic]
) -> dict[str, list[Diagnostic]]:
    """Diagnostics per edge id.

    An edge diagnostic names its edge; one about a node's input port (too many incoming
    edges) concerns the edges into that port; a cycle concerns the edges that close it.
    """
    out: dict[str, list[Diagnostic]] = defaultdict(list)
    into: dict[tuple[str, str], list[str]] = defaultdict(list)
    between: dict[tuple[str, str], list[str]] = defaultdict(list)
    for e in edges:
        into[(e["target"], e.get("targetHandle") or "in")].append(e["id"])
        between[(e["source"], e["target"])].append(e["id"])
    ids = {e["id"] for e in edges}
    for d in diagnostics:
        if d.edge is not None:
            if d.edge in ids:
                out[d.edge].append(d)
        elif d.node is not None and d.port is not None:
            for edge_id in into.get((d.node, d.port), []):
                out[edge_id].append(d)
        elif d.code == "graph.cycle" and len(d.nodes) > 1:
            ring = [*d.nodes, d.nodes[0]]
            for source, target in pairwise(ring):
                for edge_id in between.get((source, target), []):
                    out[edge_id].append(d)
    return out


def worst(diagnostics: Sequence[Diagnostic]) -> str:
    return min((d.severity for d in diagnostics), key=SEVERITY_ORDER.__getitem__, default="")


def decorate_nodes(
    nodes: Sequence[flow.FlowNode], diagnostics: Sequence[Diagnostic]
) -> list[flow.FlowNode]:
    """Badges (errors, then the last run, then warnings) and every message, on each node."""
    per_node = by_node(diagnostics)
    out = []
    for node in flow.with_statuses(nodes, diagnostics):
        mine = sorted(per_node.get(node["id"], []), key=lambda d: SEVERITY_ORDER[d.severity])
        data = dict(node["data"])
        data["diagnostics"] = [_brief(d) for d in mine]
        if mine:
            if data["status"] == "valid":
                data["status"] = "warning"
            data["statusText"] = "\n".join(d.message for d in mine)
        out.append({**node, "data": data})
    return out


def decorate_edges(
    edges: Sequence[flow.FlowEdge], diagnostics: Sequence[Diagnostic]
) -> list[flow.FlowEdge]:
    """Edges carrying their diagnostics and worst severity in ``data`` (the JSX colours them)."""
    per_edge = by_edge(edges, diagnostics)
    out = []
    for edge in edges:
        data = {k: v for k, v in (edge.get("data") or {}).items() if k not in EDGE_DECORATIONS}
        mine = per_edge.get(edge["id"], [])
        if mine:
            data["diagnostics"] = [_brief(d) for d in mine]
            data["severity"] = worst(mine)
        out.append({**edge, "data": data})
    return out


def problem_list(
    nodes: Sequence[flow.FlowNode], diagnostics: Sequence[Diagnostic]
) -> list[Problem]:
    """Rows for the problems list: errors, then warnings, then notes, each in validator order."""
    titles = {n["id"]: _title(n) for n in nodes}
    rows = []
    for d in sorted(diagnostics, key=lambda d: SEVERITY_ORDER[d.severity]):
        node_id = d.node if d.node in titles else ""
        rows.append(
            {
                "severity": d.severity,
                "node": node_id or "",
                "title": titles[node_id] if node_id else "Graph",
                "message": d.message,
                "hint": d.hint,
                "rule": d.code.removeprefix(COMPLIANCE_PREFIX) if is_compliance(d) else "",
            }
        )
    return rows


def is_compliance(d: Diagnostic) -> bool:
    return d.code.startswith(COMPLIANCE_PREFIX)


def _title(node: flow.FlowNode) -> str:
    data: dict[str, Any] = node.get("data") or {}
    name = data.get("label") or data.get("title") or data.get("nodeType") or "Node"
    return f"{name} ({node['id']})"


def diagnose(
    nodes: Sequence[flow.FlowNode],
    edges: Sequence[flow.FlowEdge],
    registry: Registry | None = None,
    extra: Sequence[Diagnostic] = (),
) -> tuple[list[flow.FlowNode], list[flow.FlowEdge], list[Problem]]:
    """Validate the canvas once; return its nodes and edges decorated, and the problem rows.

    An empty canvas has nothing to report yet (not even its missing trigger). ``extra``:
    diagnostics found elsewhere (the service's compliance findings), shown with the
    validator's while the nodes they name are on the canvas.
    """
    if not nodes:
        return [], decorate_edges(edges, []), []
    graph = flow.flow_to_graph(nodes, edges)
    diagnostics = analyze(graph, registry or default_registry()).diagnostics
    diagnostics += json_drafts.diagnostics(nodes)
    ids = {n["id"] for n in nodes}
    diagnostics += [d for d in extra if d.node is None or d.node in ids]
    return (
        decorate_nodes(nodes, diagnostics),
        decorate_edges(edges, diagnostics),
        problem_list(nodes, diagnostics),
    )
