"""Pure conversions between ``runtime.core.graph.Graph`` and React Flow's nodes and edges.

The canvas state holds React Flow's plain dicts (that is what travels over the websocket), but
the graph model stays the source of meaning: ports and their types come from
``runtime.engine.resolve.resolve_node``, compatibility from ``PortType.accepts`` and statuses from
``runtime.engine.validate``, so the builder never disagrees with the validator or the executor.
No Reflex import here: everything is testable as plain functions.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Any, Literal

from builder.canvas.catalog import FALLBACK_ICON, category_color
from nodes.registry import Registry, default_registry
from runtime.core.diagnostics import Diagnostic
from runtime.core.graph import Edge, Graph, Node, NodeSettings, Position
from runtime.core.types import Port
from runtime.engine.resolve import ResolvedNode, resolve_node
from runtime.engine.validate import analyze

FlowNode = dict[str, Any]
FlowEdge = dict[str, Any]
Status = Literal["valid", "error", "ok", "failed", "pinned", "skipped"]

NODE_KIND = "auterity"
"""React Flow node type name of the custom node component (``nodeTypes`` in the JSX)."""

GRID = 15
"""Snap grid in flow pixels; the canvas snaps drags to it, the server snaps drops to it."""

DROP_OFFSET = (90.0, 20.0)
"""A dropped node is centred on the cursor horizontally and hangs just below it."""


# --- graph -> flow -------------------------------------------------------------------------


def _port_dicts(ports: Iterable[Port], *, body: bool = False) -> list[dict[str, Any]]:
    return [{"name": p.name, "type": str(p.type), "label": p.title, "body": body} for p in ports]


def node_ports(resolved: ResolvedNode) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(inputs, outputs) to draw as handles: left = inputs (+ body results), right = outputs.

    A for-each's body ports are drawn too: ``item`` feeds the body (a source handle) and
    ``result`` collects it (a target handle), exactly as the validator classifies them.
    """
    inputs = _port_dicts(resolved.inputs.values()) + _port_dicts(
        resolved.body_inputs.values(), body=True
    )
    outputs = _port_dicts(resolved.outputs.values()) + _port_dicts(
        resolved.body_outputs.values(), body=True
    )
    return inputs, outputs


def node_to_flow(node: Node, registry: Registry | None = None) -> FlowNode:
    """One graph node as a React Flow node of our custom kind.

    Everything needed to get the graph node back is in ``data``.
    """
    registry = registry or default_registry()
    resolved, _ = resolve_node(node, registry)
    node_type = resolved.node_type
    inputs, outputs = node_ports(resolved)
    category = node_type.category if node_type else "unknown"
    return {
        "id": node.id,
        "type": NODE_KIND,
        "position": {"x": node.position.x, "y": node.position.y},
        "data": {
            "nodeType": node.type,
            "version": node.version,
            "title": node_type.title if node_type else node.type,
            "label": node.label,
            "icon": (node_type.icon if node_type else None) or FALLBACK_ICON,
            "category": category,
            "color": category_color(category),
            "inputs": inputs,
            "outputs": outputs,
            "config": node.config,
            "settings": node.settings.model_dump(mode="json"),
            "parent": node.parent,
            "status": "valid",
            "statusText": "",
        },
    }


def with_config_ports(flow_node: FlowNode, registry: Registry | None = None) -> FlowNode:
    """``flow_node`` with its handles redrawn from its current config.

    Some types' ports depend on their config (a switch's cases are its outputs), so an edit
    in the inspector must redraw them. While the config does not validate its ports cannot
    be known; the handles drawn last stay (with their edges) until it does.
    """
    resolved, _ = resolve_node(flow_to_node(flow_node), registry or default_registry())
    if resolved.config is None:
        return flow_node
    inputs, outputs = node_ports(resolved)
    data = flow_node.get("data") or {}
    if data.get("inputs") == inputs and data.get("outputs") == outputs:
        return flow_node
    return {**flow_node, "data": {**data, "inputs": inputs, "outputs": outputs}}


