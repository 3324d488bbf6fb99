"""Lambda-signature handlers over a plan: one for the whole run, one per node (a step).

The per-node handler is what a Step Functions state would invoke: it receives the trigger
event and the upstream outputs, runs exactly one node with the same skip, retry, timeout and
error-port rules as the in-process executor (it *is* the executor, asked for one node), and
returns that node's outputs or failure as JSON.

What surrounds each invocation (the tenant's options, the model session, closing the clients
a run opened) is a ``RunScope`` the caller passes: ``runtime.deployed.handlers`` gives the
deployed function's; the engine knows nothing of tenants or AI.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nodes.registry import Registry
from runtime.core.options import RunOptions
from runtime.engine.executor import Executor
from runtime.engine.plan import Plan
from runtime.engine.trace import NodeFailure, RunResult

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
RunScope = Callable[[], AbstractAsyncContextManager[RunOptions | None]]
"""Entered around each invocation on its event loop; yields the run's options (None: the
defaults) and cleans up after the run."""


@asynccontextmanager
async def no_scope() -> AsyncIterator[RunOptions | None]:
    yield None


def load_bundle_plan(path: Path) -> Plan:
    return Plan.model_validate_json(path.read_bytes())


def _is_api_gateway(event: dict[str, Any]) -> bool:
    return "httpMethod" in event or "requestContext" in event


def _from_api_gateway(event: dict[str, Any]) -> dict[str, Any]:
    """API Gateway proxy event -> the webhook trigger's event shape."""
    body: Any = event.get("body")
    if isinstance(body, str) and body and event.get("isBase64Encoded"):
        # Not base64 text after all: hand the raw string to the trigger to judge.
        with contextlib.suppress(binascii.Error, UnicodeDecodeError):
            body = base64.b64decode(body, validate=True).decode("utf-8")
    if isinstance(body, str) and body:
        with contextlib.suppress(json.JSONDecodeError):
            body = json.loads(body)
    method = event.get("httpMethod") or (
        event.get("requestContext", {}).get("http", {}).get("method", "POST")
    )
    return {
        "method": method,
        "path": event.get("path") or event.get("rawPath") or "/",
        "headers": {k.lower(): v for k, v in (event.get("headers") or {}).items()},
        "query": event.get("queryStringParameters") or {},
        "body": body,
    }


def api_gateway_answer(result: RunResult, plan: Plan) -> dict[str, Any]:
    json_headers = {"content-type": "application/json"}
    if result.status != "succeeded":
        error = result.error.model_dump() if result.error else {}
        if result.status == "timed_out":
            status = 504
        elif result.error is not None and result.error.node == plan.trigger:
            status = 400  # the trigger refused the request itself: the caller must fix it
        else:
            status = 500
        text = json.dumps({"error": error, "run_id": result.run_id})
        return {"statusCode": status, "headers": json_headers, "body": text}
    if result.responder is None or not isinstance(result.output, dict):
        return {"statusCode": 200, "headers": json_headers, "body": json.dumps(result.output)}
    out = result.output
    body = out.get("body")
    return {
        "statusCode": out.get("status", 200),
        "headers": {**json_headers, **(out.get("headers") or {})},
        "body": body if isinstance(body, str) else json.dumps(body),
    }


def make_run_handler(
    plan: Plan, registry: Registry | None = None, scope: RunScope = no_scope
) -> Handler:
    executor = Executor(plan, registry)

    async def run(trigger: Any, run_id: str | None) -> RunResult:
        async with scope() as options:
            return await executor.run(trigger, run_id=run_id, options=options)

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        apigw = isinstance(event, dict) and _is_api_gateway(event)
        trigger = _from_api_gateway(event) if apigw else event
        result = asyncio.run(run(trigger, getattr(context, "aws_request_id", None)))
        if apigw:
            return api_gateway_answer(result, plan)
        return result.model_dump(mode="json")

    return handler


class StepEvent(BaseModel):
    """What a step handler receives: the run's trigger event and what ran before."""

    model_config = ConfigDict(extra="forbid")

    run_id: str = "step"
    trigger: Any = None
    upstream: dict[str, dict[str, Any]] = Field(default_factory=dict)
    """Fired outputs of the nodes that already ran: ``{node: {port: value}}``."""
    item: Any = None
    iteration: list[int] = Field(default_factory=list)
    options: RunOptions = Field(default_factory=RunOptions)


class StepResult(BaseModel):
    node: str
    status: str
    outputs: dict[str, Any] = Field(default_factory=dict)
    error: NodeFailure | None = None
    attempts: int = 0
    duration_ms: float = 0.0


def make_step_handler(
    plan: Plan, node_id: str, registry: Registry | None = None, scope: RunScope = no_scope
) -> Handler:
    executor = Executor(plan, registry)
    if node_id not in plan.steps:
        raise KeyError(f"plan has no node {node_id!r}")

    async def run_one(event: StepEvent) -> StepResult:
        async with scope():  # the event carries the run's options
            entry, outputs = await executor.run_step(
                node_id,
                trigger=event.trigger,
                upstream=event.upstream,
                item=event.item,
                iteration=tuple(event.iteration),
                run_id=event.run_id,
                options=event.options,
            )
        return StepResult(
            node=node_id,
            status=entry.status,
            outputs=outputs,
            error=entry.error,
            attempts=entry.attempts,
            duration_ms=entry.duration_ms,
        )

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        try:
            parsed = StepEvent.model_validate(event)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "event"
            failure = NodeFailure(node=node_id, message=f"{where}: {first['msg']}", type="BadEvent")
            return StepResult(node=node_id, status="failed", error=failure).model_dump(mode="json")
        return asyncio.run(run_one(parsed)).model_dump(mode="json")

    return handler


def step_handlers(plan: Plan, registry: Registry | None = None) -> dict[str, Handler]:
    return {node_id: make_step_handler(plan, node_id, registry) for node_id in plan.steps}
