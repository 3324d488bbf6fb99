"""Render text from a template: an e-mail body, a Slack message, a prompt."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from nodes.base import Expr, NodeConfig, NodeContext, NodeType, Outputs
from nodes.paths import FieldPath, set_path
from runtime.core.errors import NodeRunError
from runtime.core.types import ANY, Port


class TemplateConfig(NodeConfig):
    template: Expr = Field(
        description="Text with `{{ expressions }}`; values are inserted as text."
    )
    output_field: FieldPath | None = Field(
        default=None,
        description="Write the text into this field of the incoming object instead of emitting it.",
    )


class Template(NodeType[TemplateConfig]):
    type = "transform.template"
    title = "Template"
    category = "transform"
    description = "Render a text template; emit the text or store it in a field of the input."
    icon = "file-text"
    inline = True
    Config = TemplateConfig
    inputs = (Port(name="in", type=ANY),)
    outputs = (
        Port(name="out", type=ANY, description="The text, or the input with the text added."),
    )
    example = {
        "template": "Hi {{ input.name }}, your score is {{ input.score }}.",
        "output_field": "message",
    }
    example_input = {"in": {"name": "Ada", "score": 90}}

    async def run(
        self, config: TemplateConfig, inputs: dict[str, Any], ctx: NodeContext
    ) -> Outputs:
        text = ctx.render_text(config.template)
        if config.output_field is None:
            return {"out": text}
        source = inputs.get("in")
        if not isinstance(source, dict):
            raise NodeRunError(f"output_field needs an object on 'in', got {type(source).__name__}")
        result = dict(source)
        set_path(result, config.output_field, text)
        return {"out": result}
