"""Lambda-signature handlers: a whole run behind API Gateway, or one node as a step."""

from __future__ import annotations

import base64
import json
from types import SimpleNamespace
from typing import Any

import pytest

from nodes.registry import Registry
from runtime.engine.compile import build_plan
from runtime.engine.handlers import make_run_handler, make_step_handler, step_handlers
from runtime.engine.plan import Plan
from tests.runtime.support import load_fixture, make_graph


def _plan(name: str) -> Plan:
    return build_plan(load_fixture(name))


def _rest_event(body: Any, method: str = "POST", **extra: Any) -> dict[str, Any]:
    """An API Gateway REST (payload v1) proxy event."""
    return {
        "resource": "/hooks/{proxy+}",
        "path": "/hooks/greet",
        "httpMethod": method,
        "headers": {"Content-Type": "application/json", "Authorization": "Bearer secret"},
        "queryStringParameters": {"src": "test"},
        "body": body if isinstance(body, str) or body is None else json.dumps(body),
        "isBase64Encoded": False,
        "requestContext": {"requestId": "req-1", "stage": "prod"},
        **extra,
    }


# --- the run handler --------------------------------------------------------------------------


def test_api_gateway_request_gets_the_respond_nodes_answer() -> None:
    handler = make_run_handler(_plan("webhook-respond.graph.json"))
    response = handler(_rest_event({"name": "Ada"}), None)
    assert response["statusCode"] == 201
    assert response["headers"]["content-type"] == "application/json"
    assert response["headers"]["x-greeted"] == "Ada"
    assert json.loads(response["body"]) == {"greeting": "Hello Ada"}


def test_http_api_v2_event_is_understood() -> None:
    handler = make_run_handler(_plan("webhook-respond.graph.json"))
    event = {
        "version": "2.0",
        "rawPath": "/hooks/greet",
        "headers": {"content-type": "application/json"},
        "requestContext": {"http": {"method": "POST", "path": "/hooks/greet"}},
        "body": json.dumps({"name": "Grace"}),
        "isBase64Encoded": False,
    }
    response = handler(event, None)
    assert response["statusCode"] == 201
    assert json.loads(response["body"]) == {"greeting": "Hello Grace"}


def test_base64_encoded_body_is_decoded() -> None:
    # API Gateway (binary media types) and Function URLs deliver bodies base64-encoded and
    # say so with isBase64Encoded; the graph must see the JSON, not the base64 text.
    handler = make_run_handler(_plan("webhook-respond.graph.json"))
    encoded = base64.b64encode(json.dumps({"name": "Ada"}).encode()).decode()
    response = handler(_rest_event(encoded, isBase64Encoded=True), None)
    assert response["statusCode"] == 201, response["body"]
    assert json.loads(response["body"]) == {"greeting": "Hello Ada"}


def test_failed_run_is_a_500_naming_the_node(registry: Registry) -> None:
    graph = make_graph(
        [{"id": "start", "type": "trigger.manual"}, {"id": "broken", "type": "test.raise"}],
        [{"source": "start", "target": "broken"}],
    )
    handler = make_run_handler(build_plan(graph, registry), registry)
    response = handler(_rest_event({"x": 1}), SimpleNamespace(aws_request_id="req-9"))
    assert response["statusCode"] == 500
    body = json.loads(response["body"])
    assert body["error"]["node"] == "broken"
    assert body["error"]["message"] == "this node always fails"
    assert body["run_id"] == "req-9"


def test_request_refused_by_the_webhook_is_a_client_error() -> None:
    # The webhook trigger checks the caller's request (required fields, method); when it
    # refuses, the caller sent a bad request, which is a 4xx, not a server error.
    handler = make_run_handler(_plan("webhook-respond.graph.json"))
    missing_field = handler(_rest_event({"nom": "Ada"}), None)
    assert 400 <= missing_field["statusCode"] < 500
    assert "name" in json.loads(missing_field["body"])["error"]["message"]


def test_output_with_a_non_numeric_status_field_does_not_crash_the_handler() -> None:
    # A graph without a Respond node whose output happens to have a "status" field.
    graph = make_graph(
        [
            {"id": "start", "type": "trigger.manual"},
            {
                "id": "decide",
                "type": "transform.set",
                "config": {
                    "keep_input": False,
                    "fields": [{"path": "status", "value": "approved"}],
                },
            },
        ],
        [{"source": "start", "target": "decide"}],
    )
    handler = make_run_handler(build_plan(graph))
    response = handler(_rest_event({"id": 7}), None)
    assert response["statusCode"] == 200


