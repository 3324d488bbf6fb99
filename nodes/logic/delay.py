"""Wait, then pass the input on: pauses between calls, follow-ups a day or a month later.

Where the run is durable (a stored version run by the service: ``RunOptions.durable_waits``),
a delay longer than ``sleep_limit_seconds`` becomes a timer: the node suspends the run, which
holds no worker, thread or connection until the sweeper fires the timer and resumes it, so a
delay can last up to a year (Step Functions' own limit). Shorter delays, and every delay where
nothing keeps the run (a test run of a draft, the CLI), are an ``asyncio.sleep`` that cancelling
the run cancels at once, bounded by the tenant's ``max_delay_seconds``.
"""

from __future__ import annotations

import asyncio
import math
from typing import Annotated, Any

from pydantic import Field

from nodes.base import Expr, NodeConfig, NodeContext, NodeType, Outputs
from runtime.core.errors import NodeRunError
from runtime.core.types import Port
from runtime.core.waiting import Suspend, WaitRequest, deadline

YEAR_SECONDS = 365 * 86_400
Seconds = Annotated[float, Field(ge=0, le=YEAR_SECONDS)]


class DelayConfig(NodeConfig):
    seconds: Seconds | Expr = Field(
        default=1.0,
        description="Seconds to wait, or an expression giving them, e.g. `{{ input.wait }}`.",
        json_schema_extra={"x-expression": "template"},
    )


def _as_seconds(value: Any) -> float:
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise NodeRunError(f"delay must be a number of seconds, got {value[:40]!r}") from None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise NodeRunError(f"delay must be a number of seconds, got {type(value).__name__}")
    try:
        seconds = float(value)
    except OverflowError:
        seconds = math.inf
    if not math.isfinite(seconds) or seconds < 0:
        raise NodeRunError(f"delay must be a non-negative number of seconds, got {seconds}")
    return seconds


class Delay(NodeType[DelayConfig]):
    type = "logic.delay"
    title = "Delay"
    category = "logic"
    description = "Wait a number of seconds, then pass the input on unchanged."
    icon = "clock"
    Config = DelayConfig
    inputs = (Port(name="in"),)
    outputs = (Port(name="out"),)
    example = {"seconds": "{{ input.retry_after }}"}
    example_input = {"in": {"retry_after": 0.01}}

    def seconds_to_wait(self, config: DelayConfig, ctx: NodeContext) -> float:
        """The wait this run asks for, checked against the workspace's limit.

        Apart from ``run`` so that a host that waits durably (a Step Functions Wait state)
        computes and refuses exactly what the sleeping node would.
        """
        raw = config.seconds
        seconds = _as_seconds(ctx.render(raw) if isinstance(raw, str) else raw)
        if seconds > YEAR_SECONDS:
            raise NodeRunError(f"a delay of {seconds:g} s is longer than a year")
        if self.durable(seconds, ctx):
            return seconds
        limit = ctx.options.max_delay_seconds
        if seconds > limit:
            raise NodeRunError(
                f"a delay of {seconds:g} s is longer than this workspace allows ({limit:g} s)"
            )
        return seconds

    @staticmethod
    def durable(seconds: float, ctx: NodeContext) -> bool:
        """Whether this delay is a timer the run waits on rather than a sleep."""
        return ctx.options.durable_waits and seconds > ctx.options.sleep_limit_seconds

    async def run(self, config: DelayConfig, inputs: dict[str, Any], ctx: NodeContext) -> Outputs:
        seconds = self.seconds_to_wait(config, ctx)
        if self.durable(seconds, ctx):
            raise Suspend(
                WaitRequest(
                    kind="timer",
                    until=deadline(seconds),
                    on_timeout={"out": inputs.get("in")},
                    title=f"Delay of {seconds:g} s",
                )
            )
        await asyncio.sleep(seconds)
        return {"out": inputs.get("in")}
