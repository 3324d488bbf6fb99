"""Deploy approvals (SOC2 change control): ask for one, approve someone else's (audited)."""

from __future__ import annotations

from fastapi import APIRouter, status
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from runtime.service.approvals import bundle_hash
from runtime.service.audit import audited
from runtime.service.deps import Approvals, AuditTrail, Editor, State, Versions, Viewer
from runtime.store import Approval

router = APIRouter(prefix="/approvals", tags=["approvals"])


class ApprovalRequest(BaseModel):
    graph_id: str
    version: int | None = Field(default=None, ge=1, description="Default: the latest.")


@router.post("", status_code=status.HTTP_201_CREATED)
async def request_approval(
    body: ApprovalRequest,
    auth: Editor,
    state: State,
    versions: Versions,
    approvals: Approvals,
    trail: AuditTrail,
) -> Approval:
    """Pin the compiled bundle of a version and wait for a second person to approve it."""
    principal, _ = auth
    stored = await run_in_threadpool(versions.get_graph, body.graph_id, body.version)
    executor = await run_in_threadpool(state.executor, versions, stored.graph_id, stored.version)
    pinned = bundle_hash(executor.plan)

    def change() -> Approval:
        return approvals.request_approval(
            stored.graph_id, stored.version, pinned, author=stored.author, by=principal.actor
        )

    details = {"graph_id": stored.graph_id, "version": stored.version, "bundle_hash": pinned}
    target = f"{stored.graph_id}@{stored.version}"
    return await run_in_threadpool(
        audited, principal, trail, "approval.request", target, change, details=details
    )


@router.get("/{graph_id}/{version}")
def get_approval(graph_id: str, version: int, auth: Viewer, approvals: Approvals) -> Approval:
    return approvals.get_approval(graph_id, version)


@router.post("/{graph_id}/{version}/approve")
def approve(
    graph_id: str, version: int, auth: Editor, approvals: Approvals, trail: AuditTrail
) -> Approval:
    """Approve a version someone else wrote and asked for (403 for your own)."""
    principal, _ = auth
    return audited(
        principal,
        trail,
        "approval.approve",
        f"{graph_id}@{version}",
        lambda: approvals.approve(graph_id, version, by=principal.actor),
    )
