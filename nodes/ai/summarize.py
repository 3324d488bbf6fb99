"""Summarize text in a chosen shape and length."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from nodes.ai.common import NO_INVENTION, LlmConfig, LlmNode, ask
from nodes.base import Expr, NodeContext, Outputs
from runtime.core.errors import NodeRunError
from runtime.core.types import OBJECT, Port

SHAPES = {
    "paragraph": "one short paragraph",
    "bullets": "a bulleted list, one line per point",
    "one_line": "a single sentence",
}


class SummarizeConfig(LlmConfig):
    text: Expr = Field(default="{{ input }}", description="What to summarize.")
    style: Literal["paragraph", "bullets", "one_line"] = "paragraph"
    max_words: int = Field(default=120, ge=5, le=2000)
    focus: Expr = Field(default="", description="What the reader cares about, if anything.")


class Summarize(LlmNode[SummarizeConfig]):
    type = "ai.summarize"
    title = "Summarize"
    category = "ai"
    description = "Condense text into a paragraph, bullets or one line, optionally with a focus."
    icon = "file-text"
    Config = SummarizeConfig
    inputs = (Port(name="in"),)
    outputs = (Port(name="out", type=OBJECT, description="{summary, usage}"),)
    example = {"text": "{{ input.notes }}", "style": "bullets", "max_words": 60}
    example_input = {
        "in": {"notes": "Patient called about a refill. Prefers mornings. Allergic to penicillin."}
    }

    async def run(
        self, config: SummarizeConfig, inputs: dict[str, Any], ctx: NodeContext
    ) -> Outputs:
        text = ctx.render_text(config.text)
        if not text.strip():
            raise NodeRunError("there is no text to summarize")
        system = (
            f"Summarize the text as {SHAPES[config.style]}, in at most {config.max_words}"
            f" words. {NO_INVENTION}"
        )
        focus = ctx.render_text(config.focus)
        if focus.strip():
            system += f" Focus on: {focus}"
        reply = await ask(ctx, config, system, text)
        return {"out": {"summary": reply.text.strip(), "usage": reply.usage()}}
