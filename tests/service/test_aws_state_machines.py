"""AWS mode with state machines, against moto (its ASL interpreter runs the executions).

A deploy ships the step handler and a state machine whose ``live`` alias new runs start on;
a re-deploy publishes a version while a running execution finishes on its own; a rollback
repoints the alias; undeploy removes it all.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3  # type: ignore[import-untyped]  # boto3 ships no types
import pytest
from moto import mock_aws

from runtime.core.graph import Graph
from runtime.engine.asl.contract import RunInput
from runtime.engine.asl.handler import make_state_handler
from runtime.engine.asl.machine import compile_asl
from runtime.engine.asl.outcome import run_result
from runtime.engine.bundle import build_bundle
from runtime.engine.compile import build_plan
from runtime.engine.executor import Executor
from runtime.engine.handlers import api_gateway_answer
from runtime.engine.plan import Plan
from runtime.service.aws_deploy import AwsDeployConfig, AwsDeployer
from tests.asl_harness import MOTO_CONFIG, Handler, serving
from tests.service.conftest import example

REGION = "us-east-1"
STEPS = "auterity-acme_steps-hello"
MACHINE = "auterity-acme_graph-hello"


@dataclass
class Cloud:
    aws: AwsDeployer
    lam: Any
    api: Any
    sfn: Any
    iam: Any
    handlers: dict[str, Handler]


@pytest.fixture
def cloud(monkeypatch: pytest.MonkeyPatch) -> Iterator[Cloud]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    with mock_aws(config=MOTO_CONFIG):
        clients = {n: boto3.client(n, region_name=REGION) for n in ("lambda", "apigateway", "iam")}
        sfn = boto3.client("stepfunctions", region_name=REGION)
        aws = AwsDeployer(
            clients["lambda"], clients["apigateway"], clients["iam"], AwsDeployConfig(), sfn
        )
        handlers: dict[str, Handler] = {}
        with serving(handlers):
            yield Cloud(
                aws, clients["lambda"], clients["apigateway"], sfn, clients["iam"], handlers
            )


def _graph(says: str) -> Graph:
    return Graph.model_validate(
        {
            "schema_version": 2,
            "id": "hello",
            "name": "Hello",
            "nodes": [
                {"id": "hook", "type": "trigger.webhook", "config": {"auth": "public"}},
                {
                    "id": "reply",
                    "type": "http.respond",
                    "config": {"status": 201, "body": {"says": says, "got": "{{ input.body }}"}},
                },
            ],
            "edges": [{"source": "hook", "target": "reply"}],
        }
    )


def _deploy(cloud: Cloud, says: str, workflow: str | None = None) -> tuple[Plan, Any]:
    graph = _graph(says)
    plan = build_plan(graph)
    machine = compile_asl(plan, workflow=workflow)  # type: ignore[arg-type]
    endpoint = cloud.aws.deploy(
        "acme", "hello", build_bundle(plan, graph), public=True, machine=machine
    )
    cloud.handlers[f"{STEPS}:{endpoint.function_version}"] = make_state_handler(plan)
    return plan, endpoint


def _event(body: Any) -> dict[str, Any]:
    return {"method": "POST", "path": "/hello", "headers": {}, "query": {}, "body": body}


def _finish(cloud: Cloud, arn: str, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        described: dict[str, Any] = cloud.sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING" or time.monotonic() > deadline:
            return described


def _start(cloud: Cloud, machine_arn: str, body: Any) -> str:
    """moto starts only the unqualified machine (its parser has no alias or version starts);
    it runs the definition the machine has at that moment, as a version ARN would on AWS."""
    started = cloud.sfn.start_execution(
        stateMachineArn=machine_arn,
        name=f"run-{uuid.uuid4().hex}",  # what the request template names it: the request id
        input=RunInput(trigger=_event(body)).model_dump_json(),
    )
    arn: str = started["executionArn"]
    return arn


def test_an_express_deploy_answers_as_the_graph_does_in_process(cloud: Cloud) -> None:
    plan, endpoint = _deploy(cloud, "hi")
    function = cloud.lam.get_function(FunctionName=STEPS)["Configuration"]
    assert function["Handler"] == "auterity_entry.states"
    machine = cloud.sfn.describe_state_machine(stateMachineArn=endpoint.state_machine_arn)
    assert machine["type"] == endpoint.workflow_type == "EXPRESS"
    definition = json.loads(machine["definition"])
    # Every Task invokes the step handler's published version, never $LATEST.
    assert f"function:{STEPS}:1" in machine["definition"]
    assert definition["StartAt"] == "Endpoint: graph"
    alias = cloud.sfn.describe_state_machine_alias(stateMachineAliasArn=endpoint.alias_arn)
    assert alias["routingConfiguration"][0]["stateMachineVersionArn"] == (
        endpoint.state_machine_version_arn
    )
    resources = {
        r["path"]: r["id"] for r in cloud.api.get_resources(restApiId=endpoint.rest_api_id)["items"]
    }
    integration = cloud.api.get_integration(
        restApiId=endpoint.rest_api_id, resourceId=resources["/hello"], httpMethod="ANY"
    )
    assert integration["type"] == "AWS"
    assert integration["uri"].endswith("states:action/StartSyncExecution")
    assert (
        f'"stateMachineArn": "{endpoint.alias_arn}"'
        in integration["requestTemplates"]["application/json"]
    )
    # The answer: what the whole-graph function would have said for the same request.
    local = asyncio.run(Executor(plan).run(_event({"n": 1}), run_id="local"))
    expected = api_gateway_answer(local, plan)
    done = _finish(cloud, _start(cloud, endpoint.state_machine_arn or "", {"n": 1}))
    assert done["status"] == "SUCCEEDED", done.get("cause")
    answer = json.loads(done["output"])
    assert answer["statusCode"] == expected["statusCode"] == 201
    assert (
        json.loads(answer["body"])
        == json.loads(expected["body"])
        == {
            "says": "hi",
            "got": {"n": 1},
        }
    )


def test_a_standard_endpoint_answers_202_with_the_run_id(cloud: Cloud) -> None:
    _, endpoint = _deploy(cloud, "hi", workflow="standard")
    machine = cloud.sfn.describe_state_machine(stateMachineArn=endpoint.state_machine_arn)
    assert machine["type"] == "STANDARD"
    resources = {
        r["path"]: r["id"] for r in cloud.api.get_resources(restApiId=endpoint.rest_api_id)["items"]
    }
    where = {
        "restApiId": endpoint.rest_api_id,
        "resourceId": resources["/hello"],
        "httpMethod": "ANY",
    }
    integration = cloud.api.get_integration(**where)
    assert integration["uri"].endswith("states:action/StartExecution")
    answered = cloud.api.get_integration_response(**where, statusCode="202")
    assert "$context.requestId" in answered["responseTemplates"]["application/json"]
    # API Gateway may start this tenant's machines and no one else's.
    role = integration["credentials"].rsplit("/", 1)[-1]
    policy = cloud.iam.get_role_policy(RoleName=role, PolicyName="start-own-machines")
    statement = policy["PolicyDocument"]["Statement"][0]
    assert statement["Resource"].endswith(":stateMachine:auterity-acme_graph-*")


def test_a_redeploy_leaves_running_executions_on_their_version_and_rollback_repoints(
    cloud: Cloud,
) -> None:
    plan1, first = _deploy(cloud, "one", workflow="standard")
    release = threading.Event()
    v1 = make_state_handler(plan1)

    def slow_v1(event: dict[str, Any], context: Any) -> Any:
        release.wait(20)
        return v1(event, context)

    cloud.handlers[f"{STEPS}:{first.function_version}"] = slow_v1
    running = _start(cloud, first.state_machine_arn or "", {"n": 1})
    plan2, second = _deploy(cloud, "two", workflow="standard")
    assert second.state_machine_version_arn != first.state_machine_version_arn
    assert second.function_version != first.function_version
    after = _start(cloud, second.state_machine_arn or "", {"n": 2})
    done_after = _finish(cloud, after)
    release.set()
    done_running = _finish(cloud, running)

    def says(plan: Plan, done: dict[str, Any]) -> Any:
        result = run_result(plan, run_id="r", status=done["status"], output=done.get("output"))
        return result.output["body"]["says"]

    assert says(plan1, done_running) == "one"  # started before the re-deploy: its version
    assert says(plan2, done_after) == "two"
    # Rollback: the earlier version is live again, and nothing new is published.
    _, rolled = _deploy(cloud, "one", workflow="standard")
    assert rolled.state_machine_version_arn == first.state_machine_version_arn
    alias = cloud.sfn.describe_state_machine_alias(stateMachineAliasArn=rolled.alias_arn)
    assert alias["routingConfiguration"][0]["stateMachineVersionArn"] == (
        first.state_machine_version_arn
    )
    with pytest.raises(cloud.sfn.exceptions.StateMachineDoesNotExist):
        cloud.sfn.describe_state_machine(stateMachineArn=f"{first.state_machine_arn}:3")


def test_undeploy_removes_machine_function_and_role(cloud: Cloud) -> None:
    _deploy(cloud, "hi")
    cloud.aws.undeploy("acme", "hello")
    assert cloud.sfn.list_state_machines()["stateMachines"] == []
    assert cloud.lam.list_functions()["Functions"] == []
    roles = {r["RoleName"] for r in cloud.iam.list_roles()["Roles"]}
    assert "auterity-acme_states-hello" not in roles
    cloud.aws.undeploy("acme", "hello")  # twice is fine


def test_the_machine_role_invokes_only_its_own_step_handler(cloud: Cloud) -> None:
    _deploy(cloud, "hi")
    policy = cloud.iam.get_role_policy(
        RoleName="auterity-acme_states-hello", PolicyName="invoke-own-step-handler"
    )
    statement = policy["PolicyDocument"]["Statement"][0]
    assert statement["Action"] == "lambda:InvokeFunction"
    assert [r.rsplit(":", 1)[-1] for r in statement["Resource"]] == [STEPS, "*"]
    runner = cloud.lam.get_function(FunctionName=STEPS)["Configuration"]["Role"].rsplit("/", 1)[-1]
    statements = cloud.iam.get_role_policy(RoleName=runner, PolicyName="own-items-and-logs")[
        "PolicyDocument"
    ]["Statement"]
    s3 = [s for s in statements if "s3:PutObject" in s["Action"]]
    assert [s["Resource"] for s in s3] == [
        "arn:aws:s3:::auterity-brand-assets/TENANT#acme#STATES#*"
    ]


def test_the_echo_example_deploys_as_an_express_machine(cloud: Cloud) -> None:
    graph = Graph.model_validate(example("http-echo"))
    plan = build_plan(graph)
    endpoint = cloud.aws.deploy(
        "acme", "echo", build_bundle(plan, graph), public=True, machine=compile_asl(plan)
    )
    assert endpoint.workflow_type == "EXPRESS"
    assert endpoint.url.endswith("/live/echo")
