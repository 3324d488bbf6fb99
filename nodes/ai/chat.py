"""Ask a model: a system and a user prompt, both templates over the run's data."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from nodes.ai.common import LlmConfig, LlmNode, ask
from nodes.base import Expr, NodeContext, Outputs
from runtime.core.errors import NodeRunError
from runtime.core.types import OBJECT, Port


class ChatConfig(LlmConfig):
    system: Expr = Field(default="", description="Instructions: role, tone, rules.")
    prompt: Expr = Field(min_length=1, description="The message; `{{ }}` reads the run's data.")
    stream: bool = Field(
        default=False,
        description="Receive the answer as a stream (long answers never hit a read timeout).",
    )


class Chat(LlmNode[ChatConfig]):
    type = "ai.chat"
    title = "Ask AI"
    category = "ai"
    description = (
        "Send a prompt (with system instructions) to a language model; outputs its answer."
    )
    icon = "message-square"
    Config = ChatConfig
    inputs = (Port(name="in"),)
    outputs = (Port(name="out", type=OBJECT, description="{text, usage}"),)
    example = {
        "system": "You write short, friendly replies for a car dealership.",
        "prompt": "Write a one-line reply to {{ input.name }} about the {{ input.vehicle }}.",
        "max_tokens": 200,
    }
    example_input = {"in": {"name": "Ada", "vehicle": "2024 Civic"}}

    async def run(self, config: ChatConfig, inputs: dict[str, Any], ctx: NodeContext) -> Outputs:
        prompt = ctx.render_text(config.prompt)
        if not prompt.strip():
            raise NodeRunError("the prompt rendered to empty text")
        reply = await ask(ctx, config, ctx.render_text(config.system), prompt, stream=config.stream)
        return {"out": {"text": reply.text, "usage": reply.usage()}}
