"""The LLM nodes against the fake provider: their examples, templates, ports and outputs."""

from __future__ import annotations

import json

import pytest

from nodes.registry import AnyNodeType, default_registry
from runtime.local.llm import Reply
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


async def test_prompts_are_expression_templates_and_nothing_else(fake_ai: FakeAi) -> None:
    config = {
        "system": "Reply for {{ input.shop }}. {% if x %}not a template tag{% endif %}",
        "prompt": "Customer {{ input.name }} writes: {{ input.message }}",
    }
    outputs = await run_node(
        "ai.chat", config, {"in": {"shop": "Acme Motors", "name": "Ada", "message": "{{ 7*7 }}"}}
    )
    assert outputs["out"]["text"].startswith("ok: ")
    sent = fake_ai.server.of("openai")[0].body["messages"]
    assert sent[0]["content"] == "Reply for Acme Motors. {% if x %}not a template tag{% endif %}"
    assert sent[1]["content"] == "Customer Ada writes: {{ 7*7 }}"  # data is never re-rendered


async def test_extraction_through_anthropic_uses_a_forced_tool(fake_ai: FakeAi) -> None:
    fake_ai.server.queue(
        "anthropic", Reply.json({"name": "Ada", "vehicle": "Civic", "budget": 25000})
    )
    config = {**default_registry().get("ai.extract").example, "model": "claude-3-5-haiku-latest"}  # type: ignore[union-attr]
    outputs = await run_node("ai.extract", config, {"in": {"message": "Ada, Civic, 25k"}})
    assert outputs["out"]["data"] == {"name": "Ada", "vehicle": "Civic", "budget": 25000}
    assert outputs["out"]["usage"]["provider"] == "anthropic"
    body = fake_ai.server.of("anthropic")[0].body
    assert body["tool_choice"] == {"type": "tool", "name": "extract"}
    assert body["system"].startswith("You extract structured data")
    assert fake_ai.server.count("openai") == 0


async def test_a_streamed_chat_through_anthropic(fake_ai: FakeAi) -> None:
    fake_ai.server.queue("anthropic", Reply.ok("Hello from a stream of events."))
    config = {"prompt": "Hi", "stream": True, "model": "anthropic:claude-3-5-haiku-latest"}
    outputs = await run_node("ai.chat", config, {"in": {}})
    assert outputs["out"]["text"] == "Hello from a stream of events."
    assert fake_ai.server.of("anthropic")[0].body["stream"] is True


async def test_classification_fires_exactly_the_chosen_labels_port(fake_ai: FakeAi) -> None:
    fake_ai.server.queue("openai", Reply.json({"label": "cold", "reason": "Just browsing."}))
    example = default_registry().get("ai.classify").example  # type: ignore[union-attr]
    outputs = await run_node("ai.classify", example, {"in": {"message": "just looking"}})
    assert list(outputs) == ["cold"]
    assert outputs["cold"]["input"] == {"message": "just looking"}
    assert outputs["cold"]["reason"] == "Just browsing."


def test_design_time_checks_of_the_llm_nodes() -> None:
    extract = default_registry().get("ai.extract")
    classify = default_registry().get("ai.classify")
    assert extract is not None
    assert classify is not None
    not_object = extract.Config.model_validate({"output_schema": {"type": "array"}})
    assert extract.check(not_object) == [
        ("output_schema", 'the root must be {"type": "object", ...}')
    ]
    broken = extract.Config.model_validate({"output_schema": {"type": "object", "required": 3}})
    assert "not a valid JSON Schema" in extract.check(broken)[0][1]
    twice = classify.Config.model_validate({"labels": [{"key": "a"}, {"key": "a"}]})
    assert classify.check(twice) == [("labels[1].key", "duplicate label 'a'")]
    with pytest.raises(ValueError, match="pattern"):
        classify.Config.model_validate({"labels": [{"key": "Bad Key"}, {"key": "b"}]})
