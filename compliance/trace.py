"""What a run's record may keep: data classes per node, and SAD masked before storage.

PCI-DSS forbids storing sensitive authentication data (CVV, PIN, track data) after
authorization, and a run trace is storage. So before a run is recorded, every value the graph's
data flow labels SAD, in each node's inputs and outputs and in the run's output, is replaced by
a mask; so is any field named like a card security code (``runtime.core.guard``), which catches SAD
nobody declared. Card numbers (PAN) are cut to their first 6 and last 4 digits wherever they
appear, declared or not: a run trace is shown in the builder and kept in the table, and PCI-DSS
allows no more of a PAN to be shown, nor the whole of one to be stored unprotected. The labels
are computed once per graph version (``RunLabels.of``) and also tell the audit trail which
data classes a run touched (names only, never values).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from pydantic_core import PydanticSerializationError, to_json

from compliance.flow import flow_of
from nodes.dataflow import NO_LABELS, Labels, classes_of
from nodes.registry import Registry
from runtime.core.graph import Graph
from runtime.core.guard import DIGIT_RUN, SECURITY_CODE_KEYS, mask_card_numbers
from runtime.core.types import DataClass

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

    @cached_property
    def holds_sad(self) -> bool:
        """Whether the data flow labels anything SAD (once per graph version: it is cached)."""
        return any(
            DataClass.SAD in classes
            for side in (self.inputs, self.outputs)
            for labels in side.values()
            for classes in labels.values()
        )

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


_CODE_KEYS_JSON = tuple(f'"{key}"'.encode() for key in sorted(SECURITY_CODE_KEYS))
_DIGIT_RUN_JSON = re.compile(DIGIT_RUN.pattern.encode())
"""``runtime.core.guard``'s digit run, over the JSON's bytes."""


def may_need_masking(value: Any) -> bool:
    """Whether ``value`` might hold a security-code field or a card number.

    A few C-speed passes over its JSON (pydantic-core's serializer: a quarter of
    ``json.dumps``'s time). A run of 13-19 digits may be a card number. Lowered, with ``-`` as
    ``_``, every key that ``_is_code_key`` accepts shows up as one of ``_CODE_KEYS_JSON`` (the
    keys are ASCII without ``k``, so no non-ASCII character lowers into one, and bytes.lower()
    leaves non-ASCII alone). A string value that merely looks like such a key, or a long
    number that is no card, is a false alarm, which only costs the walk.
    """
    try:
        text = to_json(value, fallback=str)
    except PydanticSerializationError:  # e.g. a lone surrogate, which UTF-8 cannot hold
        text = json.dumps(value, default=str).encode()
    if _DIGIT_RUN_JSON.search(text):
        return True
    text = text.lower().replace(b"-", b"_")
    return any(key in text for key in _CODE_KEYS_JSON)


@lru_cache(maxsize=4096)
def _is_code_key(key: str) -> bool:
    return key.lower().replace("-", "_") in SECURITY_CODE_KEYS


class Masker:
    """Masks security-code fields and cuts card numbers, copying only what changes.

    A run's trace holds the same objects many times over (a node's input is the output of
    the node before it), and most hold no security code at all: an unchanged object is
    returned as it is, and an object already seen is answered from the memo. The memo keeps
    each object it saw alive, so no id is reused while it is in use.
    """

    def __init__(self) -> None:
        self._seen: dict[int, tuple[Any, Any]] = {}

    def mask(self, value: Any, depth: int = 0) -> Any:
        if isinstance(value, str):
            return mask_card_numbers(value) if len(value) >= 13 else value
        if isinstance(value, int) and value >= 10**12 and not isinstance(value, bool):
            masked = mask_card_numbers(str(value))
            return value if masked.isdigit() else masked
        if depth > MAX_DEPTH or not isinstance(value, dict | list):
            return value
        hit = self._seen.get(id(value))
        if hit is not None:
            return hit[1]
        changed = False
        result: Any
        if isinstance(value, dict):
            result = {}
            for k, v in value.items():
                if isinstance(k, str) and _is_code_key(k) and v not in (None, ""):
                    result[k], changed = MASK, True
                else:
                    result[k] = masked = self.mask(v, depth + 1)
                    changed = changed or masked is not v
        else:
            result = [self.mask(v, depth + 1) for v in value]
            changed = any(m is not v for m, v in zip(result, value, strict=True))
        if not changed:
            result = value
        self._seen[id(value)] = (value, result)
        return result


def mask_value(value: Any, labels: Labels, masker: Masker | None = None) -> Any:
    """``value`` with every SAD-labelled path and security-code field masked, card numbers cut.

    Without a ``masker`` (a single value, not a whole trace), a value with nothing to mask is
    returned at the cost of one JSON pass, not a walk.
    """
    paths = _sad_paths(labels)
    if masker is None:
        if not paths and not may_need_masking(value):
            return value
        masker = Masker()
    for path in paths:
        value = _mask_path(value, path.split(".") if path else [])
    return masker.mask(value)


def mask_trace(
    trace: list[dict[str, Any]], labels: RunLabels, masker: Masker | None = None
) -> list[dict[str, Any]]:
    """Trace entries (``NodeTrace`` dumps), SAD masked and card numbers cut in each port."""
    masker = masker or Masker()
    if not labels.holds_sad and not may_need_masking(trace):
        return trace  # the common case: nothing to mask, and no walk over every value
    out = []
    for entry in trace:
        node = str(entry.get("node", ""))
        inputs = labels.inputs.get(node, NO_LABELS)
        outputs = labels.outputs.get(node, NO_LABELS)
        masked = dict(entry)
        masked["inputs"] = {
            p: mask_value(v, inputs, masker) for p, v in entry.get("inputs", {}).items()
        }
        masked["outputs"] = {
            p: mask_value(v, outputs, masker) for p, v in entry.get("outputs", {}).items()
        }
        out.append(masked)
    return out
