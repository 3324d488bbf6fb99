"""Set fields on the incoming object (n8n's "Edit Fields" in set mode)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from nodes.base import ExprValue, NodeConfig, NodeContext, NodeType, Outputs
from nodes.paths import FieldPath, set_path
from runtime.core.errors import NodeRunError
from runtime.core.types import OBJECT, Port


class Assignment(NodeConfig):
    path: FieldPath = Field(description="Dotted field path to write, e.g. `lead.score`.")
    value: ExprValue = Field(description="Value or `{{ expression }}` to write there.")


class SetFieldsConfig(NodeConfig):
    fields: list[Assignment] = Field(default_factory=list, max_length=200)
    keep_input: bool = Field(
        default=True, description="Start from the incoming object; off starts from `{}`."
    )


class SetFields(NodeType[SetFieldsConfig]):
    type = "transform.set"
    title = "Set fields"
    category = "transform"
    description = "Write values (literal or expressions) into fields of the incoming object."
    icon = "pencil"
    inline = True
    Config = SetFieldsConfig
    inputs = (Port(name="in", type=OBJECT),)
    outputs = (Port(name="out", type=OBJECT),)
    example = {"fields": [{"path": "greeting", "value": "Hello {{ input.name }}"}]}
    example_input = {"in": {"name": "Ada"}}

    async def run(
        self, config: SetFieldsConfig, inputs: dict[str, Any], ctx: NodeContext
    ) -> Outputs:
        source = inputs.get("in")
        if config.keep_input and not isinstance(source, dict):
            raise NodeRunError(f"expected an object on 'in', got {type(source).__name__}")
        result: dict[str, Any] = dict(source) if config.keep_input and source else {}
        for assignment in config.fields:
            set_path(result, assignment.path, ctx.render(assignment.value))
        return {"out": result}
