"""Start a run by hand from the builder, with a sample payload to design against."""

from __future__ import annotations

import copy
from typing import Any

from pydantic import Field

from nodes.base import NodeConfig, NodeContext, NodeType, Outputs
from runtime.core.types import ANY, Port


class ManualConfig(NodeConfig):
    sample: dict[str, Any] = Field(
        default_factory=dict,
        description="Payload used when the run is started without one (the builder's Run button).",
    )


class Manual(NodeType[ManualConfig]):
    type = "trigger.manual"
    title = "Manual trigger"
    category = "trigger"
    description = "Start the workflow by hand; emits the given payload, or the sample if none."
    icon = "play"
    inline = True
    Config = ManualConfig
    trigger = True
    inputs = ()
    outputs = (Port(name="out", type=ANY),)
    example = {"sample": {"lead": {"name": "Ada Lovelace", "email": "ada@example.com"}}}

    async def run(self, config: ManualConfig, inputs: dict[str, Any], ctx: NodeContext) -> Outputs:
        event = ctx.scope.get("trigger")
        # A copy, so nothing downstream can ever alter the saved sample.
        return {"out": copy.deepcopy(event if event is not None else config.sample)}
