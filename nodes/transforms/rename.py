"""Rename (move) fields of the incoming object, nested paths included."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from nodes.base import NodeConfig, NodeContext, NodeType, Outputs
from nodes.dataflow import Labels, move
from nodes.paths import MISSING, FieldPath, lookup, remove_path, set_path
from runtime.core.errors import NodeRunError
from runtime.core.types import OBJECT, Port


class Rename(NodeConfig):
    source: FieldPath = Field(alias="from", description="Field to move, e.g. `lead.mail`.")
    target: FieldPath = Field(alias="to", description="New path, e.g. `lead.email`.")


class RenameConfig(NodeConfig):
    fields: list[Rename] = Field(default_factory=list, max_length=200)
    missing: Literal["skip", "error"] = Field(
        default="skip", description="What to do when a `from` field is not in the input."
    )


class RenameFields(NodeType[RenameConfig]):
    type = "transform.rename"
    title = "Rename fields"
    category = "transform"
    description = "Move fields to new names; renames apply in order and overwrite the target."
    icon = "arrow-right-left"
    inline = True
    Config = RenameConfig
    inputs = (Port(name="in", type=OBJECT),)
    outputs = (Port(name="out", type=OBJECT),)
    example = {"fields": [{"from": "mail", "to": "contact.email"}], "missing": "skip"}
    example_input = {"in": {"name": "Ada", "mail": "ada@example.com"}}

    @classmethod
    def labels_out(cls, config: RenameConfig, labels: Labels) -> Labels:
        """A moved field's data classes move with it."""
        for rename in config.fields:
            if rename.source != rename.target:
                labels = move(labels, rename.source, rename.target)
        return labels

    async def run(self, config: RenameConfig, inputs: dict[str, Any], ctx: NodeContext) -> Outputs:
        source = inputs.get("in")
        if not isinstance(source, dict):
            raise NodeRunError(f"expected an object on 'in', got {type(source).__name__}")
        result = dict(source)
        for i, rename in enumerate(config.fields):
            value = lookup(result, rename.source)
            if value is MISSING:
                if config.missing == "error":
                    raise NodeRunError(
                        f"fields[{i}].from: field {rename.source!r} is not in the input"
                    )
                continue
            if rename.source == rename.target:
                continue
            remove_path(result, rename.source)
            set_path(result, rename.target, value)
        return {"out": result}
