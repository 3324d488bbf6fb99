"""Two-way branch: the input goes out on ``true`` or on ``false``, never both.

Branching is expressed by which port fires, so everything downstream of the other port is
skipped by the executor without the node knowing about it.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from nodes.base import NodeConfig, NodeContext, NodeType, Outputs
from nodes.conditions import ConditionGroup, check_group, evaluate
from runtime.core.types import Port


class IfConfig(NodeConfig):
    condition: ConditionGroup = Field(description="Conditions that send the input to `true`.")


class If(NodeType[IfConfig]):
    type = "logic.if"
    title = "If"
    category = "logic"
    description = "Send the input to `true` when the conditions hold, otherwise to `false`."
    icon = "git-branch"
    inline = True
    Config = IfConfig
    inputs = (Port(name="in"),)
    outputs = (
        Port(name="true", label="True"),
        Port(name="false", label="False"),
    )
    example = {
        "condition": {
            "combinator": "and",
            "conditions": [
                {"left": "{{ input.amount }}", "op": "gte", "right": 1000},
                {"left": "{{ input.country }}", "op": "in", "right": ["DE", "FR"]},
            ],
        }
    }
    example_input = {"in": {"amount": 1200, "country": "DE"}}

    @classmethod
    def check(cls, config: IfConfig) -> list[tuple[str, str]]:
        return check_group(config.condition, "condition")

    async def run(self, config: IfConfig, inputs: dict[str, Any], ctx: NodeContext) -> Outputs:
        port = "true" if evaluate(config.condition, ctx.scope) else "false"
        return {port: inputs.get("in")}
