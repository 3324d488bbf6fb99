"""Pinned data for "re-run from this node": the last run's outputs upstream of it.

A builder user who changed one node wants to see its effect without calling every API and LLM
upstream again. The nodes that cannot be affected by the change (neither the chosen node nor
anything downstream of it) are pinned to what they produced last time; the rest run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx

from runtime.core.graph import Graph, Node

REUSABLE = frozenset({"ok", "pinned", "disabled"})
"""Trace statuses whose outputs can stand in for a run of the node (a handled failure also
counts: its error port fired)."""


def rerun_pins(
    graph: Graph, trace: Iterable[Mapping[str, Any]], from_node: str
) -> dict[str, dict[str, Any]]:
    """Pins for the top-level nodes outside ``from_node``'s downstream cone.

    Nodes inside for-each bodies are never pinned: their outputs differ per iteration, so the
    container reruns them. ``from_node`` may be a body node; then its container reruns.
    """
    nodes: dict[str, Node] = {node.id: node for node in graph.nodes}
    if from_node not in nodes:
        raise KeyError(f"graph has no node {from_node!r}")
    start = from_node
    while nodes[start].parent is not None:  # a body node: rerun from its outermost container
        start = str(nodes[start].parent)
    flow: nx.DiGraph[str] = nx.DiGraph()
    flow.add_nodes_from(nodes)
    flow.add_edges_from((edge.source, edge.target) for edge in graph.edges)
    for node in graph.nodes:  # a body depends on its container
        if node.parent is not None:
            flow.add_edge(node.parent, node.id)
    rerun = {start} | nx.descendants(flow, start)
    pins: dict[str, dict[str, Any]] = {}
    for entry in trace:
        node_id = entry.get("node")
        if entry.get("iteration") or node_id not in nodes or node_id in rerun:
            continue
        if nodes[node_id].parent is not None:
            continue
        status = entry.get("status")
        if status in REUSABLE or (status == "failed" and entry.get("handled")):
            pins[str(node_id)] = dict(entry.get("outputs") or {})
    return pins
