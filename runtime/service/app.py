"""The FastAPI application: one app for local uvicorn, tests and Lambda (through Mangum).

Authentication is a dependency of each route, never a middleware that matches path prefixes,
so no spelling of a path (case, ``%2e%2e``, double encoding) can reach a handler without it:
Flowise's CVE-2024-31621 was a prefix check that ``/API/V1`` walked around.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from runtime.service import errors
from runtime.service.aws_deploy import AwsDeployConfig, AwsDeployer
from runtime.service.config import ServiceConfig
from runtime.service.routes import (
    auth,
    catalog,
    deployments,
    endpoints,
    graphs,
    runs,
    settings,
    validate,
)
from runtime.service.state import ServiceState
from runtime.store import Directory

API_PREFIX = "/api/v1"
MAX_API_BODY_BYTES = 32 * 1024 * 1024


class BodyLimit(BaseHTTPMiddleware):
    """Refuse oversized management requests by their declared length before reading them.

    Deployed endpoints enforce their own (smaller, per-tenant) limit while streaming.
    """

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        declared = request.headers.get("content-length", "")
        too_large = declared.isdigit() and int(declared) > MAX_API_BODY_BYTES
        if request.url.path.startswith(API_PREFIX) and too_large:
            return JSONResponse(
                {
                    "error": {
                        "code": "too_large",
                        "message": f"request body is over {MAX_API_BODY_BYTES} bytes",
                    }
                },
                status_code=413,
            )
        return await call_next(request)


def aws_deployer(config: ServiceConfig) -> AwsDeployer:
    """Clients from boto3's standard configuration (``AWS_ENDPOINT_URL`` locally)."""
    import boto3  # type: ignore[import-untyped]

    return AwsDeployer(
        boto3.client("lambda"),
        boto3.client("apigateway"),
        boto3.client("iam"),
        AwsDeployConfig(layers=config.lambda_layers, timeout_seconds=int(config.max_run_seconds)),
    )


def create_app(config: ServiceConfig, client: Any) -> FastAPI:
    app = FastAPI(
        title="Auterity",
        version="1",
        description="Management API for graphs, versions, deployments and runs.",
        openapi_url="/openapi.json",
    )
    app.state.auterity = ServiceState(
        config=config,
        client=client,
        directory=Directory(client, config.table_name),
        aws=aws_deployer(config) if config.deploy_target == "lambda" else None,
    )
    errors.install(app)
    app.add_middleware(BodyLimit)
    api = APIRouter(prefix=API_PREFIX)
    for module in (auth, catalog, graphs, validate, deployments, runs, settings):
        api.include_router(module.router)
    app.include_router(api)
    app.include_router(endpoints.router)

    @app.get("/healthz", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
