"""Deployed graphs as HTTP endpoints: ``/t/{tenant}/{slug}``.

Authentication is the tenant's API key unless the graph's webhook trigger is public and the
tenant allows public endpoints. Who may see what:
- no credential on a private endpoint -> 401, whether or not the slug exists;
- a credential of another tenant -> 404, exactly as an unknown slug, so nothing is probed;
- a valid key for this tenant -> the run, or 404 for an unknown slug.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.routing import Route

from nodes.http.headers import header_name_problem
from nodes.http.respond import ORIGIN_HEADERS
from nodes.registry import default_registry
from runtime.service.deps import principal_from_key, secret_from_headers
from runtime.service.errors import ApiError, not_found
from runtime.service.idempotency import IdempotencyKey, queue_once, run_once
from runtime.service.lookups import CacheMiss
from runtime.service.run_recording import (
    Prepared,
    RecordingStore,
    execute_and_record,
    prepare,
    start_background_run,
)
from runtime.service.state import ServiceState
from runtime.store import Deployment, InvalidInput, NotFound, RunRecord

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
log = logging.getLogger(__name__)


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "too_large", f"the request body is larger than {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "too_large", f"the request body is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"{text} is too large for a JSON number")
    return value


def _parse_body(raw: bytes, content_type: str) -> Any:
    if not raw:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "bad_request", "the request body is not UTF-8 text") from None
    if "json" in content_type or (not content_type and text.lstrip()[:1] in ("{", "[")):
        try:
            return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
        except (json.JSONDecodeError, RecursionError, ValueError) as exc:
            raise ApiError(
                400, "bad_request", f"the request body is not valid JSON: {exc}"[:300]
            ) from None
    return text


@dataclass(frozen=True, slots=True)
class Target:
    store: RecordingStore
    deployment: Deployment
    prepared: Prepared
    trigger_id: str
    trigger_config: dict[str, Any]
    http: bool
    """Only a graph whose trigger answers HTTP (the webhook) is an endpoint."""


def _target(state: ServiceState, store: RecordingStore, deployment: Deployment) -> Target:
    prepared = prepare(state, store, deployment.graph_id, deployment.version)
    plan = prepared.executor.plan
    step = plan.steps[plan.trigger]
    trigger_type = default_registry().get(step.type, step.version)
    http = trigger_type is not None and trigger_type.needs_response
    return Target(store, deployment, prepared, plan.trigger, dict(step.config), http)


def _resolve(state: ServiceState, tenant: str, slug: str, secret: str | None) -> Target:
    """Find the deployment and check the caller may run it, revealing nothing on the way."""
    if secret is not None:
        found = principal_from_key(state, secret)
        if found is None:
            raise ApiError(401, "unauthorized", "the API key is not valid")
        principal, store = found
        if principal.tenant_id != tenant:
            raise not_found("endpoint")
        try:
            target = _target(state, store, state.lookups.deployment(store, slug))
        except NotFound:
            raise not_found("endpoint") from None
        if not target.http:
            raise not_found("endpoint")
        return target
    refused = ApiError(401, "unauthorized", "send the tenant's API key in X-API-Key")
    try:
        store = state.directory.tenant(tenant)
        deployment = state.lookups.deployment(store, slug)
    except (NotFound, InvalidInput):  # a malformed slug must not reveal the tenant exists
        raise refused from None
    target = _target(state, store, deployment)
    public = target.http and target.trigger_config.get("auth") == "public"
    if not public or not state.lookups.settings(store).public_endpoints:
        raise refused
    return target


NOSNIFF = {"x-content-type-options": "nosniff"}
"""On every endpoint answer: a graph's text must never be sniffed into HTML on the API's origin."""


def _graph_headers(raw: Any) -> dict[str, str]:
    """The headers of a run's output that may be sent.

    A respond node cannot hold an origin header (refused when the graph is saved), but an
    output that is not a respond node's (an unfired responder leaves the sinks' output, which
    can be the caller's JSON) or a graph saved before the rule can: such headers are dropped
    here, as are names and values a respond node would have refused.
    """
    headers: dict[str, str] = {}
    if not isinstance(raw, dict):
        return headers
    for name, value in raw.items():
        name, text = str(name), str(value)
        lower = name.lower()
        if lower in ORIGIN_HEADERS or header_name_problem(name) or not text.isprintable():
            log.warning("endpoint response header %.60r dropped", name)
            continue
        headers[lower] = text
    return headers


def _respond(record: RunRecord, trigger_id: str) -> Response:
    headers = {"x-auterity-run-id": record.run_id, **NOSNIFF}
    if record.status == "waiting":
        # The run waits for a person, a callback or a timer: like ``?async=1``, say where
        # its outcome will be.
        poll = f"/api/v1/runs/{record.run_id}"
        return JSONResponse(
            {"run_id": record.run_id, "status": "waiting", "poll": poll},
            status_code=202,
            headers={**headers, "location": poll},
        )
    if record.status != "succeeded":
        error = record.error or {}
        if record.status == "timed_out":
            code, status = "timed_out", 504
        elif error.get("node") == trigger_id:  # the trigger refused the request itself
            code, status = "bad_request", 400
        else:
            code, status = "run_failed", 502
        failure = {
            "error": {
                "code": code,
                "message": error.get("message", record.status),
                "node": error.get("node"),
                "run_id": record.run_id,
            }
        }
        return JSONResponse(failure, status_code=status, headers=headers)
    output = record.output
    if isinstance(output, dict) and {"status", "body"} <= output.keys():
        headers.update(_graph_headers(output.get("headers")))
        body = output.get("body")
        media = headers.get("content-type", "application/json")
        if isinstance(body, str) and "json" not in media:
            return Response(body, status_code=int(output["status"]), headers=headers)
        return JSONResponse(body, status_code=int(output["status"]), headers=headers)
    return JSONResponse(output, headers=headers)


async def _resolve_fast(state: ServiceState, tenant: str, slug: str, secret: str | None) -> Target:
    """Resolve from the lookups cache on the event loop; only a miss pays a worker-thread hop."""
    if secret is not None:
        try:
            with state.lookups.cached_only():
                return _resolve(state, tenant, slug, secret)
        except CacheMiss:
            pass
    return await run_in_threadpool(_resolve, state, tenant, slug, secret)


async def call_endpoint(request: Request) -> Response:
    """A plain Starlette endpoint: FastAPI's dependency solving cost more than this route needs.

    Errors still go through the app's handlers (``ApiError`` -> JSON), as for every route.
    """
    state: ServiceState = request.app.state.auterity
    tenant, slug = request.path_params["tenant"], request.path_params["slug"]
    headers = request.headers
    secret = secret_from_headers(headers.get("authorization"), headers.get("x-api-key"))
    target = await _resolve_fast(state, tenant, slug, secret)
    store, deployment = target.store, target.deployment
    methods = target.trigger_config.get("methods") or ["POST"]
    if request.method not in methods:
        raise ApiError(
            405,
            "method_not_allowed",
            f"{request.method} is not allowed here; use {', '.join(methods)}",
            headers={"allow": ", ".join(methods)},
        )
    raw = await _read_body(request, state.config.max_body_bytes)
    event = {
        "method": request.method,
        "path": f"/t/{tenant}/{slug}",
        "headers": dict(request.headers),
        "query": dict(request.query_params),
        "body": _parse_body(raw, request.headers.get("content-type", "")),
    }
    key = request.headers.get("idempotency-key")
    if request.query_params.get("async") in ("1", "true"):
        if key:
            queued = await queue_once(
                state, store, IdempotencyKey(slug=slug, key=key), deployment=deployment, event=event
            )
        else:
            queued = await start_background_run(
                state,
                store,
                graph_id=deployment.graph_id,
                version=deployment.version,
                event=event,
                slug=slug,
            )
        poll = f"/api/v1/runs/{queued.run_id}"
        return JSONResponse(
            {"run_id": queued.run_id, "status": queued.status, "poll": poll},
            status_code=202,
            headers={"location": poll, **NOSNIFF},
        )
    if key:
        record = await run_once(
            state, store, IdempotencyKey(slug=slug, key=key), deployment=deployment, event=event
        )
    else:
        record = await execute_and_record(
            state,
            store,
            graph_id=deployment.graph_id,
            version=deployment.version,
            event=event,
            trigger="http",
            slug=slug,
            actor="endpoint",
            prepared=target.prepared,
        )
    return _respond(record, target.trigger_id)


route = Route("/t/{tenant}/{slug}", call_endpoint, methods=METHODS, include_in_schema=False)
route.methods = set(METHODS)  # Starlette adds HEAD beside GET; a trigger names its methods
