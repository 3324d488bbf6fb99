"""The FastAPI application: one app for local uvicorn, tests and Lambda (through Mangum).

Authentication is a dependency of each route, never a middleware that matches path prefixes,
so no spelling of a path (case, ``%2e%2e``, double encoding) can reach a handler without it:
Flowise's CVE-2024-31621 was a prefix check that ``/API/V1`` walked around.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from runtime.service import errors
from runtime.service.aws_deploy import AwsDeployConfig, AwsDeployer
from runtime.service.config import ServiceConfig
from runtime.service.routes import endpoints
from runtime.service.state import ServiceState
from runtime.store import Directory

if TYPE_CHECKING:
    from runtime.schedules.eventbridge import EventBridgeSchedules

API_PREFIX = "/api/v1"
MAX_API_BODY_BYTES = 32 * 1024 * 1024
MANAGEMENT_ROUTES = (
    "auth",
    "catalog",
    "graphs",
    "validate",
    "deployments",
    "runs",
    "settings",
    "brand",
    "ai",
    "white_label",
    "inbox",
    "schedules",
)
"""Modules of ``runtime.service.routes`` that make up the management API, in order."""


class BodyLimit:
    """Refuse oversized management requests, whether declared or streamed (chunked).

    A plain ASGI middleware: it counts bytes as they arrive, so a chunked upload is cut off
    at the limit instead of being buffered whole before auth even runs. Deployed endpoints
    enforce their own, smaller, per-tenant limit while streaming.
    """

    def __init__(self, app: ASGIApp, limit: int = MAX_API_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send)
            return
        seen = 0
        exceeded = False

        async def counted() -> Message:
            nonlocal seen, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    exceeded = True  # stop reading; whatever the app answers is replaced
                    return {"type": "http.disconnect"}
            return message

        async def guarded(message: Message) -> None:
            if not exceeded:
                await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not exceeded:
                raise
        if exceeded:
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(
            {"error": {"code": "too_large", "message": f"request body is over {self.limit} bytes"}}
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class ManagementOnDemand:
    """Builds the management API on the first request that is not a deployed endpoint.

    For the Lambda handler: FastAPI spends most of a cold start defining routes, and a
    function answering ``/t/...`` never needs the management API's forty of them. The first
    other request (``/api/v1/...``, ``/openapi.json``, ``/docs``) builds them, once, inside
    the event loop, so no request can see half of them.
    """

    def __init__(self, app: ASGIApp, install: Callable[[], None]) -> None:
        self.app = app
        self._install: Callable[[], None] | None = install

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._install is not None and scope["type"] == "http":
            path = scope["path"]
            if not (path.startswith("/t/") or path == "/healthz"):
                install, self._install = self._install, None
                install()
        await self.app(scope, receive, send)


def include_management(app: FastAPI) -> None:
    # cold start: a Lambda serving only deployed endpoints never loads the management routes
    from runtime.service.routes import (
        ai,
        approvals,
        auth,
        brand,
        catalog,
        compliance,
        deployments,
        gdpr,
        graphs,
        inbox,
        runs,
        schedules,
        settings,
        validate,
        wait_links,
        white_label,
    )

    api = APIRouter(prefix=API_PREFIX)
    core = (auth, catalog, graphs, validate, deployments, runs, settings, brand, ai)
    for module in (*core, compliance, approvals, gdpr, white_label, inbox, schedules):
        api.include_router(module.router)
    app.include_router(api)
    app.include_router(wait_links.router)
    app.openapi_schema = None  # regenerate with the new routes


def aws_deployer(config: ServiceConfig) -> AwsDeployer:
    """Clients from boto3's standard configuration (``AWS_ENDPOINT_URL`` locally)."""
    import boto3  # type: ignore[import-untyped]

    return AwsDeployer(
        boto3.client("lambda"),
        boto3.client("apigateway"),
        boto3.client("iam"),
        AwsDeployConfig(
            layers=config.lambda_layers,
            timeout_seconds=int(config.max_run_seconds),
            table_name=config.table_name,
            egress_open=tuple(str(network) for network in config.egress.open),
            offload_bucket=config.assets_bucket,
        ),
        boto3.client("stepfunctions"),
    )


def eventbridge_schedules() -> EventBridgeSchedules:
    """AWS mode: deployments' schedules, through boto3's standard configuration."""
    # AWS mode only: a Lambda serving endpoints never needs the scheduler's client
    from runtime.schedules.eventbridge import EventBridgeSchedules

    return EventBridgeSchedules.from_environment()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Fire deployed schedules and sweep durable runs while serving (each when configured).

    On shutdown, stop both and close the model SDKs' connection pools (they belong to this loop).
    """
    state: ServiceState = app.state.auterity
    # cold start: a Lambda never runs the lifespan; only a server loads these
    from runtime.service.durable.sweeper import sweep_forever
    from runtime.service.scheduling import local_schedules

    sweeper = asyncio.ensure_future(sweep_forever(state)) if state.config.sweeper else None
    try:
        async with local_schedules(state):
            yield
    finally:
        if sweeper is not None:
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper
            state.sweeping = None
    await state.close()


def create_app(
    config: ServiceConfig, client: Any, *, lazy_management: bool = False, s3: Any = None
) -> FastAPI:
    """The app; ``lazy_management`` defers the management API (see ``ManagementOnDemand``).

    ``s3`` holds the brand asset files; by default a client made on first use.
    """
    app = FastAPI(
        title="Auterity",
        version="1",
        description="Management API for graphs, versions, deployments, runs and AI.",
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.auterity = ServiceState(
        config=config,
        client=client,
        directory=Directory(client, config.table_name),
        aws=aws_deployer(config) if config.deploy_target == "lambda" else None,
        eventbridge=eventbridge_schedules() if config.deploy_target == "lambda" else None,
        s3=s3,
    )
    errors.install(app)
    app.add_middleware(BodyLimit)
    # Deployed endpoints first: Starlette tries routes in order, and they carry the traffic.
    app.router.routes.append(endpoints.route)
    if lazy_management:
        app.add_middleware(ManagementOnDemand, install=lambda: include_management(app))
    else:
        include_management(app)

    @app.get("/healthz", include_in_schema=False)
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
