"""Node types that claim ``inline`` (``run`` never suspends) keep their word on their example.

The executor awaits such nodes in place instead of giving each a task when branches are ready
together; a node that did suspend would hold up its sibling branches meanwhile.
"""

from __future__ import annotations

from typing import Any

import pytest

from nodes.base import NodeContext
from nodes.registry import AnyNodeType, default_registry
from runtime.core.options import RunOptions

TYPES = default_registry().latest()
INLINE = [t for t in TYPES if t.inline]


def test_io_and_waiting_nodes_are_not_inline() -> None:
    inline = {t.type for t in INLINE}
    assert "transform.set" in inline
    assert "logic.if" in inline
    for kind in ("logic.delay", "logic.foreach", "http.request", "compliance.encrypt"):
        assert kind not in inline
    assert not any(t.capabilities & {"llm", "egress", "persist"} for t in INLINE)


@pytest.mark.parametrize("node_type", INLINE, ids=lambda t: t.type)
def test_an_inline_node_finishes_without_suspending(node_type: AnyNodeType) -> None:
    config = node_type.Config.model_validate(node_type.example)
    inputs: dict[str, Any] = dict(node_type.example_input)
    scope = {"input": inputs.get("in"), "nodes": {}, "trigger": node_type.example_event, "run": {}}
    ctx = NodeContext(
        node_id="n1", run_id="run-test", graph_id="g-test", scope=scope, options=RunOptions()
    )
    coro = default_registry().instance(node_type).run(config, inputs, ctx)
    with pytest.raises(StopIteration) as finished:
        coro.send(None)  # one step, no event loop: a suspension would yield instead
    assert isinstance(finished.value.value, dict)
