"""GDPR requests: erase a data subject's data (admins only; audited without the identifier)."""

from __future__ import annotations

from functools import partial
from typing import Protocol

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from runtime.core.errors import CompileError
from runtime.service.audit import audited
from runtime.service.auth import Principal
from runtime.service.deps import Admin, State, WholeStore
from runtime.service.errors import ApiError
from runtime.service.gate import GateStore, pass_gate, to_lambda
from runtime.service.routes.deployments import take_down
from runtime.service.state import ServiceState
from runtime.store.erasure import ErasureReport, erase_subject
from runtime.store.slices import AuditStore, DeploymentStore

router = APIRouter(prefix="/gdpr", tags=["gdpr"])


class EraseRequest(BaseModel):
    subject: str = Field(
        min_length=4,
        max_length=320,
        description="The data subject's identifier: an email, phone number or customer id.",
    )


class RedeployStore(GateStore, DeploymentStore, AuditStore, Protocol):
    """What passing the rewritten deployments through the gate again touches."""


@router.post("/erase")
async def erase(
    body: EraseRequest,
    auth: Admin,
    state: State,
    store: WholeStore,  # erase_subject rewrites every kind of item through the store's table
) -> ErasureReport:
    """Redact every value holding the identifier from runs, conversations and graphs.

    See ``runtime.store.erasure``; this instance's caches for the tenant are dropped at once,
    other instances recompile the tenant's graphs within their cache's time to live, and each
    deployment of a rewritten version passes the deploy gate again (``_redeploy``).
    """
    principal, _ = auth
    try:
        report = await run_in_threadpool(
            audited,
            principal,
            store,
            "gdpr.erase",
            "subject",
            lambda: erase_subject(store, body.subject),
        )
    finally:
        state.forget(store.tenant_id)
    if report.rewritten:
        await run_in_threadpool(_redeploy, principal, store, state, report)
        state.forget(store.tenant_id)
    return report


def _redeploy(
    principal: Principal, store: RedeployStore, state: ServiceState, report: ErasureReport
) -> None:
    """Each deployment of a rewritten version passes the deploy gate again.

    The rewritten version is what the endpoint runs from now on (the service compiles it
    anew; in AWS mode its function is rebuilt from it, so no function keeps the old text). If
    it no longer passes (a finding, or SOC2: the approved bundle is not this one), it is not
    served at all: the deployment is taken down, audited with the gate's reason, and listed in
    the report; the old text cannot stay live either.
    """
    for deployment in store.list_deployments():
        if not report.rewrote(deployment.graph_id, deployment.version):
            continue
        slug = deployment.slug
        try:
            passed = pass_gate(store, deployment.graph_id, deployment.version)
        except (ApiError, CompileError) as refused:
            reason = refused.message if isinstance(refused, ApiError) else str(refused)
            details = {"graph_id": deployment.graph_id, "version": deployment.version}
            details |= {"reason": "gdpr.erase", "gate": reason[:300]}
            down = partial(take_down, state, store, slug)
            audited(principal, store, "deployment.undeploy", slug, down, details=details)
            report.undeployed.append(slug)
            continue
        if state.aws is not None:
            details = {**passed.details, "reason": "gdpr.erase"}
            ship = partial(to_lambda, state, slug, passed, deployment.workflow)
            audited(principal, store, "deployment.redeploy", slug, ship, details=details)