def edge_to_flow(edge: Edge) -> FlowEdge:
    return {
        "id": edge.key,
        "source": edge.source,
        "sourceHandle": edge.source_port,
        "target": edge.target,
        "targetHandle": edge.target_port,
        # The graph's own edge id, which may be empty (then ``key`` names the edge).
        "data": {"id": edge.id},
    }


def graph_to_flow(
    graph: Graph, registry: Registry | None = None
) -> tuple[list[FlowNode], list[FlowEdge]]:
    registry = registry or default_registry()
    nodes = [node_to_flow(n, registry) for n in graph.nodes]
    edges = [edge_to_flow(e) for e in graph.edges]
    return with_statuses(nodes, analyze(graph, registry).diagnostics), edges


# --- flow -> graph -------------------------------------------------------------------------


def flow_to_node(flow_node: FlowNode) -> Node:
    data = flow_node.get("data") or {}
    position = flow_node.get("position") or {}
    return Node(
        id=flow_node["id"],
        type=data["nodeType"],
        version=data.get("version", 1),
        label=data.get("label", ""),
        position=Position(x=float(position.get("x", 0.0)), y=float(position.get("y", 0.0))),
        config=data.get("config") or {},
        settings=NodeSettings.model_validate(data.get("settings") or {}),
        parent=data.get("parent"),
    )


def flow_to_edge(flow_edge: FlowEdge) -> Edge:
    return Edge(
        id=(flow_edge.get("data") or {}).get("id", ""),
        source=flow_edge["source"],
        source_port=flow_edge.get("sourceHandle") or "out",
        target=flow_edge["target"],
        target_port=flow_edge.get("targetHandle") or "in",
    )


def flow_to_graph(
    nodes: Sequence[FlowNode], edges: Sequence[FlowEdge], base: Graph | None = None
) -> Graph:
    """The canvas as a graph; ``base`` supplies everything the canvas does not show."""
    base = base or Graph()
    return base.model_copy(
        update={
            "nodes": [flow_to_node(n) for n in nodes],
            "edges": [flow_to_edge(e) for e in edges],
        }
    )


# --- statuses ------------------------------------------------------------------------------


def node_status(
    diagnostics: Sequence[Diagnostic], run_status: str | None, run_error: str | None = None
) -> tuple[Status, str]:
    """The badge of one node: validation errors first, then the last run's outcome."""
    errors = [d for d in diagnostics if d.severity == "error"]
    if errors:
        more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
        return "error", errors[0].message + more
    if run_status == "ok":
        return "ok", "ran ok"
    if run_status == "failed":
        return "failed", f"the last run failed here: {run_error}" if run_error else (
            "the last run failed here"
        )
    if run_status == "pinned":
        return "pinned", "the last run used this node's pinned data"
    if run_status == "skipped":
        return "skipped", "the last run did not reach this node"
    return "valid", ""


def with_statuses(nodes: Sequence[FlowNode], diagnostics: Sequence[Diagnostic]) -> list[FlowNode]:
    """Copies of ``nodes`` with each node's status badge set from ``diagnostics``."""
    by_node: dict[str, list[Diagnostic]] = {}
    for d in diagnostics:
        if d.node is not None:
            by_node.setdefault(d.node, []).append(d)
    out = []
    for node in nodes:
        data = dict(node.get("data") or {})
        status, text = node_status(
            by_node.get(node["id"], []), data.get("runStatus"), data.get("runError")
        )
        data["status"], data["statusText"] = status, text
        out.append({**node, "data": data})
    return out


# --- React Flow changes --------------------------------------------------------------------


