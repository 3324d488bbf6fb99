"""What a run's record may keep: data classes per node, and SAD masked before storage.

PCI-DSS forbids storing sensitive authentication data (CVV, PIN, track data) after
authorization, and a run trace is storage. So before a run is recorded, every value the graph's
data flow labels SAD, in each node's inputs and outputs and in the run's output, is replaced by
a mask; so is any field named like a card security code (``runtime.guard``), which catches SAD
nobody declared. The labels are computed once per graph version (``RunLabels.of``) and also
tell the audit trail which data classes a run touched (names only, never values).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from compliance.flow import flow_of
from nodes.dataflow import NO_LABELS, Labels, classes_of
from nodes.registry import Registry
from runtime.graph import Graph
from runtime.guard import SECURITY_CODE_KEYS
from runtime.types import DataClass

MASK = "[SAD removed]"
MAX_DEPTH = 64


@dataclass(frozen=True)
class RunLabels:
    """Per node: the labels of what arrives and of what it outputs."""

    inputs: dict[str, Labels] = field(default_factory=dict)
    outputs: dict[str, Labels] = field(default_factory=dict)

    @classmethod
    def of(cls, graph: Graph, registry: Registry | None = None) -> RunLabels:
        if not _declares_classes(graph):
            return cls()  # nothing declared: skip the analysis
        flow = flow_of(graph, registry)
        return cls(dict(flow.inputs), dict(flow.outputs))

    def touching(self, nodes: Iterable[str], classes: Iterable[str]) -> dict[str, list[str]]:
        """Of ``nodes``, those that read or wrote any of ``classes``: node -> class names."""
        wanted = set(classes)
        found: dict[str, list[str]] = {}
        for node in nodes:
            mine = classes_of(self.inputs.get(node, NO_LABELS))
            mine |= classes_of(self.outputs.get(node, NO_LABELS))
            hits: list[str] = sorted(str(c.value) for c in mine if c.value in wanted)
            if hits:
                found[node] = hits
        return found

    def touched(self, nodes: Iterable[str]) -> list[str]:
        """The classes (names, sorted) that reached or left any of ``nodes``."""
        found: set[DataClass] = set()
        for node in nodes:
            found |= classes_of(self.inputs.get(node, NO_LABELS))
            found |= classes_of(self.outputs.get(node, NO_LABELS))
        return sorted(c.value for c in found)


def _declares_classes(graph: Graph) -> bool:
    """Whether any node config mentions data classes (cheap: no flow analysis)."""
    stack: list[Any] = [n.config for n in graph.nodes]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            if current.get("classes"):
                return True
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
    return False


def _sad_paths(labels: Labels) -> list[str]:
    return [path for path, classes in labels.items() if DataClass.SAD in classes]


def _mask_path(value: Any, parts: list[str]) -> Any:
    if not parts:
        return MASK
    if isinstance(value, list):
        return [_mask_path(v, parts) for v in value]
    if isinstance(value, dict) and parts[0] in value:
        return {**value, parts[0]: _mask_path(value[parts[0]], parts[1:])}
    return value


def _mask_codes(value: Any, depth: int = 0) -> Any:
    if depth > MAX_DEPTH:
        return value
    if isinstance(value, dict):
        return {
            k: (
                MASK
                if str(k).lower().replace("-", "_") in SECURITY_CODE_KEYS and v not in (None, "")
                else _mask_codes(v, depth + 1)
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_mask_codes(v, depth + 1) for v in value]
    return value


def mask_value(value: Any, labels: Labels) -> Any:
    """``value`` with every SAD-labelled path and every security-code field masked."""
    for path in _sad_paths(labels):
        value = _mask_path(value, path.split(".") if path else [])
    return _mask_codes(value)


def mask_trace(trace: list[dict[str, Any]], labels: RunLabels) -> list[dict[str, Any]]:
    """Trace entries (``NodeTrace`` dumps) with SAD masked in each port's value."""
    out = []
    for entry in trace:
        node = str(entry.get("node", ""))
        inputs = labels.inputs.get(node, NO_LABELS)
        outputs = labels.outputs.get(node, NO_LABELS)
        masked = dict(entry)
        masked["inputs"] = {p: mask_value(v, inputs) for p, v in entry.get("inputs", {}).items()}
        masked["outputs"] = {p: mask_value(v, outputs) for p, v in entry.get("outputs", {}).items()}
        out.append(masked)
    return out
