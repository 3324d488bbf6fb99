"""The Lambda entry wraps the same app: an API Gateway event in, a proxy response out.

Powertools' JSON logs carry the tenant and run ids. moto cannot run Lambda code, so the
handler runs in-process with the event shapes API Gateway sends.
"""

from __future__ import annotations

import asyncio
import importlib
import io
import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from runtime.core.graph import Graph
from runtime.service.gate import pass_gate as passed
from runtime.store import Directory
from tests.service.conftest import example


@pytest.fixture(autouse=True, scope="module")
def _restore_auterity_logger() -> Iterator[None]:
    """Powertools configures the ``auterity`` logger when the handler is imported (level,
    handler); later test modules must see it as it was."""
    logger = logging.getLogger("auterity")
    saved = (logger.level, list(logger.handlers), logger.propagate)
    yield
    logger.setLevel(saved[0])
    logger.handlers[:] = saved[1]
    logger.propagate = saved[2]


@dataclass
class Context:
    function_name: str = "auterity-api"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:auterity-api"
    aws_request_id: str = "req-1"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def _event(
    method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": {"content-type": "application/json", **(headers or {})},
        "multiValueHeaders": {},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": {"proxy": path.lstrip("/")},
        "requestContext": {
            "resourcePath": "/{proxy+}",
            "httpMethod": method,
            "path": path,
            "stage": "live",
            "requestId": "r1",
            "identity": {"sourceIp": "1.2.3.4"},
        },
        "body": None if body is None else json.dumps(body),
        "isBase64Encoded": False,
    }


@pytest.fixture
def handler_module(aws: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AUTERITY_TOKEN_SECRET", "s" * 48)
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Auterity")
    sys.modules.pop("runtime.service.lambda_handler", None)
    yield importlib.import_module("runtime.service.lambda_handler")
    # Mangum installs an event loop for Lambda to reuse across invocations; tests end it.
    asyncio.get_event_loop_policy().get_event_loop().close()
    asyncio.set_event_loop(None)


def test_a_deployed_graph_answers_through_the_lambda_handler(
    handler_module: Any, aws: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    directory = Directory(aws, "auterity")
    directory.create_tenant("acme", "Acme")
    store = directory.tenant("acme")
    _, key = store.create_api_key("lambda", "editor")
    graph = store.create_graph(Graph.model_validate(example("lead-scoring")), author="test")
    store.deploy("leads", passed(store, graph.graph_id, graph.version), by="test")
    log = io.StringIO()
    for log_handler in logging.getLogger("auterity").handlers:
        log_handler.setStream(log)  # type: ignore[attr-defined]
    body = {"lead": {"email": "ada@example.com", "budget": 45000, "timeline": "this_month"}}
    response = handler_module.handler(
        _event("POST", "/t/acme/leads", body, {"x-api-key": key}), Context()
    )
    assert response["statusCode"] == 200
    assert json.loads(response["body"])["tier"] == "hot"
    printed = log.getvalue().splitlines() + capfd.readouterr().out.splitlines()
    logs = [json.loads(line) for line in printed if line.startswith("{")]
    handled = [entry for entry in logs if entry.get("message") == "request handled"]
    assert handled, printed
    assert handled[-1]["tenant_id"] == "acme"
    assert handled[-1]["run_id"] == response["headers"]["x-auterity-run-id"]
    assert any("_aws" in entry for entry in logs), "EMF metrics were not emitted"


def test_unauthenticated_management_call_is_a_401_not_a_crash(handler_module: Any) -> None:
    response = handler_module.handler(_event("GET", "/api/v1/graphs"), Context())
    assert response["statusCode"] == 401
    assert json.loads(response["body"])["error"]["code"] == "unauthorized"


def _management_paths(module: Any) -> set[str]:
    from tests.service.attacks.test_cross_tenant import app_routes

    return {path for _, path in app_routes(module._app) if path.startswith("/api/v1")}


def test_endpoint_traffic_never_builds_the_management_api_and_the_first_call_does(
    handler_module: Any, aws: Any
) -> None:
    directory = Directory(aws, "auterity")
    directory.create_tenant("acme", "Acme")
    store = directory.tenant("acme")
    _, key = store.create_api_key("lambda", "editor")
    graph = store.create_graph(Graph.model_validate(example("http-echo")), author="test")
    store.deploy("echo", passed(store, graph.graph_id, graph.version), by="test")
    assert not _management_paths(handler_module)
    ran = handler_module.handler(
        _event("POST", "/t/acme/echo", {"n": 1}, {"x-api-key": key}), Context()
    )
    assert ran["statusCode"] == 200
    assert not _management_paths(handler_module)
    # The first other request builds it whole, and the OpenAPI document names every route.
    schema = handler_module.handler(_event("GET", "/openapi.json"), Context())
    assert schema["statusCode"] == 200
    documented = set(json.loads(schema["body"])["paths"])
    assert {"/api/v1/graphs", "/api/v1/runs", "/api/v1/deployments"} <= documented
    assert documented == _management_paths(handler_module) - {"/api/v1/docs"}
    listed = handler_module.handler(
        _event("GET", "/api/v1/graphs", headers={"x-api-key": key}), Context()
    )
    assert listed["statusCode"] == 200
    assert [g["graph_id"] for g in json.loads(listed["body"])] == ["http_echo"]


def test_warm_invocations_collect_garbage_without_walking_the_imports() -> None:
    """The handler freezes its start-up heap, so a full collection on a warm invocation does
    not stall on FastAPI's, pydantic's and Powertools' objects (``freeze_startup_heap``; the
    stall it saves is measured by ``bench/http_endpoint.py``'s p99, not timed here)."""
    probe = "import gc, runtime.service.lambda_handler\nprint(gc.get_freeze_count())\n"
    env = {"AUTERITY_TOKEN_SECRET": "s" * 48, "AWS_DEFAULT_REGION": "us-east-1", "PATH": ""}
    done = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    assert int(done.stdout) > 10_000  # every object the import made (about 56,000)
