"""Turn each item of a list into a new value (n8n's item mapping, Langflow's list transform)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from nodes.base import Expr, ExprValue, NodeConfig, NodeContext, NodeType, Outputs
from runtime.core.errors import NodeRunError
from runtime.core.expr import render_value
from runtime.core.types import ANY, Port, array_of

HARD_MAX_ITEMS = 100_000


class MapConfig(NodeConfig):
    items: Expr = Field(default="{{ input }}", description="Expression that yields the list.")
    value: ExprValue = Field(
        default="{{ item }}",
        description="Value per item; expressions see `item` and `index` (from 0).",
    )
    max_items: int = Field(
        default=10_000, ge=1, le=HARD_MAX_ITEMS, description="Fail instead of mapping longer lists."
    )


class MapItems(NodeType[MapConfig]):
    type = "transform.map"
    title = "Map list"
    category = "transform"
    description = "Build a new list by evaluating a value for every item of a list."
    icon = "list"
    inline = True
    Config = MapConfig
    inputs = (Port(name="in", type=ANY),)
    outputs = (Port(name="out", type=array_of(ANY)),)
    example = {
        "items": "{{ input.leads }}",
        "value": {"label": "{{ index }}: {{ item.name }}", "email": "{{ lower(item.email) }}"},
    }
    example_input = {
        "in": {
            "leads": [{"name": "Ada", "email": "ADA@x.org"}, {"name": "Bob", "email": "b@x.org"}]
        }
    }

    async def run(self, config: MapConfig, inputs: dict[str, Any], ctx: NodeContext) -> Outputs:
        items = ctx.render(config.items)
        if not isinstance(items, list):
            kind = "null" if items is None else type(items).__name__
            raise NodeRunError(f"items must evaluate to a list, got {kind}")
        if len(items) > config.max_items:
            raise NodeRunError(
                f"items has {len(items)} entries, more than max_items ({config.max_items})"
            )
        return {
            "out": [
                render_value(config.value, ctx.with_item(item, index))
                for index, item in enumerate(items)
            ]
        }
