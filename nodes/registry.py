"""Finds node types: every ``NodeType`` subclass in the ``nodes`` package, plus plug-ins.

Plug-ins are installed distributions that declare an ``auterity.nodes`` entry point; they are
code the operator installed, never a name taken from a graph or a request.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from importlib.metadata import entry_points
from typing import Any

from pydantic import BaseModel, ConfigDict

import nodes
from nodes.base import NodeConfig, NodeType
from runtime.core.types import Port

AnyNodeType = type[NodeType[Any]]


class NodeDescriptor(BaseModel):
    """The public, serializable description of a node type (palette entry and form schema)."""

    model_config = ConfigDict(frozen=True)

    type: str
    version: int
    title: str
    category: str
    description: str
    icon: str
    trigger: bool
    container: bool
    dynamic_ports: bool
    capabilities: list[str]
    inputs: list[Port]
    outputs: list[Port]
    body_inputs: list[Port]
    body_outputs: list[Port]
    config_schema: dict[str, Any]
    example: dict[str, Any]


class Registry:
    def __init__(self, types: list[AnyNodeType]) -> None:
        self._by_key: dict[tuple[str, int], AnyNodeType] = {}
        self._latest: dict[str, AnyNodeType] = {}
        self._instances: dict[AnyNodeType, NodeType[Any]] = {}
        for node_type in types:
            self.add(node_type)

    def add(self, node_type: AnyNodeType) -> None:
        key = (node_type.type, node_type.version)
        existing = self._by_key.get(key)
        if existing is not None and existing is not node_type:
            raise ValueError(f"two node types claim {key}: {existing} and {node_type}")
        self._by_key[key] = node_type
        latest = self._latest.get(node_type.type)
        if latest is None or latest.version < node_type.version:
            self._latest[node_type.type] = node_type

    def get(self, type_name: str, version: int | None = None) -> AnyNodeType | None:
        if version is None:
            return self._latest.get(type_name)
        return self._by_key.get((type_name, version))

    def versions(self, type_name: str) -> list[int]:
        return sorted(v for (t, v) in self._by_key if t == type_name)

    def instance(self, node_type: AnyNodeType) -> NodeType[Any]:
        """Node types are stateless, so one instance serves every run."""
        inst = self._instances.get(node_type)
        if inst is None:
            inst = self._instances[node_type] = node_type()
        return inst

    def latest(self) -> list[AnyNodeType]:
        return sorted(self._latest.values(), key=lambda t: (t.category, t.type))

    def describe(self, node_type: AnyNodeType) -> NodeDescriptor:
        default_config = _default_config(node_type)
        return NodeDescriptor(
            type=node_type.type,
            version=node_type.version,
            title=node_type.title,
            category=node_type.category,
            description=node_type.description,
            icon=node_type.icon,
            trigger=node_type.trigger,
            container=node_type.container,
            dynamic_ports=node_type.dynamic_ports,
            capabilities=sorted(node_type.capabilities),
            inputs=list(node_type.input_ports(default_config)) if default_config else [],
            outputs=list(node_type.output_ports(default_config)) if default_config else [],
            body_inputs=list(node_type.body_inputs),
            body_outputs=list(node_type.body_outputs),
            config_schema=node_type.Config.model_json_schema(),
            example=node_type.example,
        )


def _default_config(node_type: AnyNodeType) -> NodeConfig | None:
    for candidate in (node_type.example, {}):
        try:
            return node_type.Config.model_validate(candidate)
        except ValueError:
            continue
    return None


def _is_concrete(obj: object) -> bool:
    return (
        isinstance(obj, type)
        and issubclass(obj, NodeType)
        and obj is not NodeType
        and "type" in getattr(obj, "__dict__", {})
    )


def discover() -> list[AnyNodeType]:
    found: dict[tuple[str, int], AnyNodeType] = {}
    modules = [
        m.name
        for m in pkgutil.walk_packages(nodes.__path__, prefix="nodes.")
        if m.name not in ("nodes.base", "nodes.registry")
    ]
    for name in sorted(modules):
        module = importlib.import_module(name)
        for obj in vars(module).values():
            if _is_concrete(obj) and obj.__module__ == module.__name__:
                found[(obj.type, obj.version)] = obj
    for ep in entry_points(group="auterity.nodes"):
        obj = ep.load()
        if _is_concrete(obj):
            found[(obj.type, obj.version)] = obj
    return [found[k] for k in sorted(found)]


@cache
def default_registry() -> Registry:
    return Registry(discover())
