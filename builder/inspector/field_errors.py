"""Inline errors: pydantic's ``loc`` and the validator's ``path`` mapped onto inspector fields.

Every message ends up under the field the form actually draws. A ``loc`` may name places the
form has no field for: a union member (``('seconds', 'constrained-float')``), an unknown key
(``extra_forbidden``), or a spot inside a free JSON value; those are attached to the nearest
drawn field, with the rest of the location spelled out in the message. Paths are written the
way ``runtime.core.load.format_location`` writes them (``cases[0].condition.conditions[1].left``),
which is also how the JSX names its fields.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from builder.inspector.field_specs import FieldSpec
from runtime.core.diagnostics import Diagnostic
from runtime.core.load import format_location
from runtime.engine.resolve import MAX_CONFIG_DEPTH, _depth_exceeds

Loc = tuple[int | str, ...]
Severity = Literal["error", "warning"]
FieldErrors = dict[str, list[dict[str, str]]]
"""Field path -> ``[{"message", "severity"}]``; the empty path holds errors about the whole form."""

GENERAL = ""

_FREE_KINDS = frozenset({"value", "json"})
"""Kinds whose value is free JSON: a location inside them is data, not a union member."""

_TOKEN = re.compile(r"\[(\d+)\]|\.?([^.\[\]]+)")


def parse_path(path: str) -> Loc:
    """``cases[0].condition`` -> ``('cases', 0, 'condition')`` (``format_location`` reversed)."""
    return tuple(int(index) if index else name for index, name in _TOKEN.findall(path))


def locate(spec: FieldSpec, loc: Sequence[int | str]) -> tuple[Loc, Loc]:
    """Split ``loc`` into the path of the deepest field the form draws, and what is left."""
    current = spec
    path: list[int | str] = []
    for i, part in enumerate(loc):
        child: FieldSpec | None = None
        if current.kind == "object" and isinstance(part, str):
            child = current.field(part)
        elif (current.kind == "list" and isinstance(part, int)) or (
            current.kind == "map" and isinstance(part, str)
        ):
            child = current.item
        if child is None:
            return tuple(path), tuple(loc[i:])
        path.append(part)
        current = child
    return tuple(path), ()


def _spec_at(spec: FieldSpec, path: Loc) -> FieldSpec:
    current = spec
    for part in path:
        child = current.field(part) if isinstance(part, str) and current.kind == "object" else None
        current = child or current.item or current
    return current


def _union_tag_type(tag: str) -> str | None:
    """The JSON type a pydantic union-member tag stands for (``constrained-float`` -> number)."""
    base = tag.removeprefix("constrained-").split("[", 1)[0]
    return {"str": "string", "int": "number", "float": "number", "bool": "boolean"}.get(base)


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "other"


def _value_at(value: Any, path: Loc) -> Any:
    for part in path:
        if isinstance(part, int) and isinstance(value, list) and -len(value) <= part < len(value):
            value = value[part]
        elif isinstance(part, str) and isinstance(value, dict):
            value = value.get(part)
        else:
            return None
    return value


def _rest_text(rest: Loc, kind: str) -> str:
    """How the undrawn part of a location reads in a message (union tags are dropped)."""
    words = []
    for part in rest:
        if isinstance(part, int):
            words.append(f"item {part + 1}")
        elif kind in _FREE_KINDS or kind in ("object", "map"):
            words.append(part)
    return ".".join(words)


class _Collector:
    def __init__(self, spec: FieldSpec) -> None:
        self.spec = spec
        self.errors: FieldErrors = {}

    def add(self, loc: Sequence[int | str], message: str, severity: Severity = "error") -> None:
        path, rest = locate(self.spec, loc)
        kind = _spec_at(self.spec, path).kind
        where = _rest_text(rest, kind)
        text = f"{where}: {message}" if where else message
        bucket = self.errors.setdefault(format_location(path), [])
        if not any(e["message"] == text for e in bucket):
            bucket.append({"message": text, "severity": severity})


def pydantic_errors(spec: FieldSpec, exc: ValidationError, value: Any) -> FieldErrors:
    """Field errors from a failed ``model_validate`` of ``value`` against the spec's model.

    For a field that is a union (``float | Expr``), pydantic reports every member's failure;
    only the members matching what was typed are kept (a number that is too big should not
    also be told it is not a string).
    """
    collector = _Collector(spec)
    by_path: dict[Loc, list[tuple[Loc, str, str]]] = {}
    for item in exc.errors(include_url=False):
        loc = tuple(item["loc"])
        path, rest = locate(spec, loc)
        message = _message(item)
        by_path.setdefault(path, []).append((rest, message, str(item.get("type", ""))))
    for path, items in by_path.items():
        typed = _json_type(_value_at(value, path))
        tagged = [
            (rest, message)
            for rest, message, _ in items
            if rest and isinstance(rest[0], str) and _union_tag_type(rest[0]) == typed
        ]
        for rest, message in tagged or [(r, m) for r, m, _ in items]:
            collector.add(path + rest, message)
    return collector.errors


def _message(item: Mapping[str, Any]) -> str:
    if item.get("type") == "extra_forbidden":
        return "is not a field of this node"
    if item.get("type") == "missing":
        return "Required"
    return str(item.get("msg", "invalid"))


def validate_model(model: type[BaseModel], spec: FieldSpec, value: Any) -> FieldErrors:
    """Validate ``value`` with ``model`` and place every error on a field; never raises."""
    if not isinstance(value, dict):
        return {GENERAL: [{"message": "must be an object", "severity": "error"}]}
    if _depth_exceeds(value, MAX_CONFIG_DEPTH):
        message = f"nested more than {MAX_CONFIG_DEPTH} levels deep"
        return {GENERAL: [{"message": message, "severity": "error"}]}
    try:
        model.model_validate(value)
    except ValidationError as exc:
        return pydantic_errors(spec, exc, value)
    except (ValueError, TypeError, RecursionError) as exc:  # a validator that raised oddly
        return {GENERAL: [{"message": str(exc)[:300], "severity": "error"}]}
    return {}


def diagnostic_errors(
    spec: FieldSpec, diagnostics: Iterable[Diagnostic], *, skip_config_invalid: bool
) -> FieldErrors:
    """Validator diagnostics about one node's config, placed on fields.

    ``skip_config_invalid``: when the config failed pydantic validation, the validator's
    ``config.invalid`` diagnostics repeat those errors (less precisely), so they are left out.
    Diagnostics about other things (ports, wiring) go to the general bucket.
    """
    collector = _Collector(spec)
    for d in diagnostics:
        if d.severity == "info" or (skip_config_invalid and d.code == "config.invalid"):
            continue
        path = d.path or ""
        if path == "config" or path.startswith("config."):
            loc = parse_path(path.removeprefix("config").removeprefix("."))
            message = _strip_location(d.message, path.removeprefix("config."))
        else:
            loc = ()
            message = d.message
        collector.add(loc, message, "warning" if d.severity == "warning" else "error")
    return collector.errors


def _strip_location(message: str, where: str) -> str:
    """``check`` messages repeat their path (``cron: bad field``); the field already says it."""
    prefix = f"{where}: "
    return message.removeprefix(prefix) if where else message


def merge(*sources: FieldErrors) -> FieldErrors:
    out: FieldErrors = {}
    for source in sources:
        for path, items in source.items():
            bucket = out.setdefault(path, [])
            bucket.extend(i for i in items if i not in bucket)
    return out


def has_errors(errors: FieldErrors) -> bool:
    return any(e["severity"] == "error" for items in errors.values() for e in items)
