"""Deploy approvals (SOC2 change control): ask for one, approve someone else's (audited)."""

from __future__ import annotations

from fastapi import APIRouter, status
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from runtime.service.approvals import bundle_hash
from runtime.service.audit import audited
from runtime.service.deps import Editor, State, Viewer
from runtime.store import Approval

router = APIRouter(prefix="/approvals", tags=["approvals"])


class ApprovalRequest(BaseModel):
    graph_id: str
    version: int | None = Field(default=None, ge=1, description="Default: the latest.")


@router.post("", status_code=status.HTTP_201_CREATED)
async def request_approval(body: ApprovalRequest, auth: Editor, state: State) -> Approval:
    """Pin the compiled bundle of a version and wait for a second person to approve it."""
    principal, store = auth
    stored = await run_in_threadpool(store.get_graph, body.graph_id, body.version)
    executor = await run_in_threadpool(state.executor, store, stored.graph_id, stored.version)
    pinned = bundle_hash(executor.plan)

    def change() -> Approval:
        return store.request_approval(
            stored.graph_id, stored.version, pinned, author=stored.author, by=principal.actor
        )

    details = {"graph_id": stored.graph_id, "version": stored.version, "bundle_hash": pinned}
    target = f"{stored.graph_id}@{stored.version}"
    return await run_in_threadpool(
        audited, auth, "approval.request", target, change, details=details
    )


@router.get("/{graph_id}/{version}")
def get_approval(graph_id: str, version: int, auth: Viewer) -> Approval:
    return auth[1].get_approval(graph_id, version)


@router.post("/{graph_id}/{version}/approve")
def approve(graph_id: str, version: int, auth: Editor) -> Approval:
    """Approve a version someone else wrote and asked for (403 for your own)."""
    principal, store = auth
    return audited(
        auth,
        "approval.approve",
        f"{graph_id}@{version}",
        lambda: store.approve(graph_id, version, by=principal.actor),
    )
