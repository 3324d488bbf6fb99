"""Where a node's config may hold ``{{ expressions }}``, read from the Config's JSON Schema.

A field marked ``x-expression`` (``Expr``, ``ExprValue``, ``Query``, or a field that says so)
is rendered when the node runs; any other string is used exactly as written. A ``{{`` in such
a string would reach the caller literally (``content_type: "{{ input.ct }}"``), so the
validator refuses it instead, naming the field. Reading the schema rather than a list means a
new field is covered the day it is written: it is either marked, and rendered, or refused.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel

from runtime.core import expr

MAX_DEPTH = 64


@cache
def _schema(config_model: type[BaseModel]) -> dict[str, Any]:
    return config_model.model_json_schema()


def _deref(schema: Any, defs: dict[str, Any]) -> dict[str, Any]:
    for _ in range(MAX_DEPTH):
        if not isinstance(schema, dict) or "$ref" not in schema:
            break
        schema = defs.get(str(schema["$ref"]).rsplit("/", 1)[-1], {})
    return schema if isinstance(schema, dict) else {}


def _branches(schema: dict[str, Any], defs: dict[str, Any]) -> list[dict[str, Any]]:
    options = schema.get("anyOf") or schema.get("oneOf") or schema.get("allOf")
    if not isinstance(options, list):
        return [schema]
    return [_deref(option, defs) for option in options]


def _is_expression(branches: list[dict[str, Any]], schema: dict[str, Any]) -> bool:
    return "x-expression" in schema or any("x-expression" in b for b in branches)


def _for_value(branches: list[dict[str, Any]], value: Any) -> dict[str, Any]:
    """The branch of a union that describes ``value``'s shape (object or array), if any."""
    wanted = "object" if isinstance(value, dict) else "array"
    for branch in branches:
        if branch.get("type") == wanted or (wanted == "object" and "properties" in branch):
            return branch
    return {}


def _join(path: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


_Resolved = tuple[dict[str, Any], list[dict[str, Any]], bool]
_resolved: dict[int, tuple[Any, _Resolved]] = {}
"""Each schema position resolved once (``$ref``, union branches, rendered or not), by the id of
its dict: the schemas are cached, so a graph of 10,000 nodes resolves a handful of positions,
not 60,000. The dict itself is kept beside its result so that its id cannot be reused."""


def _resolve(schema: Any, defs: dict[str, Any]) -> _Resolved:
    cached = _resolved.get(id(schema))
    if cached is not None and cached[0] is schema:
        return cached[1]
    target = _deref(schema, defs)
    branches = _branches(target, defs)
    result = (target, branches, _is_expression(branches, target))
    _resolved[id(schema)] = (schema, result)
    return result


def _walk(schema: Any, value: Any, path: str, defs: dict[str, Any], depth: int) -> list[str]:
    """Paths of plain (never rendered) strings in ``value`` that contain ``{{``."""
    if depth > MAX_DEPTH:
        return []
    schema, branches, rendered = _resolve(schema, defs)
    if rendered:
        return []
    if isinstance(value, str):
        return [path] if expr.OPEN in value else []
    if not isinstance(value, dict | list):
        return []
    shape = _for_value(branches, value) if len(branches) > 1 else schema
    found: list[str] = []
    if isinstance(value, dict):
        properties = shape.get("properties") or {}
        extra = shape.get("additionalProperties")
        for key, child in value.items():
            child_schema = properties.get(key, extra if isinstance(extra, dict) else {})
            found += _walk(child_schema, child, _join(path, key), defs, depth + 1)
    else:
        items = shape.get("items") if isinstance(shape.get("items"), dict) else {}
        for index, child in enumerate(value):
            found += _walk(items, child, _join(path, index), defs, depth + 1)
    return found


def plain_fields_with_expressions(config_model: type[BaseModel], config: Any) -> list[str]:
    """Config paths that are never rendered but contain ``{{`` (``labels[0].description``).

    The validator refuses each: the text would go out exactly as written.
    """
    schema = _schema(config_model)
    defs = schema.get("$defs") or {}
    return _walk(schema, config, "", defs, 0)


def expression_positions(config_model: type[BaseModel]) -> list[str]:
    """Every schema position that is rendered, as a pattern (``[]``: any item, ``.*``: any key).

    The tests hold each node type to render every one of them.
    """
    schema = _schema(config_model)
    defs = schema.get("$defs") or {}
    out: list[str] = []

    def visit(node: Any, path: str, depth: int) -> None:
        node = _deref(node, defs)
        branches = _branches(node, defs)
        if depth > MAX_DEPTH:
            return
        if _is_expression(branches, node):
            out.append(path)
            return
        for branch in branches:
            for key, child in (branch.get("properties") or {}).items():
                visit(child, _join(path, key), depth + 1)
            extra = branch.get("additionalProperties")
            if isinstance(extra, dict):
                visit(extra, _join(path, "*"), depth + 1)
            if isinstance(branch.get("items"), dict):
                visit(branch["items"], f"{path}[]", depth + 1)

    visit(schema, "", 0)
    return sorted(set(out))
