"""GDPR requests: erase a data subject's data (admins only; audited without the identifier)."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from runtime.service.audit import audited
from runtime.service.auth import Principal
from runtime.service.deps import Admin, State
from runtime.service.routes.deployments import to_lambda
from runtime.service.state import ServiceState
from runtime.store import TenantStore
from runtime.store.erasure import ErasureReport, erase_subject

router = APIRouter(prefix="/gdpr", tags=["gdpr"])


class EraseRequest(BaseModel):
    subject: str = Field(
        min_length=4,
        max_length=320,
        description="The data subject's identifier: an email, phone number or customer id.",
    )


@router.post("/erase")
async def erase(body: EraseRequest, auth: Admin, state: State) -> ErasureReport:
    """Redact every value holding the identifier from runs, conversations and graphs.

    See ``runtime.store.erasure``; this instance's caches for the tenant are dropped at once,
    other instances recompile the tenant's graphs within their cache's time to live, and in
    AWS mode the functions serving a rewritten version are redeployed from it.
    """
    store = auth[1]
    try:
        report = await run_in_threadpool(
            audited, auth, "gdpr.erase", "subject", lambda: erase_subject(store, body.subject)
        )
    finally:
        state.forget(store.tenant_id)
    if state.aws is not None and report.rewritten:
        await run_in_threadpool(_redeploy, auth, state, report)
    return report


def _redeploy(
    auth: tuple[Principal, TenantStore], state: ServiceState, report: ErasureReport
) -> None:
    """Each function whose code holds a rewritten version gets the version as it is now.

    Audited like a deploy, with the reason; the SOC2 approval of the old bundle no longer
    matches, which is the truth: the code changed, by the erasure.
    """
    from runtime.compile import build_plan

    store = auth[1]
    for deployment in store.list_deployments():
        if not report.rewrote(deployment.graph_id, deployment.version):
            continue
        stored = store.get_graph(deployment.graph_id, deployment.version)
        plan = build_plan(stored.graph)
        details = {"graph_id": stored.graph_id, "version": stored.version, "reason": "gdpr.erase"}
        audited(
            auth,
            "deployment.redeploy",
            deployment.slug,
            partial(to_lambda, state, store.tenant_id, deployment.slug, plan, stored.graph),
            details=details,
        )