def coordinate(value: Any) -> float | None:
    """A finite number from the browser, or ``None`` (NaN and Infinity are not JSON)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _size(value: Any) -> float | None:
    number = coordinate(value)
    return number if number is not None and number >= 0 else None


def apply_node_changes(nodes: Sequence[FlowNode], changes: Sequence[Any]) -> list[FlowNode]:
    """React Flow's ``applyNodeChanges`` for the changes the browser forwards.

    The browser sends position changes only when a drag ends, so every position that arrives
    here is a final one. Only position, select, dimensions and remove are applied: nodes are
    created by the server (drops, clicks, loads), never taken whole from the browser, and
    malformed changes are skipped.
    """
    by_id: dict[str, FlowNode] = {n["id"]: dict(n) for n in nodes}
    for change in changes:
        if not isinstance(change, dict):
            continue
        node_id = change.get("id")
        node = by_id.get(node_id) if isinstance(node_id, str) else None
        if node is None:
            continue
        kind = change.get("type")
        if kind == "position":
            position = change.get("position")
            if isinstance(position, dict):
                x, y = coordinate(position.get("x")), coordinate(position.get("y"))
                if x is not None and y is not None:
                    node["position"] = {"x": x, "y": y}
            node.pop("dragging", None)
        elif kind == "select":
            node["selected"] = change.get("selected") is True
        elif kind == "dimensions":
            dims = change.get("dimensions")
            if isinstance(dims, dict):
                width, height = _size(dims.get("width")), _size(dims.get("height"))
                if width is not None and height is not None:
                    node["measured"] = {"width": width, "height": height}
        elif kind == "remove":
            del by_id[node["id"]]
    return [by_id[n["id"]] for n in nodes if n["id"] in by_id]


def selection_number(changes: Sequence[Any]) -> int | None:
    """The number the browser gave this batch's select changes, if it has any.

    The browser keeps its own selection until the server's acknowledged number catches up
    with the last it sent (``auterity_flow.jsx``), so a late answer cannot undo a newer click.
    """
    for change in changes:
        if isinstance(change, dict) and change.get("type") == "select":
            seq = change.get("seq")
            if isinstance(seq, int) and not isinstance(seq, bool) and seq >= 0:
                return seq
    return None


def apply_edge_changes(edges: Sequence[FlowEdge], changes: Sequence[Any]) -> list[FlowEdge]:
    """React Flow's ``applyEdgeChanges``: selection and removal (adds go through ``connect``)."""
    by_id: dict[str, FlowEdge] = {e["id"]: dict(e) for e in edges}
    for change in changes:
        if not isinstance(change, dict) or not isinstance(change.get("id"), str):
            continue
        edge = by_id.get(change["id"])
        if edge is None:
            continue
        if change.get("type") == "select":
            edge["selected"] = change.get("selected") is True
        elif change.get("type") == "remove":
            del by_id[edge["id"]]
    return [by_id[e["id"]] for e in edges if e["id"] in by_id]


def has_removal(changes: Sequence[Any]) -> bool:
    """Whether any change removes something (then edges and statuses need another look)."""
    return any(isinstance(c, dict) and c.get("type") == "remove" for c in changes)


def drop_dangling(nodes: Sequence[FlowNode], edges: Sequence[FlowEdge]) -> list[FlowEdge]:
    """Edges whose both ends still exist (after nodes were removed)."""
    ids = {n["id"] for n in nodes}
    return [e for e in edges if e["source"] in ids and e["target"] in ids]


# --- adding nodes and edges ----------------------------------------------------------------


def snap(value: float) -> float:
    return float(round(value / GRID) * GRID)


def new_node_id(node_type: str, taken: Iterable[str]) -> str:
    """A readable id from the type's last segment: ``webhook_1``, ``set_2``..."""
    stem = re.sub(r"[^A-Za-z0-9_]", "_", node_type.rsplit(".", 1)[-1]) or "node"
    if not re.match(r"[A-Za-z_]", stem):
        stem = f"n_{stem}"
    stem = stem[:56]
    used = set(taken)
    n = 1
    while f"{stem}_{n}" in used:
        n += 1
    return f"{stem}_{n}"


