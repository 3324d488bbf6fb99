"""The AI nodes declare what the packs need: ``llm``, the provider their model names, and
whether the tenant's routing may send the data elsewhere (checked against its settings)."""

from __future__ import annotations

import pytest

from compliance.rules import Context, all_covered, describe_providers
from nodes.ai.chat import Chat
from nodes.ai.classify import Classify
from nodes.ai.extract import Extract
from nodes.ai.summarize import Summarize
from nodes.base import NodeType
from nodes.dataflow import Effects
from runtime.core.guard import GUARDED

AI_NODES: list[type[NodeType]] = [Chat, Classify, Extract, Summarize]  # type: ignore[type-arg]


@pytest.mark.parametrize("node_type", AI_NODES, ids=lambda t: t.type)
def test_every_ai_node_is_an_llm_node_the_run_time_guard_watches(
    node_type: type[NodeType],  # type: ignore[type-arg]
) -> None:
    assert "llm" in node_type.capabilities
    assert node_type.capabilities & GUARDED
    config = node_type.Config.model_validate({**node_type.example, "model": "anthropic:claude-x"})
    assert node_type.effects(config) == Effects(provider="anthropic", routed=True)
    pinned = config.model_copy(update={"fallback": False})
    assert node_type.effects(pinned) == Effects(provider="anthropic", routed=False)
    bare = config.model_copy(update={"model": "gpt-4o-mini"})
    assert node_type.effects(bare) == Effects(provider=None, routed=True)


@pytest.mark.parametrize(
    ("effects", "context", "ok", "described"),
    [
        (Effects(provider="anthropic"), Context(baa_providers=["anthropic"]), True, "anthropic"),
        (
            Effects(provider="anthropic", routed=True),
            Context(baa_providers=["anthropic"]),
            False,
            "any provider the routing picks",
        ),
        (
            Effects(provider="anthropic", routed=True),
            Context(baa_providers=["anthropic"], llm_providers=["anthropic"]),
            True,
            "anthropic",
        ),
        (
            Effects(provider=None, routed=True),
            Context(baa_providers=["anthropic"], llm_providers=["anthropic", "openai"]),
            False,
            "anthropic, openai",
        ),
        (Effects(), Context(baa_providers=["anthropic"]), False, "an unnamed provider"),
    ],
)
def test_every_provider_the_data_may_reach_needs_the_agreement(
    effects: Effects, context: Context, ok: bool, described: str
) -> None:
    assert all_covered(effects, context, context.baa_providers) is ok
    assert describe_providers(effects, context) == described
