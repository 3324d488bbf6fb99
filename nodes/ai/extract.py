"""Structured extraction: text in, an object matching the JSON Schema in the config out.

The provider is asked for schema-constrained output, the answer is validated against the
schema, and an invalid one gets exactly one repair attempt before the router moves on.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from nodes.ai.common import NO_INVENTION, LlmConfig, LlmNode, ask
from nodes.base import Expr, NodeContext, Outputs
from runtime.core.errors import NodeRunError
from runtime.core.llm.structured import schema_problems
from runtime.core.types import OBJECT, Port

SYSTEM = (
    "You extract structured data from text. Answer with the fields the schema defines. "
    f"{NO_INVENTION} Use null for anything the text does not say."
)


class ExtractConfig(LlmConfig):
    text: Expr = Field(default="{{ input }}", description="What to extract from.")
    instructions: Expr = Field(default="", description="Extra guidance for the model.")
    output_schema: dict[str, Any] = Field(
        description="JSON Schema of the result; the root must be an object."
    )


class Extract(LlmNode[ExtractConfig]):
    type = "ai.extract"
    title = "Extract data"
    category = "ai"
    description = "Pull fields out of text into an object that matches a JSON Schema."
    icon = "scan-text"
    Config = ExtractConfig
    inputs = (Port(name="in"),)
    outputs = (Port(name="out", type=OBJECT, description="{data, usage}"),)
    example = {
        "text": "{{ input.message }}",
        "output_schema": {
            "type": "object",
            "properties": {
                "name": {"type": ["string", "null"]},
                "vehicle": {"type": ["string", "null"]},
                "budget": {"type": ["number", "null"]},
            },
            "required": ["name", "vehicle", "budget"],
        },
    }
    example_input = {"in": {"message": "Hi, I'm Ada and I'd like a Civic for about $25k."}}

    @classmethod
    def check(cls, config: ExtractConfig) -> list[tuple[str, str]]:
        schema = config.output_schema
        if schema.get("type") != "object":
            return [("output_schema", 'the root must be {"type": "object", ...}')]
        return [("output_schema", problem) for problem in schema_problems(schema)]

    async def run(self, config: ExtractConfig, inputs: dict[str, Any], ctx: NodeContext) -> Outputs:
        text = ctx.render_text(config.text)
        if not text.strip():
            raise NodeRunError("there is no text to extract from")
        instructions = ctx.render_text(config.instructions)
        system = f"{SYSTEM}\n\n{instructions}" if instructions.strip() else SYSTEM
        reply = await ask(
            ctx, config, system, text, json_schema=config.output_schema, schema_name="extract"
        )
        return {"out": {"data": reply.data, "usage": reply.usage()}}
