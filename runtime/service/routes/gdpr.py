"""GDPR requests: erase a data subject's data (admins only; audited without the identifier)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from runtime.service.audit import audited
from runtime.service.deps import Admin, State
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
    other instances recompile the tenant's graphs within their cache's time to live.
    """
    store = auth[1]
    try:
        return await run_in_threadpool(
            audited, auth, "gdpr.erase", "subject", lambda: erase_subject(store, body.subject)
        )
    finally:
        state.forget(store.tenant_id)
