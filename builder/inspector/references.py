"""What an expression field may read: the scope roots the executor fills, and upstream nodes.

The syntax is the executor's, not an invention of the builder: ``runtime.engine.executor`` gives
every node a scope of ``input`` (what reached it), ``nodes`` (each finished node's output by id: the
value of the port that fired), ``trigger`` (the event), ``run`` (``id``, ``graph_id``,
``started_at``) and, inside a for-each body, ``item`` and ``index``; ``runtime.core.expr`` reads it
with JMESPath inside ``{{ }}``. A node id that is not a JMESPath identifier (ids may contain
``-``) is written as a quoted identifier, ``nodes."my-node"``, which ``expr.referenced_nodes``
and the validator's reference check understand too.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

FlowNode = dict[str, Any]
FlowEdge = dict[str, Any]
Group = Literal["input", "node", "loop", "run", "sample"]

MAX_SAMPLE_PATHS = 40
MAX_SAMPLE_DEPTH = 4

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class Reference(BaseModel):
    """One thing an expression can read, and the text that reads it."""

    model_config = ConfigDict(frozen=True)

    expression: str
    """JMESPath over the scope, e.g. ``nodes.webhook_1``; the form wraps it in ``{{ }}``."""
    label: str
    detail: str = ""
    group: Group


def member(name: str) -> str:
    """A field name as JMESPath writes it: bare when it is an identifier, else quoted."""
    return name if _IDENTIFIER.fullmatch(name) else json.dumps(name)


def node_expression(node_id: str) -> str:
    return f"nodes.{member(node_id)}"


def upstream_ids(nodes: Sequence[FlowNode], edges: Sequence[FlowEdge], node_id: str) -> list[str]:
    """Nodes whose output this node can read, nearest first.

    Every node on a path into this one has finished before it runs. A for-each's body sees
    what its container saw (the container's own upstream), but the nodes *after* a for-each
    never see inside its body, so edges coming back from a body are not followed.
    """
    parents = {n["id"]: (n.get("data") or {}).get("parent") for n in nodes}
    incoming: dict[str, list[str]] = {}
    for edge in edges:
        source, target = edge.get("source"), edge.get("target")
        if isinstance(source, str) and isinstance(target, str):
            incoming.setdefault(target, []).append(source)
    found: list[str] = []
    seen = {node_id}
    queue = deque([node_id])
    while queue:
        current = queue.popleft()
        for source in incoming.get(current, []):
            if source in seen or parents.get(source) == current:
                continue  # a body result flowing back into its container
            seen.add(source)
            queue.append(source)
            # The container itself feeds its body through ``item``; it has no output yet.
            if parents.get(node_id) != source and not _encloses(parents, source, node_id):
                found.append(source)
    return found


def _encloses(parents: Mapping[str, Any], container: str, node_id: str) -> bool:
    current = parents.get(node_id)
    seen: set[str] = set()
    while isinstance(current, str) and current not in seen:
        if current == container:
            return True
        seen.add(current)
        current = parents.get(current)
    return False


def sample_paths(value: Any, prefix: str, limit: int = MAX_SAMPLE_PATHS) -> list[str]:
    """Paths into a sample value (a test run's output), shallow first: ``nodes.a.body.email``."""
    paths: list[str] = []
    queue: deque[tuple[str, Any, int]] = deque([(prefix, value, 0)])
    while queue and len(paths) < limit:
        path, current, depth = queue.popleft()
        if depth >= MAX_SAMPLE_DEPTH:
            continue
        if isinstance(current, dict):
            for key, child in current.items():
                if len(paths) >= limit:
                    break
                child_path = f"{path}.{member(str(key))}"
                paths.append(child_path)
                queue.append((child_path, child, depth + 1))
        elif isinstance(current, list) and current:
            child_path = f"{path}[0]"
            paths.append(child_path)
            queue.append((child_path, current[0], depth + 1))
    return paths


def references(
    nodes: Sequence[FlowNode],
    edges: Sequence[FlowEdge],
    node_id: str,
    samples: Mapping[str, Any] | None = None,
) -> list[Reference]:
    """Everything an expression in ``node_id``'s config can read, in the order to offer it.

    ``samples`` maps node ids to the output a test run produced; their paths are offered
    too, so a user can pick ``nodes.http_1.body.id`` rather than guess it.
    """
    by_id = {n["id"]: n for n in nodes}
    node = by_id.get(node_id)
    if node is None:
        return []
    data = node.get("data") or {}
    out: list[Reference] = []
    if data.get("inputs"):
        out.append(
            Reference(
                expression="input", label="Input", detail="what reached this node", group="input"
            )
        )
    if data.get("parent"):
        out.append(
            Reference(
                expression="item", label="Item", detail="the for-each's current item", group="loop"
            )
        )
        out.append(
            Reference(
                expression="index", label="Index", detail="its position, from 0", group="loop"
            )
        )
    for upstream in upstream_ids(nodes, edges, node_id):
        other = by_id.get(upstream)
        if other is None:
            continue
        other_data = other.get("data") or {}
        ports = [p["name"] for p in other_data.get("outputs") or [] if not p.get("body")]
        title = other_data.get("label") or other_data.get("title") or upstream
        detail = "output of the port that fired: " + ", ".join(ports) if ports else "output"
        out.append(
            Reference(
                expression=node_expression(upstream),
                label=f"{title} ({upstream})",
                detail=detail,
                group="node",
            )
        )
    for upstream, value in (samples or {}).items():
        if upstream in by_id and any(r.expression == node_expression(upstream) for r in out):
            for path in sample_paths(value, node_expression(upstream)):
                out.append(
                    Reference(
                        expression=path, label=path, detail="from the last test run", group="sample"
                    )
                )
    out.append(
        Reference(
            expression="trigger", label="Trigger event", detail="what started the run", group="run"
        )
    )
    out.append(Reference(expression="run.id", label="Run id", group="run"))
    out.append(
        Reference(
            expression="run.started_at", label="Run start time", detail="ISO 8601", group="run"
        )
    )
    return out
