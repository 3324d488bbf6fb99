"""Reshape the incoming value with one JMESPath query (filter, project, pick fields).

The query's root is the incoming value itself, so ``lead.score`` or ``[?score > `50`]`` work
without an ``input.`` prefix; other nodes' outputs are reached with an expression elsewhere
(e.g. Set fields), not here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from pydantic import Field

from nodes.base import NodeConfig, NodeContext, NodeType, Outputs, Query
from runtime.core import expr
from runtime.core.types import ANY, Port


class PickConfig(NodeConfig):
    query: Query = Field(
        min_length=1,
        max_length=expr.MAX_EXPRESSION_CHARS,
        description="JMESPath over the incoming value, e.g. `leads[?score > `50`].email`.",
    )


class Pick(NodeType[PickConfig]):
    type = "transform.pick"
    title = "Pick / query"
    category = "transform"
    description = "Select or reshape data with a JMESPath query whose root is the incoming value."
    icon = "filter"
    inline = True
    Config = PickConfig
    inputs = (Port(name="in", type=ANY),)
    outputs = (Port(name="out", type=ANY),)
    example = {"query": "leads[?score > `50`].{name: name, email: lower(email)}"}
    example_input = {
        "in": {
            "leads": [
                {"name": "Ada", "email": "ADA@example.com", "score": 90},
                {"name": "Bob", "email": "bob@example.com", "score": 10},
            ]
        }
    }

    async def run(self, config: PickConfig, inputs: dict[str, Any], ctx: NodeContext) -> Outputs:
        # JMESPath searches any JSON value; ``evaluate`` is typed for scopes, hence the cast.
        data = cast(Mapping[str, Any], inputs.get("in"))
        return {"out": expr.evaluate(config.query, data)}
