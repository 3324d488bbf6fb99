"""The contract every node type promises: metadata, a JSON Schema form, a runnable example."""

from __future__ import annotations

import json
import re

import pytest

from nodes.registry import AnyNodeType, default_registry
from runtime.core.waiting import Suspend
from tests.nodes.helpers import run_node

TYPES = default_registry().latest()
CORE = {
    "trigger.webhook",
    "trigger.manual",
    "trigger.schedule",
    "transform.set",
    "transform.rename",
    "transform.remove",
    "transform.pick",
    "transform.template",
    "transform.map",
    "transform.filter",
    "transform.json_parse",
    "transform.json_format",
    "transform.datetime",
    "logic.if",
    "logic.switch",
    "logic.merge",
    "logic.foreach",
    "logic.delay",
    "http.request",
    "http.respond",
}


def test_the_core_library_is_registered() -> None:
    assert {t.type for t in TYPES} >= CORE


@pytest.mark.parametrize("node_type", TYPES, ids=lambda t: t.type)
def test_palette_metadata_and_schema(node_type: AnyNodeType) -> None:
    assert re.fullmatch(r"[a-z]+\.[a-z_]+", node_type.type)
    assert node_type.title
    assert node_type.description
    assert node_type.icon
    described = default_registry().describe(node_type)
    schema = described.config_schema
    assert schema["type"] == "object"
    json.dumps(described.model_dump(mode="json"))  # the builder receives exactly this
    assert node_type.trigger == (node_type.category == "trigger")
    if not node_type.trigger:
        assert "error" in {p.name for p in described.outputs}


@pytest.mark.parametrize(
    "node_type",
    # LLM nodes run their examples against the fake provider in tests/ai/test_nodes.py, and
    # compliance.encrypt against moto's KMS in tests/compliance/test_encrypt_node.py.
    [
        t
        for t in TYPES
        # flow.subgraph calls a saved graph through the service: tests/service/durable.
        if t.type not in ("http.request", "compliance.encrypt", "flow.subgraph")
        and "llm" not in t.capabilities
    ],
    ids=lambda t: t.type,
)
async def test_example_config_is_valid_and_runs(node_type: AnyNodeType) -> None:
    config = node_type.Config.model_validate(node_type.example)
    assert node_type.check(config) == []
    try:
        outputs = await run_node(
            node_type.type,
            node_type.example,
            dict(node_type.example_input),
            event=node_type.example_event,
        )
    except Suspend as wait:  # a waiting node asks; at its deadline it fires ``on_timeout``
        json.dumps(wait.request.model_dump(mode="json"))
        outputs = wait.request.on_timeout or {}
    declared = {p.name for p in node_type.output_ports(config)}
    assert outputs, "the example fires no output"
    assert set(outputs) <= declared
    json.dumps(outputs)  # outputs are plain JSON
