"""The Inbox: approvals waiting for the caller, and deciding them (audited, first answer wins)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from nodes.flow.approval import Decision
from runtime.service.deps import Answering, State, Viewer
from runtime.service.durable.answers import decide, find, may_decide, refused
from runtime.service.errors import ApiError
from runtime.store import Wait

router = APIRouter(prefix="/inbox", tags=["inbox"])


class InboxItem(BaseModel):
    wait: Wait
    may_decide: bool
    """Whether the caller is the assignee (a role at or above the one named, or the person)."""


class DecisionBody(BaseModel):
    decision: Literal["approve", "reject"]
    comment: str = Field(default="", max_length=5000)
    form: dict[str, Any] = Field(default_factory=dict, description="The approval's fields.")
    iteration: list[int] = Field(
        default_factory=list, max_length=8, description="Inside a for-each: the item's path."
    )


@router.get("")
def inbox(auth: Viewer, waits: Answering, mine: bool = True) -> list[InboxItem]:
    """Pending approvals, oldest first; ``mine`` (default) keeps those the caller may decide."""
    principal, _ = auth
    items = [
        InboxItem(wait=wait, may_decide=may_decide(wait, principal))
        for wait in waits.list_waits(status="pending")
        if wait.kind == "approval"
    ]
    return [item for item in items if item.may_decide or not mine]


@router.post("/{run_id}/{node}/decision")
async def decide_approval(
    run_id: str, node: str, body: DecisionBody, auth: Viewer, state: State, waits: Answering
) -> Wait:
    """Approve or reject; 404 if the run does not wait there, 409 if it was decided already."""
    principal, _ = auth

    def act() -> Wait:
        wait = find(waits, run_id, node, tuple(body.iteration))
        if not may_decide(wait, principal):
            refused(waits, wait, principal.actor, "api", "not the assignee")
            assignee = wait.details.get("assignee")
            raise ApiError(403, "forbidden", f"this approval is for {assignee}")
        decision: Decision = "approved" if body.decision == "approve" else "rejected"
        return decide(
            state,
            waits,
            wait,
            decision,
            actor=principal.actor,
            via="inbox",
            comment=body.comment,
            form=body.form,
        )

    return await run_in_threadpool(act)
