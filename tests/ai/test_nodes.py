"""The LLM nodes against the fake provider: their examples, templates, ports and outputs."""

from __future__ import annotations

import json

import pytest

from nodes.registry import AnyNodeType, default_registry
from tests.ai_fixtures import FakeAi
from tests.nodes.helpers import run_node

LLM_TYPES = [t for t in default_registry().latest() if "llm" in t.capabilities]


def test_the_four_llm_nodes_are_registered() -> None:
    assert {t.type for t in LLM_TYPES} == {"ai.chat", "ai.extract", "ai.classify", "ai.summarize"}


@pytest.mark.parametrize("node_type", LLM_TYPES, ids=lambda t: t.type)
async def test_example_config_is_valid_and_runs(node_type: AnyNodeType, fake_ai: FakeAi) -> None:
    config = node_type.Config.model_validate(node_type.example)
    assert node_type.check(config) == []
    outputs = await run_node(node_type.type, node_type.example, dict(node_type.example_input))
    assert outputs
    assert set(outputs) <= {p.name for p in node_type.output_ports(config)}
    json.dumps(outputs)
    (value,) = outputs.values()
    assert value["usage"]["provider"] == "openai"
    assert fake_ai.server.count() == 1
