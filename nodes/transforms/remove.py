"""Drop fields from the incoming object, e.g. to keep sensitive data out of later steps."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from nodes.base import NodeConfig, NodeContext, NodeType, Outputs
from nodes.dataflow import Labels, drop
from nodes.paths import FieldPath, remove_path
from runtime.core.errors import NodeRunError
from runtime.core.types import OBJECT, Port


class RemoveConfig(NodeConfig):
    fields: list[FieldPath] = Field(
        default_factory=list,
        max_length=200,
        description="Dotted paths to drop; absent ones are ignored.",
    )


class RemoveFields(NodeType[RemoveConfig]):
    type = "transform.remove"
    title = "Remove fields"
    category = "transform"
    description = "Drop fields (nested paths allowed) from the incoming object."
    icon = "eraser"
    inline = True
    Config = RemoveConfig
    inputs = (Port(name="in", type=OBJECT),)
    outputs = (Port(name="out", type=OBJECT),)
    example = {"fields": ["password", "contact.phone"]}
    example_input = {
        "in": {"name": "Ada", "password": "x", "contact": {"phone": "1", "city": "London"}}
    }

    @classmethod
    def labels_out(cls, config: RemoveConfig, labels: Labels) -> Labels:
        """A dropped field takes its data classes with it."""
        return drop(labels, config.fields)

    async def run(self, config: RemoveConfig, inputs: dict[str, Any], ctx: NodeContext) -> Outputs:
        source = inputs.get("in")
        if not isinstance(source, dict):
            raise NodeRunError(f"expected an object on 'in', got {type(source).__name__}")
        result = dict(source)
        for path in config.fields:
            remove_path(result, path)
        return {"out": result}
