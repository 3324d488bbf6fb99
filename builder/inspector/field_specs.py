"""Form specs: a node type's JSON Schema turned into the tree of fields the inspector draws.

The browser never interprets JSON Schema itself. ``$ref``, ``anyOf`` with ``null``, enum
typing, secrets and expression markers are resolved here, once, into a small closed set of
field kinds; the inspector's JSX only draws them. Keeping the reading of schemas in Python
means it is unit-tested against every registered node type, and the same spec drives secret
masking (``secret_fields``) and error placement (``field_errors``).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from nodes.base import ExpressionKind
from nodes.registry import AnyNodeType
from runtime.core.graph import Node, NodeSettings

FieldKind = Literal[
    "text",
    "textarea",
    "secret",
    "number",
    "integer",
    "enum",
    "boolean",
    "multiselect",
    "list",
    "object",
    "map",
    "value",
    "json",
]

MAX_DEPTH = 12
"""Recursive schemas (a plug-in's tree type) stop here and fall back to a JSON editor."""

MULTILINE_KEYS = frozenset({"template", "notes", "body", "prompt", "message", "text", "script"})
"""Field names that hold prose or documents; nothing in the schemas says so yet."""

ACRONYMS = {"url": "URL", "id": "ID", "json": "JSON", "http": "HTTP", "api": "API", "ip": "IP"}


class Option(BaseModel):
    """One choice of an enum: the JSON value, and what the select shows for it."""

    model_config = ConfigDict(frozen=True)

    label: str
    value: Any


class FieldSpec(BaseModel):
    """One field of the form; containers (object, list, map) hold their children's specs."""

    model_config = ConfigDict(frozen=True, alias_generator=to_camel, populate_by_name=True)

    kind: FieldKind
    key: str = ""
    """Property name; empty for list items and map values."""
    title: str = ""
    description: str = ""
    required: bool = False
    nullable: bool = False
    """``X | None``: the form offers a clear "not set" state."""
    has_default: bool = False
    default: Any = None
    expression: ExpressionKind | None = None
    allow_text: bool = False
    """A number that may also be written as an expression (``float | Expr``)."""
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: float | None = None
    exclusive_maximum: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    min_items: int | None = None
    max_items: int | None = None
    options: tuple[Option, ...] = ()
    fields: tuple[FieldSpec, ...] = ()
    """An object's properties, in schema order."""
    item: FieldSpec | None = None
    """A list's item, or a map's value."""
    blank: Any = None
    """The value a new list item (or a field being set from "not set") starts with."""

    def field(self, key: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.key == key), None)

    def to_js(self) -> dict[str, Any]:
        """The JSON the inspector's JSX receives (camelCase keys, no empty members)."""
        return self.model_dump(by_alias=True, exclude_defaults=True, mode="json") | {
            "kind": self.kind
        }


def humanize(key: str) -> str:
    """``fail_on_status`` -> ``Fail on status``, ``url`` -> ``URL``."""
    words = [w for w in re.split(r"[_\s]+", key) if w]
    if not words:
        return key
    out = [ACRONYMS.get(w.lower(), w.lower()) for w in words]
    first = out[0]
    out[0] = first if first.isupper() else first[:1].upper() + first[1:]
    return " ".join(out)


