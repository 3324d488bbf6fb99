"""Run one node type directly, the way the executor would, without building a graph."""

from __future__ import annotations

from typing import Any

from nodes.base import NodeContext
from nodes.registry import default_registry
from runtime.core.options import RunOptions


async def run_node(
    type_name: str,
    config: dict[str, Any],
    inputs: dict[str, Any] | None = None,
    *,
    scope: dict[str, Any] | None = None,
    options: RunOptions | None = None,
    event: Any = None,
) -> dict[str, Any]:
    registry = default_registry()
    node_type = registry.get(type_name)
    assert node_type is not None, f"{type_name} is not registered"
    parsed = node_type.Config.model_validate(config)
    inputs = inputs or {}
    full_scope: dict[str, Any] = {
        "input": inputs.get("in"),
        "nodes": {},
        "trigger": event,
        "run": {},
    }
    full_scope.update(scope or {})
    ctx = NodeContext(
        node_id="n1",
        run_id="run-test",
        graph_id="g-test",
        scope=full_scope,
        options=options or RunOptions(),
    )
    return await registry.instance(node_type).run(parsed, inputs, ctx)
