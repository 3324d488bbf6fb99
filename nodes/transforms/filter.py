"""Keep the items of a list that meet structured conditions; the rest go to ``rejected``.

Conditions are evaluated per item with ``item``/``index`` bound in the scope, so authors write
``{{ item.score }}`` exactly as inside a for-each body. Both ports always fire (possibly with
``[]``) so downstream behaviour never depends on whether anything happened to match.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from nodes.base import Expr, NodeConfig, NodeContext, NodeType, Outputs
from nodes.conditions import ConditionGroup, check_group, evaluate
from runtime.core.errors import NodeRunError
from runtime.core.types import ANY, Port, array_of


class FilterConfig(NodeConfig):
    items: Expr = Field(default="{{ input }}", description="The list to filter.")
    condition: ConditionGroup = Field(description="Items for which this holds are kept.")


class Filter(NodeType[FilterConfig]):
    type = "transform.filter"
    title = "Filter"
    category = "transform"
    description = "Keep the list items that match the conditions; the others go to `rejected`."
    icon = "filter"
    inline = True
    Config = FilterConfig
    inputs = (Port(name="in"),)
    outputs = (
        Port(name="out", type=array_of(ANY), label="Kept"),
        Port(name="rejected", type=array_of(ANY), label="Rejected"),
    )
    example = {
        "items": "{{ input.leads }}",
        "condition": {
            "combinator": "and",
            "conditions": [
                {"left": "{{ item.email }}", "op": "exists"},
                {"left": "{{ item.score }}", "op": "gt", "right": 50},
            ],
        },
    }
    example_input = {
        "in": {"leads": [{"email": "ada@example.com", "score": 80}, {"email": None, "score": 90}]}
    }

    @classmethod
    def check(cls, config: FilterConfig) -> list[tuple[str, str]]:
        return check_group(config.condition, "condition")

    async def run(self, config: FilterConfig, inputs: dict[str, Any], ctx: NodeContext) -> Outputs:
        items = ctx.render(config.items)
        if not isinstance(items, list):
            kind = "null" if items is None else type(items).__name__
            raise NodeRunError(f"'items' must evaluate to a list, got {kind}")
        kept: list[Any] = []
        rejected: list[Any] = []
        for index, item in enumerate(items):
            try:
                matched = evaluate(config.condition, ctx.with_item(item, index))
            except NodeRunError as exc:
                raise NodeRunError(f"item {index}: {exc}") from None
            (kept if matched else rejected).append(item)
        return {"out": kept, "rejected": rejected}