def test_direct_invocation_returns_the_run_result_as_json() -> None:
    handler = make_run_handler(_plan("linear.graph.json"))
    context = SimpleNamespace(aws_request_id="req-42")
    result = handler({"lead": {"name": "Zed"}}, context)
    assert json.loads(json.dumps(result)) == result
    assert result["run_id"] == "req-42"
    assert result["status"] == "succeeded"
    assert result["output"] == {"greeting": "Hello Zed", "name": "Zed"}
    assert [t["node"] for t in result["trace"]] == ["start", "greet", "shape"]


def test_run_handler_can_be_called_again() -> None:
    handler = make_run_handler(_plan("if-branches.graph.json"))
    assert handler({"amount": 500}, None)["output"]["tier"] == "gold"
    assert handler({"amount": 5}, None)["output"]["tier"] == "basic"


# --- step handlers ----------------------------------------------------------------------------


def test_step_runs_one_node_from_upstream_outputs() -> None:
    step = make_step_handler(_plan("linear.graph.json"), "greet")
    result = step({"run_id": "r1", "upstream": {"start": {"out": {"lead": {"name": "Bo"}}}}}, None)
    assert result["node"] == "greet"
    assert result["status"] == "ok"
    assert result["outputs"] == {"out": {"lead": {"name": "Bo"}, "greeting": "Hello Bo"}}
    assert result["error"] is None
    assert result["attempts"] == 1
    assert json.loads(json.dumps(result)) == result


def test_step_for_the_trigger_reads_the_trigger_event() -> None:
    step = make_step_handler(_plan("linear.graph.json"), "start")
    result = step({"trigger": {"lead": {"name": "Cy"}}}, None)
    assert result["outputs"] == {"out": {"lead": {"name": "Cy"}}}


def test_step_is_skipped_when_its_upstream_branch_did_not_fire() -> None:
    step = make_step_handler(_plan("if-branches.graph.json"), "gold")
    result = step({"upstream": {"check": {"false": {"amount": 5}}}}, None)
    assert result["status"] == "skipped"
    assert result["outputs"] == {}
    assert result["attempts"] == 0


def test_step_on_the_branch_that_fired_runs() -> None:
    step = make_step_handler(_plan("if-branches.graph.json"), "basic")
    result = step({"upstream": {"check": {"false": {"amount": 5}}}}, None)
    assert result["outputs"] == {"out": {"amount": 5, "tier": "basic"}}


def test_merge_step_with_only_one_branch_arrived() -> None:
    step = make_step_handler(_plan("if-branches.graph.json"), "join")
    result = step({"upstream": {"gold": {}, "basic": {"out": {"tier": "basic"}}}}, None)
    assert result["outputs"] == {"out": {"tier": "basic"}}


def test_step_inside_a_foreach_body_sees_item_and_index() -> None:
    step = make_step_handler(_plan("foreach-branch.graph.json"), "tag")
    result = step(
        {"upstream": {"big": {"true": {"amount": 500}}}, "item": {"amount": 500}, "iteration": [3]},
        None,
    )
    assert result["outputs"] == {"out": {"amount": 500, "tier": "gold", "pos": 3}}


def test_step_failure_is_returned_not_raised() -> None:
    step = make_step_handler(_plan("unwired-failure.graph.json"), "strict")
    result = step({"upstream": {"start": {"out": [1, 2]}}}, None)
    assert result["status"] == "failed"
    assert result["error"]["node"] == "strict"
    assert "expected an object" in result["error"]["message"]


def test_step_with_wired_error_port_returns_the_error_payload() -> None:
    step = make_step_handler(_plan("error-port.graph.json"), "strict")
    result = step({"upstream": {"start": {"out": [1, 2]}}}, None)
    assert result["status"] == "failed"
    assert result["outputs"]["error"]["node"] == "strict"
    assert result["outputs"]["error"]["input"] == [1, 2]


def test_step_applies_the_nodes_retry_policy(registry: Registry) -> None:
    graph = make_graph(
        [
            {"id": "start", "type": "trigger.manual"},
            {
                "id": "flaky",
                "type": "test.flaky",
                "config": {"failures": 2},
                "settings": {"retry": {"max_attempts": 3, "backoff_seconds": 0}},
            },
        ],
        [{"source": "start", "target": "flaky"}],
    )
    step = make_step_handler(build_plan(graph, registry), "flaky", registry)
    result = step({"upstream": {"start": {"out": {"x": 1}}}}, None)
    assert result["status"] == "ok"
    assert result["attempts"] == 3


def test_one_step_handler_per_node() -> None:
    plan = _plan("foreach-branch.graph.json")
    assert set(step_handlers(plan)) == set(plan.steps)


def test_step_handler_for_an_unknown_node_is_refused() -> None:
    with pytest.raises(KeyError, match="ghost"):
        make_step_handler(_plan("linear.graph.json"), "ghost")
