"""Test node types with capabilities no product node has yet.

``test.llm``, ``test.store`` and ``test.log`` let fixtures state a provider, region,
encryption, retention and masking directly. None of them is a product node: they live in tests.
"""

from __future__ import annotations

from typing import Any

from nodes.base import NodeConfig, NodeContext, NodeType, Outputs
from nodes.dataflow import Effects
from nodes.registry import AnyNodeType, Registry, default_registry, discover


class LlmConfig(NodeConfig):
    provider: str | None = None
    region: str | None = None
    prompt: str = "{{ input }}"


class TestLlm(NodeType[LlmConfig]):
    type = "test.llm"
    title = "LLM (test)"
    category = "ai"
    description = "A model call with a stated provider and region."
    Config = LlmConfig
    capabilities = frozenset({"llm"})

    @classmethod
    def effects(cls, config: LlmConfig) -> Effects:
        return Effects(provider=config.provider, region=config.region)

    async def run(self, config: LlmConfig, inputs: dict[str, Any], ctx: NodeContext) -> Outputs:
        return {"out": {"text": "ok"}}


class StoreConfig(NodeConfig):
    encrypted: bool = False
    tokenized: bool = False
    retention_days: int | None = None
    region: str | None = None


class TestStore(NodeType[StoreConfig]):
    type = "test.store"
    title = "Store (test)"
    category = "integration"
    description = "Persists its input."
    Config = StoreConfig
    capabilities = frozenset({"persist"})

    @classmethod
    def effects(cls, config: StoreConfig) -> Effects:
        return Effects(**config.model_dump())

    async def run(self, config: StoreConfig, inputs: dict[str, Any], ctx: NodeContext) -> Outputs:
        return {"out": inputs.get("in")}


class LogConfig(NodeConfig):
    masks_pan: bool = False


class TestLog(NodeType[LogConfig]):
    type = "test.log"
    title = "Log (test)"
    category = "output"
    description = "Writes its input to a log."
    Config = LogConfig
    capabilities = frozenset({"log"})

    @classmethod
    def effects(cls, config: LogConfig) -> Effects:
        return Effects(masks_pan=config.masks_pan)

    async def run(self, config: LogConfig, inputs: dict[str, Any], ctx: NodeContext) -> Outputs:
        return {"out": inputs.get("in")}


STANDINS: tuple[AnyNodeType, ...] = (TestLlm, TestStore, TestLog)


def registry() -> Registry:
    return Registry([*discover(), *STANDINS])


def install_in_default() -> list[tuple[str, int]]:
    """Add the stand-ins to the process-wide registry the service uses; returns what to remove."""
    reg = default_registry()
    added = []
    for node_type in STANDINS:
        if reg.get(node_type.type, node_type.version) is None:
            reg.add(node_type)
            added.append((node_type.type, node_type.version))
    return added


def remove_from_default(added: list[tuple[str, int]]) -> None:
    reg = default_registry()
    for key in added:
        reg._by_key.pop(key, None)
        reg._latest.pop(key[0], None)
