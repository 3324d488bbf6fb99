"""provision → status → update (brand colour) → teardown, against moto in this process."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3  # type: ignore[import-untyped]  # boto3 ships no types
import pytest
from botocore.exceptions import ClientError  # type: ignore[import-untyped]  # ships no types
from moto import mock_aws

from runtime.local.moto_cfn import register
from runtime.tenant.brand import BrandPackage, check_brand
from tests.infra.support import SNAPSHOT_BRAND, cached_synthesizer, config
from whitelabel.provision import (
    AwsClients,
    MemorySink,
    Options,
    ProvisionError,
    SkippedResources,
    StackNotFound,
    provision,
    status,
    teardown,
    update,
)
from whitelabel.provision.jobs import Job, JobRun, Step
from whitelabel.provision.stacks import deploy, prepared

LOGO = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8">'
    b'<rect width="8" height="8"/></svg>'
)


@pytest.fixture
def clients(monkeypatch: pytest.MonkeyPatch) -> Iterator[AwsClients]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    with mock_aws():
        register()
        yield AwsClients.from_session(boto3.Session(region_name="us-east-1"))


def package(**changes: Any) -> BrandPackage:
    fields = {**SNAPSHOT_BRAND.model_dump(exclude={"logo", "favicon"}), **changes}
    return check_brand(fields, {"logo": LOGO})


def _exists(call: Any, **kwargs: Any) -> bool:
    try:
        call(**kwargs)
    except ClientError:
        return False
    return True


def test_provision_status_update_teardown(clients: AwsClients) -> None:
    sink = MemorySink()
    seen: list[str] = []

    def listen(job: Job, step: Step | None) -> None:
        if step is not None:
            seen.append(f"{step.name}:{step.status}")

    options = Options(
        clients=clients, sink=sink, listeners=(listen,), synthesizer=cached_synthesizer
    )
    brand = package()
    cfg = config(brand=brand.brand)

    job = provision(cfg, brand, options)

    assert job.status == "succeeded"
    assert [s.name for s in job.steps] == ["synth", "assets", "deploy", "brand", "validate"]
    assert all(s.status == "succeeded" and s.finished_at for s in job.steps)
    assert sink.jobs[job.id].status == "succeeded"
    assert "deploy:running" in seen
    assert "validate:succeeded" in seen
    out = job.outputs
    # The resources exist, as the outputs name them.
    table = clients.dynamodb.describe_table(TableName=out["TableName"])["Table"]
    assert [k["AttributeName"] for k in table["KeySchema"]] == ["PK", "SK"]
    assert (
        clients.lambda_.get_function(FunctionName=out["FunctionName"])["Configuration"]["Runtime"]
        == "python3.12"
    )
    assert clients.apigateway.get_rest_api(restApiId=out["RestApiId"])["name"] == "auterity-acme"
    assert clients.kms.describe_key(KeyId=out["KeyArn"])["KeyMetadata"]["KeyState"] == "Enabled"
    assert clients.iam.get_role(RoleName=out["RoleName"])
    groups = clients.logs.describe_log_groups(logGroupNamePrefix=out["LogGroupName"])["logGroups"]
    assert [g["logGroupName"] for g in groups] == [out["LogGroupName"]]
    bucket = out["BucketName"]
    keys = {o["Key"] for o in clients.s3.list_objects_v2(Bucket=bucket)["Contents"]}
    assert keys == {
        f"assets/{brand.brand.logo.file_name}",  # type: ignore[union-attr]
        out["BrandObjectKey"],
        "tenant-config.json",
    }
    stored = json.loads(
        clients.s3.get_object(Bucket=bucket, Key=out["BrandObjectKey"])["Body"].read()
    )
    assert stored["primary_color"] == "#1d4ed8"
    policy = json.loads(clients.s3.get_bucket_policy(Bucket=bucket)["Policy"])
    assert policy["Statement"][0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}

    found = status("acme", options=options)
    assert found.status == "CREATE_COMPLETE"
    assert found.outputs == out
    assert found.config == cfg
    assert found.resources["BrandAssetsPolicyC32F53B3"].startswith("AWS::S3::BucketPolicy")

    # A new brand colour: new brand object and outputs, stack UPDATE_COMPLETE, logo kept.
    updated = update("acme", package=package(primary_color="#1e3a8a"), options=options)
    assert updated.status == "succeeded"
    assert updated.outputs["BrandPrimaryColor"] == "#1e3a8a"
    assert updated.outputs["BrandObjectKey"] != out["BrandObjectKey"]
    assert updated.outputs["BucketName"] == bucket  # the same stack, updated in place
    assert status("acme", options=options).status == "UPDATE_COMPLETE"
    stored = json.loads(
        clients.s3.get_object(Bucket=bucket, Key=updated.outputs["BrandObjectKey"])["Body"].read()
    )
    assert stored["primary_color"] == "#1e3a8a"
    function = clients.lambda_.get_function(FunctionName=out["FunctionName"])["Configuration"]
    assert (
        function["Environment"]["Variables"]["AUTERITY_BRAND_KEY"]
        == (updated.outputs["BrandObjectKey"])
    )

    # Without a new brand file, an update keeps the stored brand and its files; a new
    # industry re-tags every resource (each one is updated in place, none dropped).
    again = update("acme", changes={"industry": "healthcare"}, options=options)
    assert again.outputs["BrandPrimaryColor"] == "#1e3a8a"
    table_arn = clients.dynamodb.describe_table(TableName=out["TableName"])["Table"]["TableArn"]
    tags = clients.dynamodb.list_tags_of_resource(ResourceArn=table_arn)["Tags"]
    assert {"Key": "auterity:industry", "Value": "healthcare"} in tags
    key_tags = clients.kms.list_resource_tags(KeyId=out["KeyArn"])["Tags"]
    assert {"TagKey": "auterity:industry", "TagValue": "healthcare"} in key_tags
    with pytest.raises(ProvisionError, match="table_mode cannot change"):
        update("acme", changes={"table_mode": "pooled"}, options=options)

    gone = teardown("acme", options=options)
    assert gone.status == "succeeded"
    assert [s.name for s in gone.steps] == ["read", "empty bucket", "delete", "check gone"]
    assert not _exists(clients.dynamodb.describe_table, TableName=out["TableName"])
    assert not _exists(clients.s3.head_bucket, Bucket=bucket)
    assert not _exists(clients.lambda_.get_function, FunctionName=out["FunctionName"])
    assert not _exists(clients.apigateway.get_rest_api, restApiId=out["RestApiId"])
    assert not _exists(clients.iam.get_role, RoleName=out["RoleName"])
    # AWS schedules a key's deletion (7 days here); moto removes it at once.
    try:
        state = clients.kms.describe_key(KeyId=out["KeyArn"])["KeyMetadata"]["KeyState"]
    except ClientError:
        state = "deleted"
    assert state in ("PendingDeletion", "deleted")
    assert not clients.logs.describe_log_groups(logGroupNamePrefix=out["LogGroupName"])["logGroups"]
    with pytest.raises(StackNotFound):
        status("acme", options=options)


def test_pooled_tenant_deploys_the_platform_first_and_leaves_it(clients: AwsClients) -> None:
    options = Options(clients=clients, synthesizer=cached_synthesizer)
    brand = package()
    job = provision(config(brand=brand.brand, table_mode="pooled"), brand, options)
    assert [s.name for s in job.steps][:4] == ["synth", "assets", "platform", "deploy"]
    platform = clients.cloudformation.describe_stacks(StackName="auterity-platform")["Stacks"][0]
    shared = {o["OutputKey"]: o["OutputValue"] for o in platform["Outputs"]}
    assert job.outputs["TableName"] == shared["TableName"]
    for tenant in ("acme", "globex"):
        item = {"PK": {"S": f"TENANT#{tenant}#"}, "SK": {"S": "PROFILE"}}
        clients.dynamodb.put_item(TableName=shared["TableName"], Item=item)
    gone = teardown("acme", options=options)
    assert "deleted 1 items of acme" in gone.steps[3].messages[-1]
    assert _exists(clients.dynamodb.describe_table, TableName=shared["TableName"])
    left = clients.dynamodb.scan(TableName=shared["TableName"])["Items"]
    assert [i["PK"]["S"] for i in left] == ["TENANT#globex#"]


def test_a_resource_the_endpoint_skips_fails_the_deploy_by_name(clients: AwsClients) -> None:
    template = {
        "Resources": {
            "Queue": {"Type": "AWS::SQS::Queue", "Properties": {}},
            "Stage": {
                "Type": "AWS::ApiGateway::Stage",
                "Properties": {"RestApiId": "abc", "StageName": "live"},
            },
        }
    }
    run = JobRun(Job(tenant="acme", kind="provision", target="local"))
    with (
        pytest.warns(UserWarning, match="AWS::ApiGateway::Stage"),
        pytest.raises(SkippedResources) as caught,
        run.step("deploy") as log,
    ):
        deploy(clients.cloudformation, "skips", template, {}, log)
    assert caught.value.missing == {"Stage": "AWS::ApiGateway::Stage"}
    assert "Stage (AWS::ApiGateway::Stage)" in str(caught.value)
    assert run.job.steps[0].status == "failed"


def test_a_custom_domain_is_refused_on_the_local_endpoint(clients: AwsClients) -> None:
    """moto has no API Gateway domain names: say so before deploying anything."""
    from infra.cdk.config import CustomDomain

    brand = package()
    domain = CustomDomain(
        domain_name="api.acme.example",
        certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/abc",
    )
    options = Options(clients=clients, synthesizer=cached_synthesizer)
    with pytest.raises(ProvisionError, match=r"custom domain \(api.acme.example\).*--target aws"):
        provision(config(brand=brand.brand, custom_domain=domain), brand, options)
    assert clients.cloudformation.list_stacks()["StackSummaries"] == []


def test_a_stack_with_no_changes_is_not_an_error() -> None:
    class NoChanges:
        def describe_stacks(self, **_: Any) -> dict[str, Any]:
            return {
                "Stacks": [
                    {
                        "StackName": "s",
                        "StackId": "id",
                        "StackStatus": "UPDATE_COMPLETE",
                        "Outputs": [{"OutputKey": "A", "OutputValue": "1"}],
                    }
                ]
            }

        def describe_stack_events(self, **_: Any) -> dict[str, Any]:
            return {"StackEvents": []}

        def update_stack(self, **_: Any) -> None:
            raise ClientError(
                {
                    "Error": {
                        "Code": "ValidationError",
                        "Message": "No updates are to be performed.",
                    }
                },
                "UpdateStack",
            )

        def get_paginator(self, _: str) -> Any:
            class Pages:
                def paginate(self, **_: Any) -> list[dict[str, Any]]:
                    return [
                        {
                            "StackResourceSummaries": [
                                {"LogicalResourceId": "Q", "ResourceStatus": "UPDATE_COMPLETE"}
                            ]
                        }
                    ]

            return Pages()

    run = JobRun(Job(tenant="acme", kind="update", target="aws"))
    with run.step("deploy") as log:
        outputs = deploy(
            NoChanges(), "s", {"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}, {}, log
        )
    assert outputs == {"A": "1"}
    assert "no changes" in run.job.steps[0].messages[-1]


def test_the_local_target_drops_only_the_bootstrap_check() -> None:
    template = {
        "Parameters": {"BootstrapVersion": {"Type": "AWS::SSM::Parameter::Value<String>"}},
        "Rules": {"CheckBootstrapVersion": {}},
        "Resources": {"Q": {"Type": "AWS::SQS::Queue"}},
    }
    assert prepared(template, "aws") == template
    assert prepared(template, "local") == {"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}


def test_aws_target_without_a_bootstrap_says_how_to_make_one(clients: AwsClients) -> None:
    brand = package()
    options = Options(clients=clients, target="aws", synthesizer=cached_synthesizer)
    with pytest.raises(ProvisionError, match="cdk bootstrap aws://123456789012/us-east-1"):
        provision(config(brand=brand.brand), brand, options)


def test_aws_target_keeps_the_bootstrap_check_and_needs_a_healthy_api(
    clients: AwsClients,
) -> None:
    """The ``aws`` path on moto: bootstrap made as ``cdk bootstrap`` would, template unchanged
    (its ``BootstrapVersion`` parameter resolved from SSM), and the API's health route asked."""
    clients.s3.create_bucket(Bucket="cdk-hnb659fds-assets-123456789012-us-east-1")
    clients.ssm.put_parameter(Name="/cdk-bootstrap/hnb659fds/version", Value="30", Type="String")
    asked: list[str] = []

    def answer_502(url: str) -> int:
        asked.append(url)
        return 502

    brand = package()
    unhealthy = Options(
        clients=clients,
        target="aws",
        synthesizer=cached_synthesizer,
        http_get=answer_502,
    )
    with pytest.raises(ProvisionError, match="answered HTTP 502"):
        provision(config(brand=brand.brand), brand, unhealthy)
    assert asked[0].endswith("/live/healthz")
    stack = clients.cloudformation.describe_stacks(StackName="auterity-tenant-acme")["Stacks"][0]
    assert stack["Parameters"] == [{"ParameterKey": "BootstrapVersion", "ParameterValue": "30"}]

    healthy = Options(
        clients=clients, target="aws", synthesizer=cached_synthesizer, http_get=lambda _: 200
    )
    assert provision(config(brand=brand.brand), brand, healthy).status == "succeeded"
