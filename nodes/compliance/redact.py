"""Mask sensitive fields and patterns before data reaches a model, a log or another company.

The compliance packs accept a redaction node on every path between sensitive data and a risky
node as the remedy, so this node both changes the data (run time) and removes the data classes
it is configured for (design time). Patterns are fixed, reviewed regular expressions chosen by
name: a user never supplies a regular expression that runs on patient data.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field

from nodes.base import NodeConfig, NodeContext, NodeType, Outputs
from nodes.dataflow import Labels, drop, without
from nodes.paths import MISSING, FieldPath, lookup, set_path
from runtime.core.guard import mask_card
from runtime.core.types import ANY, DataClass, Port

PatternName = Literal["email", "phone", "ssn", "card", "date"]
MAX_DEPTH = 64

_PATTERNS: dict[PatternName, re.Pattern[str]] = {
    "email": re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}"),
    "phone": re.compile(r"(?<!\d)\+?\d[\d ().-]{7,18}\d(?!\d)"),
    "ssn": re.compile(r"(?<!\d)\d{3}-\d{2}-\d{4}(?!\d)"),
    "card": re.compile(r"(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)"),
    "date": re.compile(r"(?<!\d)\d{4}-\d{2}-\d{2}(?!\d)|(?<!\d)\d{1,2}/\d{1,2}/\d{2,4}(?!\d)"),
}


class RedactConfig(NodeConfig):
    fields: list[FieldPath] = Field(
        default_factory=list,
        max_length=200,
        description="Dotted paths whose values are replaced by the mask, e.g. `body.patient`.",
    )
    patterns: list[PatternName] = Field(
        default_factory=list,
        description="Mask these wherever they appear in text (cards keep first 6 / last 4).",
    )
    classes: list[DataClass] = Field(
        default_factory=list,
        description="Data classes the output no longer carries anywhere (e.g. PHI).",
    )
    mask: str = Field(default="[REDACTED]", max_length=100)


class Redact(NodeType[RedactConfig]):
    type = "compliance.redact"
    title = "Redact"
    category = "compliance"
    description = "Mask sensitive fields and patterns; the output no longer carries their classes."
    icon = "shield"
    inline = True
    Config = RedactConfig
    capabilities = frozenset({"redact"})
    inputs = (Port(name="in", type=ANY),)
    outputs = (Port(name="out", type=ANY),)
    example = {"fields": ["patient.ssn"], "patterns": ["email", "card"], "classes": ["PHI"]}
    example_input = {
        "in": {"patient": {"ssn": "123-45-6789"}, "note": "mail ada@example.com, card 4111 1111"}
    }

    @classmethod
    def labels_out(cls, config: RedactConfig, labels: Labels) -> Labels:
        return without(drop(labels, config.fields), config.classes)

    async def run(self, config: RedactConfig, inputs: dict[str, Any], ctx: NodeContext) -> Outputs:
        value = inputs.get("in")
        if isinstance(value, dict):
            value = dict(value)
            for path in config.fields:
                if lookup(value, path) is not MISSING:
                    set_path(value, path, config.mask)
        elif config.fields and value is not None:
            value = config.mask  # a bare value at the root: nothing to keep
        return {"out": _mask(value, config, 0)}


def _mask(value: Any, config: RedactConfig, depth: int) -> Any:
    if not config.patterns or depth > MAX_DEPTH:
        return value
    if isinstance(value, str):
        for name in config.patterns:
            if name == "card":
                value = _PATTERNS[name].sub(lambda m: mask_card(m.group(0)), value)
            else:
                value = _PATTERNS[name].sub(config.mask, value)
        return value
    if isinstance(value, dict):
        return {k: _mask(v, config, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v, config, depth + 1) for v in value]
    return value
