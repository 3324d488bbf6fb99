"""The node catalog as the model sees it: every type with its ports, config schema and example.

Titles are dropped from the config schemas (they repeat the field names) to keep the prompt
small; descriptions stay, because they are what tells a model how to fill a field.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from nodes.registry import Registry, default_registry


def _compact(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: _compact(v) for k, v in schema.items() if k != "title"}
    if isinstance(schema, list):
        return [_compact(v) for v in schema]
    return schema


def catalog(registry: Registry | None = None) -> list[dict[str, Any]]:
    return list(_catalog(registry or default_registry()))


@cache
def _catalog(registry: Registry) -> tuple[dict[str, Any], ...]:
    entries = []
    for node_type in registry.latest():
        described = registry.describe(node_type)
        entry: dict[str, Any] = {
            "type": described.type,
            "category": described.category,
            "description": described.description,
            "inputs": [p.name for p in described.inputs],
            "outputs": [p.name for p in described.outputs],
            "config_schema": _compact(described.config_schema),
            "example_config": described.example,
        }
        if described.dynamic_ports:
            entry["note"] = "output ports depend on the config (one per case or label)"
        if described.trigger:
            entry["trigger"] = True
        if node_type.needs_response:
            entry["note"] = "the graph must end in an http.respond node"
        if described.container:
            entry["note"] = "a for-each: body nodes set parent to its id, start at its item port"
        entries.append(entry)
    return tuple(entries)


def node_types(registry: Registry | None = None) -> list[str]:
    return [entry["type"] for entry in catalog(registry)]
