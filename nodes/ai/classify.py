"""Classify text into one of the configured labels; each label is an output port to branch on.

The model may only answer with one of the label keys (an enum in the structured-output
schema), so the branch taken is always a port the graph has wired or deliberately left open.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from nodes.ai.common import LlmConfig, LlmNode, ask
from nodes.base import Expr, NodeConfig, NodeContext, Outputs
from runtime.core.errors import NodeRunError
from runtime.core.types import ERROR_PORT, ERROR_PORT_SPEC, OBJECT, Port

SYSTEM = (
    "You classify text into exactly one of the given labels. Pick the label whose description"
    " fits best and give a one-sentence reason."
)


class Label(NodeConfig):
    key: str = Field(
        pattern=r"^[a-z][a-z0-9_]{0,63}$",
        description="Output port name: lower-case letters, digits and `_`.",
    )
    description: str = Field(default="", max_length=500, description="When this label fits.")


class ClassifyConfig(LlmConfig):
    text: Expr = Field(default="{{ input }}", description="What to classify.")
    labels: list[Label] = Field(min_length=2, max_length=32)
    instructions: Expr = Field(default="", description="Extra guidance for the model.")
    max_tokens: int = Field(default=256, ge=1, le=64_000, description="Longest answer.")


def answer_schema(config: ClassifyConfig) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "label": {"type": "string", "enum": [label.key for label in config.labels]},
            "reason": {"type": "string"},
        },
        "required": ["label", "reason"],
        "additionalProperties": False,
    }


class Classify(LlmNode[ClassifyConfig]):
    type = "ai.classify"
    title = "Classify"
    category = "ai"
    description = "Let a model pick one of your labels for the text; branch on the label's port."
    icon = "tags"
    Config = ClassifyConfig
    dynamic_ports = True
    inputs = (Port(name="in"),)
    outputs = ()
    example = {
        "text": "{{ input.message }}",
        "labels": [
            {"key": "hot", "description": "Wants to buy within a month and names a vehicle."},
            {"key": "warm", "description": "Interested, but no timeline."},
            {"key": "cold", "description": "Just browsing, or not a buyer."},
        ],
    }
    example_input = {"in": {"message": "I need a Civic this week, can I test drive tomorrow?"}}

    @classmethod
    def output_ports(cls, config: ClassifyConfig) -> tuple[Port, ...]:
        seen: set[str] = set()
        ports = []
        for label in config.labels:
            if label.key not in seen and label.key != ERROR_PORT:
                seen.add(label.key)
                ports.append(Port(name=label.key, type=OBJECT, description=label.description))
        return (*ports, ERROR_PORT_SPEC)

    @classmethod
    def check(cls, config: ClassifyConfig) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        seen: set[str] = set()
        for i, label in enumerate(config.labels):
            if label.key == ERROR_PORT:
                problems.append((f"labels[{i}].key", "'error' is reserved; choose another key"))
            elif label.key in seen:
                problems.append((f"labels[{i}].key", f"duplicate label '{label.key}'"))
            seen.add(label.key)
        return problems

    async def run(
        self, config: ClassifyConfig, inputs: dict[str, Any], ctx: NodeContext
    ) -> Outputs:
        text = ctx.render_text(config.text)
        if not text.strip():
            raise NodeRunError("there is no text to classify")
        labels = "\n".join(f"- {label.key}: {label.description}" for label in config.labels)
        instructions = ctx.render_text(config.instructions)
        system = f"{SYSTEM}\n\nLabels:\n{labels}"
        if instructions.strip():
            system += f"\n\n{instructions}"
        reply = await ask(
            ctx, config, system, text, json_schema=answer_schema(config), schema_name="classify"
        )
        label = reply.data["label"]
        return {
            label: {
                "label": label,
                "reason": reply.data.get("reason", ""),
                "input": inputs.get("in"),
                "usage": reply.usage(),
            }
        }