def _title(key: str, own: dict[str, Any], resolved: dict[str, Any]) -> str:
    """A field's label: an explicit title, else its key in words, else its model's name.

    Pydantic's automatic titles (``Fail On Status``) read badly and are replaced; a referenced
    model's class name (``RetryPolicy``) only names list items, which have no key.
    """
    title = own.get("title")
    if isinstance(title, str) and title and title != key.replace("_", " ").title():
        return title
    if key:
        return humanize(key)
    model = resolved.get("title")
    return humanize(re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", model)) if isinstance(model, str) else ""


class _Reader:
    """Walks one schema with its ``$defs``."""

    def __init__(self, root: dict[str, Any]) -> None:
        self.defs: dict[str, Any] = dict(root.get("$defs") or {})

    def resolve(self, schema: Any) -> dict[str, Any]:
        """Follow ``$ref`` (and a lone ``allOf``), keeping the referring schema's own keys."""
        if not isinstance(schema, dict):
            return {}
        seen: set[str] = set()
        current = dict(schema)
        while True:
            ref = current.get("$ref")
            all_of = current.get("allOf")
            if isinstance(ref, str) and ref.startswith("#/$defs/") and ref not in seen:
                seen.add(ref)
                target = self.defs.get(ref.removeprefix("#/$defs/"), {})
                current = {**target, **{k: v for k, v in current.items() if k != "$ref"}}
            elif isinstance(all_of, list) and len(all_of) == 1:
                current = {
                    **self.resolve(all_of[0]),
                    **{k: v for k, v in current.items() if k != "allOf"},
                }
            else:
                return current

    def spec(self, schema: Any, key: str, required: bool, depth: int) -> FieldSpec:
        s = self.resolve(schema)
        common: dict[str, Any] = {
            "key": key,
            "title": _title(key, schema if isinstance(schema, dict) else {}, s),
            "description": str(s.get("description") or ""),
            "required": required,
        }
        if "default" in s:
            common["has_default"] = True
            common["default"] = s["default"]
        expression = s.get("x-expression")
        if expression in ("template", "value", "query"):
            common["expression"] = expression
        if depth > MAX_DEPTH:
            return FieldSpec(kind="json", **common)
        variants = s.get("anyOf") or s.get("oneOf")
        if isinstance(variants, list):
            return self._union(s, variants, common, depth)
        return self._typed(s, common, depth)

    def _union(
        self, s: dict[str, Any], variants: list[Any], common: dict[str, Any], depth: int
    ) -> FieldSpec:
        resolved = [self.resolve(v) for v in variants]
        others = [v for v in resolved if v.get("type") != "null"]
        nullable = len(others) < len(resolved)
        if len(others) == 1:
            # The variant carries the constraints; the outer schema its title and default.
            inner = {**others[0], **{k: v for k, v in s.items() if k not in ("anyOf", "oneOf")}}
            if "title" not in s:
                inner.pop("title", None)  # a referenced model's class name is no label
            spec = self.spec(inner, common["key"], common["required"], depth)
            return spec.model_copy(update={"nullable": nullable, "blank": _blank_of(spec)})
        types = {v.get("type") for v in others}
        if types and types <= {"number", "integer", "string"} and types & {"number", "integer"}:
            number = next(v for v in others if v.get("type") in ("number", "integer"))
            kind = "integer" if number.get("type") == "integer" else "number"
            spec = FieldSpec(
                kind=kind,
                nullable=nullable,
                allow_text="string" in types,
                **common,
                **_number_limits(number),
            )
        else:
            spec = FieldSpec(kind="json", nullable=nullable, **common)
        return spec.model_copy(update={"blank": _blank_of(spec)})

    def _typed(self, s: dict[str, Any], common: dict[str, Any], depth: int) -> FieldSpec:
        kind_type = s.get("type")
        spec: FieldSpec
        if "enum" in s or "const" in s:
            values = s["enum"] if "enum" in s else [s["const"]]
            options = tuple(Option(label=_option_label(v), value=v) for v in values)
            spec = FieldSpec(kind="enum", options=options, **common)
        elif kind_type == "string":
            spec = self._string(s, common)
        elif kind_type in ("number", "integer"):
            spec = FieldSpec(kind=kind_type, **common, **_number_limits(s))
        elif kind_type == "boolean":
            spec = FieldSpec(kind="boolean", **common)
        elif kind_type == "array":
            spec = self._array(s, common, depth)
        elif kind_type == "object" or "properties" in s:
            spec = self._object(s, common, depth)
        elif common.get("expression") == "value":
            spec = FieldSpec(kind="value", **common)
        else:
            spec = FieldSpec(kind="json", **common)
        return spec.model_copy(update={"blank": _blank_of(spec)})

    def _string(self, s: dict[str, Any], common: dict[str, Any]) -> FieldSpec:
        limits = {
            "min_length": s.get("minLength"),
            "max_length": s.get("maxLength"),
            "pattern": s.get("pattern"),
        }
        if s.get("format") == "password" or s.get("writeOnly") is True:
            return FieldSpec(kind="secret", **common, **limits)
        multiline = (
            s.get("x-multiline") is True
            or s.get("format") in ("textarea", "multiline")
            or common["key"] in MULTILINE_KEYS
        )
        return FieldSpec(kind="textarea" if multiline else "text", **common, **limits)

    def _array(self, s: dict[str, Any], common: dict[str, Any], depth: int) -> FieldSpec:
        limits = {"min_items": s.get("minItems"), "max_items": s.get("maxItems")}
        items = self.resolve(s.get("items"))
        if "enum" in items:
            options = tuple(Option(label=_option_label(v), value=v) for v in items["enum"])
            return FieldSpec(kind="multiselect", options=options, **common, **limits)
        item = self.spec(items, "", True, depth + 1)
        if not item.title:
            item = item.model_copy(update={"title": "Item"})
        return FieldSpec(kind="list", item=item, **common, **limits)

    def _object(self, s: dict[str, Any], common: dict[str, Any], depth: int) -> FieldSpec:
        properties = s.get("properties")
        extra = s.get("additionalProperties")
        if isinstance(properties, dict) and properties:
            required = set(s.get("required") or ())
            fields = tuple(
                self.spec(p, name, name in required, depth + 1) for name, p in properties.items()
            )
            return FieldSpec(kind="object", fields=fields, **common)
        if isinstance(extra, dict) and extra:
            value = self.spec(extra, "", True, depth + 1)
            return FieldSpec(kind="map", item=value.model_copy(update={"title": "Value"}), **common)
        return FieldSpec(kind="json", **common)


def _number_limits(s: dict[str, Any]) -> dict[str, Any]:
    return {
        "minimum": s.get("minimum"),
        "maximum": s.get("maximum"),
        "exclusive_minimum": s.get("exclusiveMinimum"),
        "exclusive_maximum": s.get("exclusiveMaximum"),
    }


def _option_label(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _blank_of(spec: FieldSpec) -> Any:
    """What a new value of this field starts as: its default, else the emptiest valid-looking one.

    Objects get their required fields only (the rest show their defaults), lists as many
    blank items as they must have. A ``None`` default is what "not set" already means, so
    setting such a field starts from a blank of its type instead.
    """
    if spec.has_default and spec.default is not None:
        return spec.default
    if spec.kind in ("text", "textarea", "secret", "value"):
        return ""
    if spec.kind in ("number", "integer"):
        low = spec.minimum if spec.minimum is not None else 0
        return int(low) if spec.kind == "integer" else low
    if spec.kind == "boolean":
        return False
    if spec.kind == "enum":
        return spec.options[0].value if spec.options else None
    if spec.kind == "multiselect":
        return []
    if spec.kind == "list":
        count = spec.min_items or 0
        return [spec.item.blank for _ in range(count)] if spec.item else []
    if spec.kind == "map":
        return {}
    if spec.kind == "object":
        return {f.key: f.blank for f in spec.fields if f.required and not f.has_default}
    return None


def form_spec(schema: dict[str, Any]) -> FieldSpec:
    """The form for a whole model schema (a node's Config, or the node's own settings)."""
    spec = _Reader(schema).spec(schema, "", True, 0)
    if spec.kind != "object":
        # A model without properties: an empty form rather than a JSON box.
        return FieldSpec(kind="object")
    # The model's own title and docstring describe code, not the form.
    return spec.model_copy(update={"title": "", "description": ""})


@cache
def config_spec(node_type: AnyNodeType) -> FieldSpec:
    """The inspector form of a node type's Config (types are classes, so this is cached)."""
    return form_spec(node_type.Config.model_json_schema())


class NodeFields(NodeSettings):
    """What the inspector's "Node" section edits: the canvas label, then the settings.

    Validated as one model so label and settings errors come back with the same paths the
    form uses.
    """

    label: str = Field(
        default="",
        max_length=Node.model_fields["label"].metadata[0].max_length,
        description="Shown on the canvas instead of the type's title.",
    )


NODE_FIELD_ORDER = ("label", "disabled", "timeout_seconds", "retry", "notes")


@cache
def node_fields_spec() -> FieldSpec:
    spec = form_spec(NodeFields.model_json_schema())
    by_key = {f.key: f for f in spec.fields}
    ordered = tuple(by_key[k] for k in NODE_FIELD_ORDER if k in by_key)
    rest = tuple(f for f in spec.fields if f.key not in NODE_FIELD_ORDER)
    return spec.model_copy(update={"fields": ordered + rest})


def walk(spec: FieldSpec) -> list[FieldSpec]:
    """Every spec in the tree, depth first (for tests and for finding secrets)."""
    out = [spec]
    for child in spec.fields:
        out += walk(child)
    if spec.item is not None:
        out += walk(spec.item)
    return out
