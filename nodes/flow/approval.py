"""Pause the run until a person approves or rejects (n8n's "send and wait", Dify's Human Input).

The node only asks (``Suspend``); the run waits without holding anything. The decision arrives
through the builder's Inbox, the API or a signed link, and becomes this node's output on
``approved`` or ``rejected``; nobody deciding before the timeout fires ``timeout``. What the
approver fills in (``fields``) is checked here (``form_values``), by the same code for every
way of answering.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import Field

from nodes.base import Expr, NodeConfig, NodeContext, NodeType, Outputs
from runtime.core.types import Port
from runtime.core.waiting import Suspend, WaitRequest, deadline

YEAR_SECONDS = 365 * 86_400
Decision = Literal["approved", "rejected"]


class FormField(NodeConfig):
    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$", description="Key in the output.")
    label: str = Field(default="", max_length=200)
    type: Literal["text", "number", "boolean", "choice"] = "text"
    required: bool = False
    options: list[str] = Field(
        default_factory=list, max_length=50, description="The choices of a `choice` field."
    )


class ApprovalConfig(NodeConfig):
    title: Expr = Field(
        default="Approve this?",
        max_length=500,
        description="What the approver is asked, e.g. `Discount of {{ input.discount }}%`.",
    )
    assignee: str = Field(
        default="role:editor",
        pattern=r"^(role:(viewer|editor|admin)|user:[^@\s#]{1,64}@[^@\s#]{1,190})$",
        description="Who may decide: `role:editor` (or admin), or one person `user:ana@acme.com`.",
    )
    fields: list[FormField] = Field(
        default_factory=list, max_length=20, description="What the approver fills in."
    )
    timeout_seconds: float | None = Field(
        default=None,
        ge=1,
        le=YEAR_SECONDS,
        description="Take the `timeout` branch when nobody decided within this (none: wait).",
    )


def _value(field: FormField, raw: Any) -> Any:
    if field.type == "number":
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
            raise ValueError(f"form.{field.name}: expected a number")
        return raw
    if field.type == "boolean":
        if not isinstance(raw, bool):
            raise ValueError(f"form.{field.name}: expected true or false")
        return raw
    if not isinstance(raw, str) or len(raw) > 5000:
        raise ValueError(f"form.{field.name}: expected text (5,000 characters at most)")
    if field.type == "choice" and raw not in field.options:
        raise ValueError(f"form.{field.name}: expected one of {', '.join(field.options)}")
    return raw


def form_values(
    fields: list[dict[str, Any]], submitted: dict[str, Any], *, required: bool = True
) -> dict[str, Any]:
    """The approver's answers held to the form; ``ValueError`` names the first bad field.

    ``required`` fields are required to approve; a rejection may leave them empty.
    """
    form = [FormField.model_validate(f) for f in fields]
    names = {f.name for f in form}
    unknown = sorted(set(submitted) - names)
    if unknown:
        raise ValueError(f"form.{unknown[0]}: this approval has no such field")
    values: dict[str, Any] = {}
    for field in form:
        raw = submitted.get(field.name)
        if raw is None or raw == "":
            if field.required and required:
                raise ValueError(f"form.{field.name}: required")
            continue
        values[field.name] = _value(field, raw)
    return values


def decision_outputs(
    decision: Decision | Literal["timed_out"],
    *,
    by: str,
    at: str,
    comment: str,
    form: dict[str, Any],
    input: Any,
) -> dict[str, Any]:
    """What the node fires once decided: on the port named by the decision."""
    port = {"approved": "approved", "rejected": "rejected", "timed_out": "timeout"}[decision]
    return {
        port: {
            "decision": decision,
            "by": by,
            "at": at,
            "comment": comment,
            "form": form,
            "input": input,
        }
    }


class Approval(NodeType[ApprovalConfig]):
    type = "flow.approval"
    title = "Approval"
    category = "flow"
    description = (
        "Pause the run until a person approves or rejects it (Inbox, API or a signed link);"
        " the run holds nothing while it waits."
    )
    icon = "user-check"
    Config = ApprovalConfig
    inputs = (Port(name="in"),)
    outputs = (
        Port(name="approved", label="Approved"),
        Port(name="rejected", label="Rejected"),
        Port(name="timeout", label="Timed out"),
    )
    example = {
        "title": "Discount of {{ input.discount }}% for {{ input.customer }}",
        "assignee": "role:editor",
        "fields": [{"name": "note", "label": "Note for the customer", "type": "text"}],
        "timeout_seconds": 86_400,
    }
    example_input = {"in": {"customer": "Ada", "discount": 15}}

    async def run(
        self, config: ApprovalConfig, inputs: dict[str, Any], ctx: NodeContext
    ) -> Outputs:
        value = inputs.get("in")
        timeout = decision_outputs("timed_out", by="timer", at="", comment="", form={}, input=value)
        raise Suspend(
            WaitRequest(
                kind="approval",
                until=deadline(config.timeout_seconds),
                on_timeout=timeout if config.timeout_seconds is not None else None,
                title=str(ctx.render_text(config.title))[:500],
                details={
                    "assignee": config.assignee,
                    "fields": [f.model_dump() for f in config.fields],
                },
            )
        )
