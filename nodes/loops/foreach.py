"""For-each: run a body of nodes once per item, and collect the results.

This is the only way a graph repeats work. The body is the nodes whose ``parent`` is this
node; the body starts from the ``item`` port and ends at the ``result`` port, so every scope
stays acyclic and the builder can draw the body as a group.
"""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from pydantic import Field

from nodes.base import Expr, NodeConfig, NodeContext, NodeType, Outputs
from runtime.core.errors import NodeRunError
from runtime.core.types import ANY, Port, array_of, json_type

MAX_ITEMS = 100_000


class ForEachConfig(NodeConfig):
    items: Expr = Field(
        default="{{ input }}",
        description="The list to iterate, e.g. `{{ input.body.leads }}`.",
    )
    concurrency: int = Field(default=1, ge=1, le=64, description="Items run at once.")
    on_item_error: Literal["fail", "skip", "collect"] = Field(
        default="fail",
        description=(
            "fail: the for-each fails; skip: leave the item out; collect: put"
            " {error, index} in its place."
        ),
    )


class ForEach(NodeType[ForEachConfig]):
    type = "logic.foreach"
    title = "For each"
    category = "logic"
    description = "Run the nodes inside this group once per item of a list; output the results."
    icon = "repeat"
    Config = ForEachConfig
    container = True
    inputs = (Port(name="in", type=ANY),)
    outputs = (Port(name="out", type=array_of(ANY), label="Results"),)
    body_outputs = (Port(name="item", type=ANY, label="Item"),)
    body_inputs = (Port(name="result", type=ANY, label="Result", required=False),)
    example = {"items": "{{ input.leads }}", "concurrency": 2}
    example_input = {"in": {"leads": [{"name": "Ada"}, {"name": "Grace"}]}}

    async def run(self, config: ForEachConfig, inputs: dict[str, Any], ctx: NodeContext) -> Outputs:
        items = ctx.render(config.items)
        if not isinstance(items, list):
            raise NodeRunError(f"items must be a list, got {json_type(items)}")
        if len(items) > MAX_ITEMS:
            raise NodeRunError(f"items has {len(items)} entries; the limit is {MAX_ITEMS}")
        body = ctx.body
        if body is None:
            return {"out": list(items)}
        gate = asyncio.Semaphore(config.concurrency)

        async def one(index: int, item: Any) -> tuple[bool, Any]:
            async with gate:
                try:
                    return await body(item, index)
                except NodeRunError as exc:
                    if config.on_item_error == "fail":
                        raise
                    if config.on_item_error == "skip":
                        return False, None
                    return True, {"error": str(exc), "index": index}

        if config.concurrency == 1:
            results = [await one(i, item) for i, item in enumerate(items)]
        else:
            # A TaskGroup cancels the other items as soon as one fails the for-each, so no
            # item keeps running (with side effects) after the run has been reported failed.
            try:
                async with asyncio.TaskGroup() as group:
                    tasks = [group.create_task(one(i, it)) for i, it in enumerate(items)]
            except* Exception as failed:
                raise failed.exceptions[0] from None
            results = [task.result() for task in tasks]
        return {"out": [value for fired, value in results if fired]}
