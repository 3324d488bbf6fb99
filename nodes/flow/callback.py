"""Pause the run until an external system calls back (n8n's Wait "on webhook call").

The run's signed callback URL (``{{ run.links.<this node>.callback }}``) is known before the node
waits, so an earlier node can hand it to the system that will answer (a payment provider, an
e-signature service). The body it POSTs becomes this node's ``out``; no call before the
timeout fires ``timeout`` with the node's input.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from nodes.base import Expr, NodeConfig, NodeContext, NodeType, Outputs
from nodes.flow.approval import YEAR_SECONDS
from runtime.core.types import Port
from runtime.core.waiting import Suspend, WaitRequest, deadline


class CallbackConfig(NodeConfig):
    title: Expr = Field(
        default="Waiting for a callback",
        max_length=500,
        description="What the run waits for, shown in the run's trace and the Inbox.",
    )
    timeout_seconds: float | None = Field(
        default=None,
        ge=1,
        le=YEAR_SECONDS,
        description="Take the `timeout` branch when no call came within this (none: wait).",
    )


def callback_outputs(body: Any, query: dict[str, str], at: str) -> dict[str, Any]:
    """What the node fires when the call comes: the body as sent, the query, the time."""
    return {"out": {"body": body, "query": query, "received_at": at}}


class WaitForCallback(NodeType[CallbackConfig]):
    type = "flow.wait_for_callback"
    title = "Wait for callback"
    category = "flow"
    description = (
        "Pause the run until an external system POSTs to the run's signed callback URL;"
        " its body becomes this node's output."
    )
    icon = "webhook"
    Config = CallbackConfig
    inputs = (Port(name="in"),)
    outputs = (Port(name="out", label="Called back"), Port(name="timeout", label="Timed out"))
    example = {"title": "Signature of {{ input.contract }}", "timeout_seconds": 3600}
    example_input = {"in": {"contract": "C-7"}}

    async def run(
        self, config: CallbackConfig, inputs: dict[str, Any], ctx: NodeContext
    ) -> Outputs:
        value = inputs.get("in")
        raise Suspend(
            WaitRequest(
                kind="callback",
                until=deadline(config.timeout_seconds),
                on_timeout={"timeout": value} if config.timeout_seconds is not None else None,
                title=str(ctx.render_text(config.title))[:500],
            )
        )
