"""Signed links (``runtime.service.durable.links``): no login, the signature is the credential.

``GET`` only shows what is asked and a button (mail scanners open links: opening one must not
decide); ``POST`` decides or delivers the callback. A bad signature, an unknown run or a run of
another tenant all get the same 404; a link used again finds the wait answered: 409, audited.
"""

from __future__ import annotations

import html
import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from nodes.flow.approval import Decision
from runtime.service.deps import State
from runtime.service.durable import links
from runtime.service.durable.answers import call_back, decide, find
from runtime.service.errors import ApiError
from runtime.store import NotFound, TenantStore, Wait

router = APIRouter(prefix=links.PATH, include_in_schema=False)
MAX_CALLBACK_BYTES = 256 * 1024


def _resolve(
    state: State, tenant: str, run_id: str, node: str, action: str, sig: str
) -> tuple[TenantStore, Wait]:
    unknown = ApiError(404, "not_found", "this link is not valid or its run no longer waits")
    if action not in ("approve", "reject", "callback"):
        raise unknown
    if not links.valid(state.config.token_secret, tenant, run_id, node, action, sig):
        raise unknown
    try:
        store = state.directory.tenant(tenant)
    except NotFound:
        raise unknown from None
    return store, find(store, run_id, node, ())


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'>"
        f"<title>{html.escape(title)}</title><body style='font-family:sans-serif;max-width:40em;"
        f"margin:2em auto;padding:0 1em'><h1>{html.escape(title)}</h1>{body}</body>",
        status_code=status,
        headers={"x-content-type-options": "nosniff", "cache-control": "no-store"},
    )


@router.get("/{tenant}/{run_id}/{node}/{action}")
async def show(
    tenant: str, run_id: str, node: str, action: str, sig: str, state: State
) -> HTMLResponse:
    _, wait = await run_in_threadpool(_resolve, state, tenant, run_id, node, action, sig)
    if wait.status != "pending":
        return _page("Already answered", f"<p>This was {html.escape(wait.status)}.</p>", 409)
    verb = {"approve": "Approve", "reject": "Reject", "callback": "Send"}[action]
    fields = "".join(
        f"<p><label>{html.escape(f.get('label') or f['name'])}<br>"
        f"<input name='{html.escape(f['name'])}'></label></p>"
        for f in wait.details.get("fields") or []
        if action == "approve"
    )
    return _page(
        wait.title or "Approval",
        f"<form method=post>{fields}<p><label>Comment<br><textarea name=comment></textarea>"
        f"</label></p><button type=submit>{verb}</button></form>",
    )


@router.post("/{tenant}/{run_id}/{node}/{action}", response_model=None)
async def answer(
    tenant: str, run_id: str, node: str, action: str, sig: str, request: Request, state: State
) -> HTMLResponse | dict[str, Any]:
    raw = await request.body()
    if len(raw) > MAX_CALLBACK_BYTES:
        raise ApiError(413, "too_large", f"a callback body holds {MAX_CALLBACK_BYTES} bytes")
    form: dict[str, Any] = {}
    body: Any = None
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    elif raw:
        try:
            body = json.loads(raw)
        except ValueError:
            raise ApiError(422, "invalid", "body: not JSON") from None
    query = {k: v for k, v in request.query_params.items() if k != "sig"}

    def act() -> Wait:
        store, wait = _resolve(state, tenant, run_id, node, action, sig)
        if action == "callback":
            return call_back(state, store, wait, body, query)
        given = form or (body if isinstance(body, dict) else {})
        comment = str(given.pop("comment", ""))
        decision: Decision = "approved" if action == "approve" else "rejected"
        return decide(
            state, store, wait, decision, actor="link", via="link", comment=comment, form=given
        )

    answered = await run_in_threadpool(act)
    if action == "callback" or not form:
        return {"run_id": answered.run_id, "node": answered.node, "status": answered.status}
    return _page("Thank you", f"<p>Recorded: {html.escape(answered.status)}.</p>")
