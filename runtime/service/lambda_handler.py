"""AWS Lambda entry: the same FastAPI app behind Mangum, with Powertools logging and metrics.

Heavy imports happen where they are needed, never here: the AI SDKs inside their nodes,
NetworkX when a version is first compiled, boto3 and its client on the first DynamoDB call
(``LazyClient``), and the management API's routes on the first management request
(``ManagementOnDemand``), so a cold start serving endpoints pays for FastAPI, pydantic and
Powertools.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from mangum import Mangum

from runtime.engine.gc_pause import freeze_startup_heap
from runtime.service.app import create_app
from runtime.service.config import ServiceConfig
from runtime.store import LazyClient, make_client

logger = Logger(service="auterity")
metrics = Metrics(namespace="Auterity", service="auterity")

_app = create_app(ServiceConfig.from_env(), LazyClient(make_client), lazy_management=True)
_asgi = Mangum(_app, lifespan="off")
freeze_startup_heap()  # warm invocations' collections skip the imports


def _tenant_of(event: dict[str, Any]) -> str | None:
    path = str(event.get("rawPath") or event.get("path") or "")
    parts = path.strip("/").split("/")
    return parts[1] if len(parts) >= 3 and parts[0] == "t" else None


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    tenant = _tenant_of(event)
    if tenant:
        logger.append_keys(tenant_id=tenant)
    response: dict[str, Any] = _asgi(event, context)
    headers = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
    run_id = headers.get("x-auterity-run-id")
    if run_id:
        logger.append_keys(run_id=run_id)
    status = int(response.get("statusCode", 500))
    metrics.add_metric(name="Requests", unit=MetricUnit.Count, value=1)
    if status >= 500:
        metrics.add_metric(name="ServerErrors", unit=MetricUnit.Count, value=1)
    logger.info("request handled", extra={"status": status})
    return response
