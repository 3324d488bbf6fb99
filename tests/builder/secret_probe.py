"""A test-only node type with secret fields: no shipped node type has one yet.

``registered()`` adds it to the default registry (what the app and the canvas use) for the
length of a test or an e2e module, and takes it out again with every cache that saw it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pydantic import BaseModel, Field

from nodes.base import Expr, NodeConfig, NodeContext, NodeType, Outputs, Secret
from nodes.registry import default_registry
from runtime.core.types import OBJECT, Port


class Credential(BaseModel):
    name: str = Field(min_length=1)
    token: Secret


class SecretProbeConfig(NodeConfig):
    endpoint: Expr = Field(default="https://api.example/{{ input.id }}")
    api_key: Secret = Field(description="Sent as a bearer token.")
    extra: list[Credential] = Field(default_factory=list)


class SecretProbe(NodeType[SecretProbeConfig]):
    type = "test.secret_probe"
    title = "Secret probe"
    category = "integration"
    description = "Test-only: a node with secret fields."
    icon = "key-round"
    Config = SecretProbeConfig
    inputs = (Port(name="in", type=OBJECT),)
    outputs = (Port(name="out", type=OBJECT),)
    example = {"api_key": "sk-example-secret"}

    async def run(
        self, config: SecretProbeConfig, inputs: dict[str, Any], ctx: NodeContext
    ) -> Outputs:
        return {"out": {"key_length": len(config.api_key)}}


def _clear_caches() -> None:
    from builder.canvas import catalog
    from builder.components import react_flow
    from builder.inspector import field_specs as schema_form

    catalog.palette_entries.cache_clear()
    react_flow._icon_imports.cache_clear()
    schema_form.config_spec.cache_clear()


@contextmanager
def registered() -> Iterator[type[SecretProbe]]:
    registry = default_registry()
    registry.add(SecretProbe)
    _clear_caches()
    try:
        yield SecretProbe
    finally:
        registry._by_key.pop((SecretProbe.type, SecretProbe.version), None)
        registry._latest.pop(SecretProbe.type, None)
        registry._instances.pop(SecretProbe, None)
        _clear_caches()