def new_flow_node(
    node_type: str,
    x: float,
    y: float,
    taken: Iterable[str],
    registry: Registry | None = None,
) -> FlowNode:
    """A node of ``node_type`` at a snapped position, configured with the type's example.

    The example config shows the node's real ports (some depend on config) and makes it
    runnable right away where the example is complete.
    """
    registry = registry or default_registry()
    cls = registry.get(node_type)
    if cls is None:
        raise KeyError(f"unknown node type {node_type!r}")
    node = Node(
        id=new_node_id(node_type, taken),
        type=cls.type,
        version=cls.version,
        position=Position(x=snap(x), y=snap(y)),
        config=dict(cls.example),
    )
    return node_to_flow(node, registry)


def connection_refusal(
    nodes: Sequence[FlowNode],
    edges: Sequence[FlowEdge],
    connection: dict[str, Any],
    registry: Registry | None = None,
) -> str | None:
    """Why ``connection`` may not become an edge, or ``None`` when it may.

    Types are checked with ``PortType.accepts`` on the ports ``resolve_node`` gives, the same
    call the validator makes, so a connection the canvas accepts never fails validation for
    its types.
    """
    registry = registry or default_registry()
    by_id = {n["id"]: n for n in nodes}
    source_id, source_port, target_id, target_port = endpoints(connection)
    source = by_id.get(source_id)
    target = by_id.get(target_id)
    if source is None or target is None:
        return "Both ends of a connection must be nodes on this canvas."
    src_name = _describe(source)
    tgt_name = _describe(target)
    if source["id"] == target["id"]:
        return f"{src_name} cannot feed itself."
    src_resolved, _ = resolve_node(flow_to_node(source), registry)
    tgt_resolved, _ = resolve_node(flow_to_node(target), registry)
    out_port = src_resolved.outputs.get(source_port) or src_resolved.body_outputs.get(source_port)
    in_port = tgt_resolved.inputs.get(target_port) or tgt_resolved.body_inputs.get(target_port)
    if out_port is None:
        return f"{src_name} has no output port '{source_port}'."
    if in_port is None:
        return f"{tgt_name} has no input port '{target_port}'."
    if not in_port.type.accepts(out_port.type):
        return (
            f"Cannot connect {src_name} output '{source_port}' ({out_port.type}) to "
            f"{tgt_name} input '{target_port}' ({in_port.type}): "
            f"{in_port.type} does not accept {out_port.type}."
        )
    for edge in edges:
        if edge["target"] == target["id"] and (edge.get("targetHandle") or "in") == target_port:
            if edge["source"] == source["id"] and edge.get("sourceHandle") == source_port:
                return f"{src_name} output '{source_port}' is already connected there."
            return (
                f"{tgt_name} input '{target_port}' already has a connection (from "
                f"{edge['source']}); combine branches with a Merge node first."
            )
    return None


def endpoints(connection: dict[str, Any]) -> tuple[str, str, str, str]:
    """``(source, source port, target, target port)`` of a React Flow connection.

    Anything that is not a string becomes empty (and so matches no node or port); a missing
    handle means the default port, as in the graph format.
    """

    def text(key: str, default: str = "") -> str:
        value = connection.get(key)
        return value if isinstance(value, str) and value else default

    return text("source"), text("sourceHandle", "out"), text("target"), text("targetHandle", "in")


def connection_edge(connection: dict[str, Any]) -> FlowEdge:
    """The edge for a connection that ``connection_refusal`` accepted."""
    source, source_port, target, target_port = endpoints(connection)
    return edge_to_flow(
        Edge(source=source, source_port=source_port, target=target, target_port=target_port)
    )


def _describe(node: FlowNode) -> str:
    data = node.get("data") or {}
    return f"{data.get('title') or data.get('nodeType') or 'node'} ({node['id']})"
