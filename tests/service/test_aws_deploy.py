"""AWS mode against moto: the compiled bundle becomes a function behind API Gateway."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from typing import Any

import boto3  # type: ignore[import-untyped]  # boto3 ships no types
import pytest
from moto import mock_aws

from runtime.core.graph import Graph
from runtime.engine.bundle import build_bundle
from runtime.engine.compile import build_plan
from runtime.service.aws_deploy import AwsDeployConfig, AwsDeployer, function_name
from tests.service.conftest import example


@pytest.fixture
def deployer(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[AwsDeployer, Any, Any]]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    with mock_aws():
        lam = boto3.client("lambda", region_name="us-east-1")
        api = boto3.client("apigateway", region_name="us-east-1")
        iam = boto3.client("iam", region_name="us-east-1")
        yield AwsDeployer(lam, api, iam, AwsDeployConfig(layers=())), lam, api


def _bundle(name: str, change: int = 0) -> bytes:
    data = example(name)
    data["metadata"]["revision"] = change
    graph = Graph.model_validate(data)
    return build_bundle(build_plan(graph), graph)


def _sha(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def test_deploy_creates_the_function_and_its_route(deployer: tuple[AwsDeployer, Any, Any]) -> None:
    aws, lam, api = deployer
    bundle = _bundle("lead-scoring")
    endpoint = aws.deploy("acme", "leads", bundle, public=False)
    function = lam.get_function(FunctionName="auterity-acme-leads")["Configuration"]
    assert function["Handler"] == "auterity_entry.handler"
    assert function["CodeSha256"] == _sha(bundle) == endpoint.code_sha256
    resources = {r["path"]: r for r in api.get_resources(restApiId=endpoint.rest_api_id)["items"]}
    method = api.get_method(
        restApiId=endpoint.rest_api_id, resourceId=resources["/leads"]["id"], httpMethod="ANY"
    )
    # Private: our API keys, checked by the tenant's authorizer function before the graph runs.
    assert method["authorizationType"] == "CUSTOM"
    authorizer = api.get_authorizer(
        restApiId=endpoint.rest_api_id, authorizerId=method["authorizerId"]
    )
    assert authorizer["type"] == "REQUEST"
    assert authorizer["identitySource"] == "method.request.header.X-API-Key"
    checker = lam.get_function(FunctionName="auterity-acme_authorizer")["Configuration"]
    assert checker["Handler"] == "runtime.authorizer.authorize"
    assert checker["Environment"]["Variables"]["AUTERITY_TENANT"] == "acme"
    assert checker["FunctionArn"] in authorizer["authorizerUri"]
    integration = method["methodIntegration"]
    assert integration["type"] == "AWS_PROXY"
    assert function["FunctionArn"] in integration["uri"]
    assert endpoint.url.endswith("/live/leads")


def test_redeploy_updates_code_and_keeps_the_url(deployer: tuple[AwsDeployer, Any, Any]) -> None:
    aws, lam, _ = deployer
    first = aws.deploy("acme", "echo", _bundle("http-echo"), public=True)
    changed = _bundle("http-echo", change=1)
    second = aws.deploy("acme", "echo", changed, public=True)
    assert second.url == first.url
    assert second.rest_api_id == first.rest_api_id
    assert second.code_sha256 == _sha(changed) != first.code_sha256
    assert len(lam.list_functions()["Functions"]) == 1


def test_tenants_get_separate_apis_and_undeploy_removes_everything(
    deployer: tuple[AwsDeployer, Any, Any],
) -> None:
    aws, lam, api = deployer
    a = aws.deploy("acme", "echo", _bundle("http-echo"), public=True)
    b = aws.deploy("acme-co", "echo", _bundle("http-echo"), public=True)
    assert a.rest_api_id != b.rest_api_id
    aws.undeploy("acme", "echo")
    names = {f["FunctionName"] for f in lam.list_functions()["Functions"]}
    assert names == {"auterity-acme-co-echo"}
    apis = {item["name"] for item in api.get_rest_apis()["items"]}
    assert apis == {"auterity-acme-co"}  # acme's last endpoint took its API with it
    aws.undeploy("acme", "echo")  # twice is fine


def test_undeploying_one_of_several_routes_keeps_the_others(
    deployer: tuple[AwsDeployer, Any, Any],
) -> None:
    aws, _, api = deployer
    first = aws.deploy("acme", "echo", _bundle("http-echo"), public=True)
    aws.deploy("acme", "leads", _bundle("lead-scoring"), public=False)
    aws.undeploy("acme", "echo")
    paths = {r["path"] for r in api.get_resources(restApiId=first.rest_api_id)["items"]}
    assert paths == {"/", "/leads"}


def test_long_names_fit_lambdas_limit() -> None:
    name = function_name("t" * 63, "s" * 63)
    assert len(name) <= 64
    assert name != function_name("t" * 63, "s" * 62 + "x")


def test_the_api_deploys_to_lambda_in_aws_mode(aws: Any) -> None:
    from fastapi.testclient import TestClient

    from runtime.service.app import create_app
    from runtime.service.config import ServiceConfig
    from runtime.store import Directory

    config = ServiceConfig(token_secret="t" * 48, deploy_target="lambda")
    directory = Directory(aws, "auterity")
    directory.create_tenant("acme", "Acme")
    _, key = directory.tenant("acme").create_api_key("ci", "admin")
    with TestClient(create_app(config, aws)) as client:
        headers = {"X-API-Key": key}
        assert (
            client.post(
                "/api/v1/graphs", json={"graph": example("http-echo")}, headers=headers
            ).status_code
            == 201
        )
        deployed = client.post(
            "/api/v1/deployments", json={"slug": "echo", "graph_id": "http_echo"}, headers=headers
        )
        assert deployed.status_code == 201, deployed.text
        # A state machine (Express: nothing waits) and its step handler serve the slug.
        answer = deployed.json()
        assert answer["aws"]["function_name"] == "auterity-acme_steps-echo"
        assert answer["aws"]["workflow_type"] == "EXPRESS"
        assert answer["deployment"]["workflow"]["type"] == "EXPRESS"
        assert answer["deployment"]["workflow"]["overridden"] is False
        lam = boto3.client("lambda", region_name="us-east-1")
        sfn = boto3.client("stepfunctions", region_name="us-east-1")
        assert lam.get_function(FunctionName="auterity-acme_steps-echo")
        machines = sfn.list_state_machines()["stateMachines"]
        assert [(m["name"], m["type"]) for m in machines] == [
            ("auterity-acme_graph-echo", "EXPRESS")
        ]
        assert client.delete("/api/v1/deployments/echo", headers=headers).status_code == 204
        assert lam.list_functions()["Functions"] == []
        assert sfn.list_state_machines()["stateMachines"] == []


def test_each_tenants_authorizer_may_read_only_its_own_items(
    deployer: tuple[AwsDeployer, Any, Any],
) -> None:
    aws, lam, _ = deployer
    aws.deploy("acme", "leads", _bundle("lead-scoring"), public=False)
    aws.deploy("acme-co", "leads", _bundle("lead-scoring"), public=False)
    iam = boto3.client("iam", region_name="us-east-1")
    for tenant in ("acme", "acme-co"):
        role = lam.get_function(FunctionName=f"auterity-{tenant}_authorizer")["Configuration"]
        role_name = role["Role"].rsplit("/", 1)[-1]
        policy = iam.get_role_policy(RoleName=role_name, PolicyName="read-own-api-keys")
        statement = policy["PolicyDocument"]["Statement"][0]
        assert statement["Action"] == ["dynamodb:GetItem"]
        leading = statement["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
        # The trailing '#' keeps acme's role off acme-co's items.
        assert leading == [f"TENANT#{tenant}#*"]


def test_each_tenants_graph_functions_know_their_tenant_and_reach_only_its_items(
    deployer: tuple[AwsDeployer, Any, Any],
) -> None:
    """The run handler reads the tenant's settings and files AI usage (tests/ai/
    test_deployed_runs.py): its function says which tenant, its role reaches only that one."""
    aws, lam, _ = deployer
    aws.deploy("acme", "leads", _bundle("lead-scoring"), public=False)
    aws.deploy("acme-co", "leads", _bundle("lead-scoring"), public=False)
    iam = boto3.client("iam", region_name="us-east-1")
    roles = set()
    for tenant in ("acme", "acme-co"):
        config = lam.get_function(FunctionName=f"auterity-{tenant}-leads")["Configuration"]
        assert config["Environment"]["Variables"]["AUTERITY_TENANT"] == tenant
        role_name = config["Role"].rsplit("/", 1)[-1]
        roles.add(role_name)
        policy = iam.get_role_policy(RoleName=role_name, PolicyName="own-items-and-logs")
        items, logs = policy["PolicyDocument"]["Statement"]
        assert "*" not in json.dumps(items["Action"])
        leading = items["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
        assert leading == [f"TENANT#{tenant}#*"]
        assert logs["Action"] == [
            "logs:CreateLogGroup",
            "logs:CreateLogStream",
            "logs:PutLogEvents",
        ]
    assert len(roles) == 2


def test_public_routes_have_no_authorizer(deployer: tuple[AwsDeployer, Any, Any]) -> None:
    aws, _, api = deployer
    endpoint = aws.deploy("acme", "echo", _bundle("http-echo"), public=True)
    resources = {r["path"]: r for r in api.get_resources(restApiId=endpoint.rest_api_id)["items"]}
    method = api.get_method(
        restApiId=endpoint.rest_api_id, resourceId=resources["/echo"]["id"], httpMethod="ANY"
    )
    assert method["authorizationType"] == "NONE"


def test_an_erasure_redeploys_the_functions_serving_a_rewritten_version(aws: Any) -> None:
    """The function's bundle holds the graph: after erasure it must hold the redacted one."""
    from fastapi.testclient import TestClient

    from runtime.service.app import create_app
    from runtime.service.config import ServiceConfig
    from runtime.store import Directory

    subject = "ada.subject@example.org"
    config = ServiceConfig(token_secret="t" * 48, deploy_target="lambda")
    directory = Directory(aws, "auterity")
    directory.create_tenant("acme", "Acme")
    store = directory.tenant("acme")
    _, key = store.create_api_key("ci", "admin")
    graph = example("http-echo")
    graph["metadata"] = {"sample_input": {"email": subject}}
    other = {**example("http-echo"), "id": "plain_echo"}
    with TestClient(create_app(config, aws)) as client:
        headers = {"X-API-Key": key}
        for body, slug in ((graph, "echo"), (other, "plain")):
            assert client.post("/api/v1/graphs", json={"graph": body}, headers=headers).is_success
            deploy = {"slug": slug, "graph_id": body["id"]}
            assert client.post("/api/v1/deployments", json=deploy, headers=headers).is_success
        lam = boto3.client("lambda", region_name="us-east-1")

        def code(slug: str) -> str:
            name = f"auterity-acme_steps-{slug}"
            sha: str = lam.get_function(FunctionName=name)["Configuration"]["CodeSha256"]
            return sha

        before = {slug: code(slug) for slug in ("echo", "plain")}
        erased = client.post("/api/v1/gdpr/erase", json={"subject": subject}, headers=headers)
        assert erased.status_code == 200, erased.text
        assert erased.json()["rewritten"] == [{"graph_id": "http_echo", "version": 1}]

    now = store.get_graph("http_echo", 1).graph
    assert now.metadata == {"sample_input": {"email": "[erased]"}}
    assert code("echo") == _sha(build_bundle(build_plan(now), now)) != before["echo"]
    assert code("plain") == before["plain"]  # not holding the subject: left alone
    redeploys = [e for e in store.iter_audit() if e.action == "deployment.redeploy"]
    assert [(e.target, e.outcome) for e in redeploys] == [
        ("echo", "attempted"),
        ("echo", "succeeded"),
    ]


def test_graph_functions_get_the_operators_egress_open_list(
    deployer: tuple[AwsDeployer, Any, Any],
) -> None:
    """Issue 13.1: runs on Lambda obey the operator's egress policy as the service's runs do."""
    aws, lam, api = deployer
    aws.deploy("acme", "leads", _bundle("lead-scoring"), public=False)
    variables = lam.get_function(FunctionName="auterity-acme-leads")["Configuration"]
    assert "AUTERITY_EGRESS_OPEN" not in variables["Environment"]["Variables"]  # none opened
    iam = boto3.client("iam", region_name="us-east-1")
    opened = AwsDeployer(lam, api, iam, AwsDeployConfig(egress_open=("10.20.0.0/16",)))
    opened.deploy("acme", "leads", _bundle("lead-scoring", change=1), public=False)
    variables = lam.get_function(FunctionName="auterity-acme-leads")["Configuration"]
    assert variables["Environment"]["Variables"]["AUTERITY_EGRESS_OPEN"] == "10.20.0.0/16"
