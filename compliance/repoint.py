"""A fix for data that reaches a node through an expression rather than an edge.

``{{ nodes.hook.body.message }}`` reads the trigger's raw output wherever the node sits, so a
Redact node on the edges cannot stop it. When a redaction node already takes that node's
output and runs before the reader, the mechanical fix is to read its (masked) copy instead:
the same path under the redaction node's id.
"""

from __future__ import annotations

import re
from typing import Any

import networkx as nx

from compliance.flow import Flow
from compliance.patch import GraphPatch, SetConfig
from nodes.dataflow import NO_LABELS, classes_of
from runtime.core.types import DataClass
from runtime.engine.references import node_refs


def _redacted_copy(flow: Flow, source: str, reader: str, cls: DataClass) -> str | None:
    """A redaction node fed straight from ``source``, letting no ``cls`` through.

    It must run before ``reader``, so that ``nodes.<it>`` is set when the reader renders.
    """
    for edge in flow.graph.edges:
        if edge.source != source or edge.source_port != "out" or edge.target == reader:
            continue
        resolved = flow.analysis.resolved.get(edge.target)
        node_type = resolved.node_type if resolved is not None else None
        if node_type is None or "redact" not in node_type.capabilities:
            continue
        if cls in classes_of(flow.outputs.get(edge.target, NO_LABELS)):
            continue
        if nx.has_path(flow.digraph, edge.target, reader):
            return edge.target
    return None


def _rewrite(value: Any, mapping: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: _rewrite(v, mapping) for k, v in value.items()}
    if isinstance(value, list):
        return [_rewrite(v, mapping) for v in value]
    if not isinstance(value, str) or "{{" not in value:
        return value
    names = "|".join(re.escape(n) for n in sorted(mapping, key=len, reverse=True))
    pattern = re.compile(rf'(?<![\w.$])nodes\.(?:"({names})"|({names})(?![\w-]))')

    def swap(match: re.Match[str]) -> str:
        quoted, bare = match.group(1), match.group(2)
        return f'nodes."{mapping[quoted]}"' if quoted else f"nodes.{mapping[bare]}"

    return pattern.sub(swap, value)


def repoint_fix(flow: Flow, node_id: str, cls: DataClass, why: str) -> GraphPatch | None:
    """Point ``node_id``'s expressions that read ``cls`` at an existing redacted copy."""
    node = flow.graph.node(node_id)
    if node is None:
        return None
    refs = node_refs(node.config) & flow.analysis.resolved.keys()
    leaking = sorted(r for r in refs if cls in classes_of(flow.outputs.get(r, NO_LABELS)))
    mapping: dict[str, str] = {}
    for ref in leaking:
        copy = _redacted_copy(flow, ref, node_id, cls)
        if copy is None:
            return None
        mapping[ref] = copy
    if not mapping:
        return None
    operations: list[SetConfig] = []
    for field, value in node.config.items():
        rewritten = _rewrite(value, mapping)
        if rewritten != value:
            operations.append(SetConfig(node=node_id, field=field, value=rewritten))
    if not operations:
        return None
    reads = ", ".join(f"{copy} instead of {ref}" for ref, copy in mapping.items())
    return GraphPatch(
        description=f"make {node_id} read the redacted output ({reads}) ({why})",
        operations=list(operations),
    )
