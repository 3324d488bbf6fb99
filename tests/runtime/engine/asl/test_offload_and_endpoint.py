"""Big records leave the state by reference; an endpoint machine answers as the function does.

Both run on moto's ASL interpreter with our handler serving its Lambda invocations, and moto's
S3 holding the tenant's offloaded values.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]  # boto3 ships no types
import pytest

from runtime.core.graph import Graph
from runtime.engine.asl.contract import RunInput
from runtime.engine.asl.endpoint import for_endpoint
from runtime.engine.asl.handler import make_state_handler
from runtime.engine.asl.limits import STATE_PAYLOAD_BYTES
from runtime.engine.asl.machine import compile_asl
from runtime.engine.asl.offload import restore
from runtime.engine.asl.outcome import run_result
from runtime.engine.compile import build_plan
from runtime.engine.executor import Executor
from runtime.engine.handlers import api_gateway_answer
from runtime.store.assets import create_bucket
from runtime.store.state_objects import StateObjects
from tests.asl_harness import LocalStepFunctions
from tests.runtime.engine.asl.equivalence import event_for, webhook_event

BLOB = "x" * (100 * 1024)


def _big_graph(respond: dict[str, Any]) -> Graph:
    """Each copy of a 100 KiB request body makes the node's record well over 256 KiB."""
    copies = [{"path": name, "value": "{{ input.body.blob }}"} for name in ("a", "b", "c")]
    return Graph.model_validate(
        {
            "schema_version": 2,
            "id": "big_copies",
            "name": "Big copies",
            "nodes": [
                {"id": "hook", "type": "trigger.webhook", "config": {"auth": "public"}},
                {"id": "grow", "type": "transform.set", "config": {"fields": copies}},
                {"id": "reply", "type": "http.respond", "config": respond},
            ],
            "edges": [
                {"source": "hook", "target": "grow"},
                {"source": "grow", "target": "reply"},
            ],
        }
    )


def _objects() -> StateObjects:
    s3 = boto3.client("s3", region_name="us-east-1")
    create_bucket(s3, "acme-assets")
    return StateObjects(s3, "acme-assets", "acme")


def _largest_state(cloud: LocalStepFunctions, arn: str) -> int:
    executions = cloud.sfn.list_executions(stateMachineArn=arn)["executions"]
    events = cloud.sfn.get_execution_history(
        executionArn=executions[0]["executionArn"], maxResults=1000
    )["events"]
    sizes = [
        len(details["output"])
        for event in events
        for key, details in event.items()
        if key.endswith("EventDetails") and isinstance(details, dict) and "output" in details
    ]
    return max(sizes)


def test_a_node_output_over_256_kib_runs_to_the_in_process_result(
    cloud: LocalStepFunctions,
) -> None:
    graph = _big_graph({"status": 200, "body": {"c": "{{ nodes.grow.c }}", "n": 3}})
    plan = build_plan(graph)
    event = webhook_event({"blob": BLOB})
    local = asyncio.run(Executor(plan).run(event, run_id="local"))
    assert local.status == "succeeded"
    objects = _objects()
    machine = compile_asl(plan, workflow="standard")
    arn = cloud.deploy(machine, make_state_handler(plan, offload=objects))
    execution = cloud.execute(arn, RunInput(id="asl", trigger=event))
    assert execution.status == "SUCCEEDED", execution.cause
    # Every state stayed under Step Functions' limit: the copies went to the bucket.
    assert _largest_state(cloud, arn) < STATE_PAYLOAD_BYTES
    document = restore(json.loads(execution.output or "{}"), objects)
    asl = run_result(plan, run_id="asl", status="SUCCEEDED", output=json.dumps(document))
    assert asl.output == local.output
    assert asl.output["body"]["c"] == BLOB
    grown = document["nodes"]["grow"]["out"]["out"]
    assert grown["a"] == grown["b"] == BLOB
    listed = boto3.client("s3", region_name="us-east-1").list_objects_v2(Bucket="acme-assets")
    assert all(o["Key"].startswith("TENANT#acme#STATES#") for o in listed["Contents"])


def test_an_express_endpoint_machine_answers_what_the_function_answers(
    cloud: LocalStepFunctions,
) -> None:
    graph = Graph.model_validate_json(Path("examples/http-echo.graph.json").read_text("utf-8"))
    plan = build_plan(graph)
    event = webhook_event({"message": "hello"}) | {"query": {"q": "1"}}
    local = asyncio.run(Executor(plan).run(event, run_id="r1"))
    expected = api_gateway_answer(local, plan)
    machine = compile_asl(plan)
    assert machine.workflow.type == "EXPRESS"
    wrapped = machine.model_copy(update={"definition": for_endpoint(machine.definition)})
    arn = cloud.deploy(wrapped, make_state_handler(plan))
    execution = cloud.execute(arn, RunInput(trigger=event))
    assert execution.status == "SUCCEEDED", execution.cause
    answer = json.loads(execution.output or "{}")
    assert answer["statusCode"] == expected["statusCode"] == 200
    assert json.loads(answer["body"]) == json.loads(expected["body"])
    assert json.loads(answer["body"])["echo"] == {"message": "hello"}


def test_an_endpoint_machine_answers_a_failed_run_with_the_functions_error(
    cloud: LocalStepFunctions,
) -> None:
    graph = _big_graph({"status": 200, "body": "{{ nodes.grow.a }}"})
    data = graph.model_dump(mode="json")
    data["nodes"][1] |= {
        "type": "transform.json_parse",
        "config": {"source": "{{ input.body.text }}"},
    }
    graph = Graph.model_validate(data)
    plan = build_plan(graph)
    event = webhook_event({"text": "{not json"})
    local = asyncio.run(Executor(plan).run(event, run_id="r2"))
    assert local.status == "failed"
    expected = api_gateway_answer(local, plan)
    machine = compile_asl(plan)
    wrapped = machine.model_copy(update={"definition": for_endpoint(machine.definition)})
    arn = cloud.deploy(wrapped, make_state_handler(plan))
    execution = cloud.execute(arn, RunInput(id="r2", trigger=event))
    answer = json.loads(execution.output or "{}")
    assert answer["statusCode"] == expected["statusCode"] == 500
    assert json.loads(answer["body"])["error"] == json.loads(expected["body"])["error"]


@pytest.mark.parametrize("name", ["foreach-fanout", "lead-scoring"])
def test_wrapped_examples_answer_as_in_process(cloud: LocalStepFunctions, name: str) -> None:
    """The endpoint wrapper keeps Maps, Parallels and Choices working inside its branch."""
    graph = Graph.model_validate_json(Path(f"examples/{name}.graph.json").read_text("utf-8"))
    plan = build_plan(graph)
    event = event_for(graph, graph.metadata.get("sample_input"))
    local = asyncio.run(Executor(plan).run(event, run_id="r3"))
    assert local.status == "succeeded"
    machine = compile_asl(plan, workflow="express")
    wrapped = machine.model_copy(update={"definition": for_endpoint(machine.definition)})
    execution = cloud.execute(
        cloud.deploy(wrapped, make_state_handler(plan)), RunInput(id="r3", trigger=event)
    )
    assert execution.status == "SUCCEEDED", execution.cause
    answer = json.loads(execution.output or "{}")
    expected = api_gateway_answer(local, plan)
    assert answer["statusCode"] == expected["statusCode"]
    assert json.loads(answer["body"]) == json.loads(expected["body"])
