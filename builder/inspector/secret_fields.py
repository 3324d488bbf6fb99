"""Secrets stay on the server: the canvas state the browser receives holds a mask in their place.

Everything in ``CanvasState.nodes`` travels to the browser, so a secret typed into the
inspector would come straight back (and sit in the page's memory and the websocket log). The
canvas keeps secret values in a backend-only mapping instead, by node id and field path, and
puts ``MASK`` in the node's config. When the form sends ``MASK`` back unchanged, the stored
value is kept; anything else replaces it. Secrets are the ``Secret`` fields of the schema and
whatever else the node type names (``NodeType.secret_paths``: credential headers).

A graph read from the service already has ``MASK`` in place of its secrets; such a mask stays
as it is and goes back on save, where the service keeps the stored value.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from builder.inspector.field_specs import FieldSpec, config_spec
from nodes.base import ConfigPath
from nodes.registry import AnyNodeType, Registry, default_registry
from runtime.core.load import format_location
from runtime.engine.credentials import MASK
from runtime.engine.secret_configs import value_at

__all__ = ["MASK", "conceal", "conceal_nodes", "reveal", "reveal_nodes"]

Stored = dict[str, dict[str, str]]
"""Node id -> field path -> secret value."""


def _secrets_in(
    spec: FieldSpec, value: Any, path: tuple[int | str, ...]
) -> Iterator[tuple[tuple[int | str, ...], str]]:
    if spec.kind == "secret":
        if isinstance(value, str) and value:
            yield path, value
    elif spec.kind == "object" and isinstance(value, dict):
        for field in spec.fields:
            if field.key in value:
                yield from _secrets_in(field, value[field.key], (*path, field.key))
    elif spec.kind == "list" and spec.item is not None and isinstance(value, list):
        for i, item in enumerate(value):
            yield from _secrets_in(spec.item, item, (*path, i))
    elif spec.kind == "map" and spec.item is not None and isinstance(value, dict):
        for key, item in value.items():
            yield from _secrets_in(spec.item, item, (*path, key))


def _secret_values(
    spec: FieldSpec, config: Any, extra: Sequence[ConfigPath]
) -> list[tuple[tuple[int | str, ...], str]]:
    """The schema's secrets, then those the node type adds (``extra``), each path once."""
    found = list(_secrets_in(spec, config, ()))
    seen = {path for path, _ in found}
    for path in extra:
        value = value_at(config, path)
        if path not in seen and isinstance(value, str) and value:
            found.append((path, value))
            seen.add(path)
    return found


def _replace(value: Any, path: tuple[int | str, ...], new: str) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict) and isinstance(head, str):
        return {**value, head: _replace(value[head], rest, new)}
    if isinstance(value, list) and isinstance(head, int):
        return [_replace(v, rest, new) if i == head else v for i, v in enumerate(value)]
    return value


def conceal(
    spec: FieldSpec, config: Any, kept: Mapping[str, str], extra: Sequence[ConfigPath] = ()
) -> tuple[Any, dict[str, str]]:
    """``(config with masks, secrets by path)`` for a config the browser sent or a graph held.

    A ``MASK`` where a secret was kept means "unchanged" and keeps it; a ``MASK`` with nothing
    kept at that path (a list was reordered) stays out of the stored secrets, so it is never
    mistaken for a real value.
    """
    stored: dict[str, str] = {}
    masked = config
    for path, value in _secret_values(spec, config, extra):
        key = format_location(path)
        if value == MASK:
            if key in kept:
                stored[key] = kept[key]
            continue
        stored[key] = value
        masked = _replace(masked, path, MASK)
    return masked, stored


def reveal(
    config: Any, stored: Mapping[str, str], spec: FieldSpec, extra: Sequence[ConfigPath] = ()
) -> Any:
    """The config with its masks replaced by the stored secrets (for the graph that runs)."""
    out = config
    for path, value in _secret_values(spec, config, extra):
        key = format_location(path)
        if value == MASK and key in stored:
            out = _replace(out, path, stored[key])
    return out


def _type_of(node: Mapping[str, Any], registry: Registry) -> AnyNodeType | None:
    data = node.get("data") or {}
    return registry.get(str(data.get("nodeType", "")), data.get("version"))


def _extra(node_type: AnyNodeType, config: Any) -> list[ConfigPath]:
    return node_type.secret_paths(config) if isinstance(config, dict) else []


def conceal_nodes(
    nodes: list[dict[str, Any]], kept: Stored, registry: Registry | None = None
) -> tuple[list[dict[str, Any]], Stored]:
    """Mask every secret in the canvas's nodes; the result's ``Stored`` replaces ``kept``."""
    registry = registry or default_registry()
    out_nodes: list[dict[str, Any]] = []
    stored: Stored = {}
    for node in nodes:
        node_type = _type_of(node, registry)
        data = node.get("data") or {}
        if node_type is None or not isinstance(data.get("config"), dict):
            out_nodes.append(node)
            continue
        config = data["config"]
        spec = config_spec(node_type)
        masked, found = conceal(spec, config, kept.get(node["id"], {}), _extra(node_type, config))
        if found:
            stored[node["id"]] = found
        out_nodes.append(
            node if masked is data["config"] else {**node, "data": {**data, "config": masked}}
        )
    return out_nodes, stored


def reveal_nodes(
    nodes: list[dict[str, Any]], stored: Stored, registry: Registry | None = None
) -> list[dict[str, Any]]:
    """The nodes with their secrets put back, for ``to_graph`` (never sent to the browser)."""
    if not stored:
        return nodes
    registry = registry or default_registry()
    out = []
    for node in nodes:
        secrets = stored.get(node["id"])
        node_type = _type_of(node, registry) if secrets else None
        if node_type is None or secrets is None:
            out.append(node)
            continue
        data = node.get("data") or {}
        config = data.get("config")
        revealed = reveal(config, secrets, config_spec(node_type), _extra(node_type, config))
        out.append({**node, "data": {**data, "config": revealed}})
    return out
