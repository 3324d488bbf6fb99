"""The synthesized tenant stack: a snapshot, and the properties it must never lose.

The snapshot is ``tests/fixtures/cdk/*.template.json`` with asset hashes normalized. After a
deliberate change to ``infra/cdk``, regenerate it and review the diff with the change:

    AUTERITY_REGENERATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/infra/test_template.py
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from infra.cdk.config import PLATFORM_STACK, STAGE, CustomDomain, TenantConfig
from runtime.store.table import RUN_INDEXES, TTL_ATTRIBUTE
from tests.infra.support import config, synthesized

SNAPSHOTS = Path(__file__).resolve().parents[1] / "fixtures" / "cdk"
REGENERATE = os.environ.get("AUTERITY_REGENERATE_SNAPSHOTS") == "1"
HASH = re.compile(r"\b[0-9a-f]{64}\b")

DEDICATED = config(log_retention_days=90, reserved_concurrency=20)
POOLED = config(table_mode="pooled")


def tenant_template(cfg: TenantConfig) -> dict[str, Any]:
    return synthesized(cfg).tenant.template


def normalized(template: dict[str, Any]) -> Any:
    return json.loads(HASH.sub("<asset-hash>", json.dumps(template, sort_keys=True)))


@pytest.mark.parametrize(
    ("name", "cfg"), [("tenant-dedicated", DEDICATED), ("tenant-pooled", POOLED)]
)
def test_template_matches_the_snapshot(name: str, cfg: TenantConfig) -> None:
    path = SNAPSHOTS / f"{name}.template.json"
    current = normalized(tenant_template(cfg))
    if REGENERATE:
        path.write_text(json.dumps(current, indent=1, sort_keys=True) + "\n")
    assert path.is_file(), f"no snapshot {path}: regenerate (see this module's docstring)"
    assert current == json.loads(path.read_text()), (
        f"{path.name} is stale: regenerate it (see this module's docstring) and review the diff"
    )


def test_the_code_asset_is_normalized_and_uploaded_by_content_hash() -> None:
    stack = synthesized(DEDICATED).tenant
    code = Template.from_json(stack.template).find_resources("AWS::Lambda::Function")
    (function,) = code.values()
    key = function["Properties"]["Code"]["S3Key"]
    assert HASH.fullmatch(key.removesuffix(".zip"))
    assert any(asset.object_key == key and asset.path.is_file() for asset in stack.assets)


@pytest.fixture(params=["dedicated", "pooled"])
def template(request: pytest.FixtureRequest) -> Template:
    return Template.from_json(
        tenant_template(DEDICATED if request.param == "dedicated" else POOLED)
    )


def test_dedicated_table_is_encrypted_with_the_key_and_recoverable() -> None:
    template = Template.from_json(tenant_template(DEDICATED))
    template.resource_count_is("AWS::DynamoDB::Table", 2)  # the store's and idempotency's
    template.all_resources_properties(
        "AWS::DynamoDB::Table",
        {
            "SSESpecification": {
                "SSEEnabled": True,
                "SSEType": "KMS",
                "KMSMasterKeyId": {"Fn::GetAtt": [Match.string_like_regexp("^Key"), "Arn"]},
            },
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
            "BillingMode": "PAY_PER_REQUEST",
        },
    )


def test_store_table_has_the_store_key_schema_and_ttl() -> None:
    """The same shape ``runtime.store.create_table`` makes: PK/SK strings, TTL, run indexes."""
    template = Template.from_json(tenant_template(DEDICATED))
    template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "KeySchema": [
                {"AttributeName": "PK", "KeyType": "HASH"},
                {"AttributeName": "SK", "KeyType": "RANGE"},
            ],
            "AttributeDefinitions": Match.array_with(
                [
                    {"AttributeName": a, "AttributeType": "S"}
                    for a in ("PK", "SK", *RUN_INDEXES.values())
                ]
            ),
            "TimeToLiveSpecification": {"AttributeName": TTL_ATTRIBUTE, "Enabled": True},
            "GlobalSecondaryIndexes": [
                {
                    "IndexName": name,
                    "KeySchema": [
                        {"AttributeName": attribute, "KeyType": "HASH"},
                        {"AttributeName": "SK", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
                for name, attribute in RUN_INDEXES.items()
            ],
        },
    )


def test_platform_table_for_pooled_tenants_has_the_same_guarantees() -> None:
    platform = synthesized(POOLED).platform
    assert platform is not None
    assert platform.name == PLATFORM_STACK
    template = Template.from_json(platform.template)
    template.has_resource("AWS::DynamoDB::Table", {"DeletionPolicy": "Retain"})
    template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "SSESpecification": {"SSEEnabled": True, "SSEType": "KMS"},
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
            "TimeToLiveSpecification": {"AttributeName": TTL_ATTRIBUTE, "Enabled": True},
        },
    )
    assert set(platform.template["Outputs"]) == {"TableName", "TableArn", "KeyArn"}


def test_pooled_tenant_has_no_store_table_of_its_own() -> None:
    template = Template.from_json(tenant_template(POOLED))
    template.resource_count_is("AWS::DynamoDB::Table", 1)  # idempotency only
    template.has_output("TableName", {"Value": {"Fn::ImportValue": f"{PLATFORM_STACK}-TableName"}})


def test_bucket_is_private_encrypted_versioned_and_refuses_plain_http(template: Template) -> None:
    template.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    {
                        "ServerSideEncryptionByDefault": {
                            "SSEAlgorithm": "aws:kms",
                            "KMSMasterKeyID": Match.any_value(),
                        },
                        "BucketKeyEnabled": True,
                    }
                ]
            },
            "VersioningConfiguration": {"Status": "Enabled"},
        },
    )
    template.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Action": "s3:*",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        )
                    ]
                )
            }
        },
    )


def test_key_rotates(template: Template) -> None:
    template.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})


def test_log_group_keeps_logs_for_the_configured_days() -> None:
    Template.from_json(tenant_template(DEDICATED)).has_resource_properties(
        "AWS::Logs::LogGroup",
        {"RetentionInDays": 90, "LogGroupName": "/aws/lambda/auterity-acme-runtime"},
    )
    Template.from_json(tenant_template(POOLED)).has_resource_properties(
        "AWS::Logs::LogGroup", {"RetentionInDays": 30}
    )


def test_function_runs_the_service_bundle_on_python_312_with_powertools_settings() -> None:
    template = Template.from_json(tenant_template(DEDICATED))
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Runtime": "python3.12",
            "Handler": "runtime.service.lambda_handler.handler",
            "ReservedConcurrentExecutions": 20,
            "LoggingConfig": {"LogGroup": {"Ref": Match.string_like_regexp("^RuntimeLogs")}},
            "Environment": {
                "Variables": Match.object_like(
                    {
                        "POWERTOOLS_SERVICE_NAME": "auterity",
                        "POWERTOOLS_METRICS_NAMESPACE": "Auterity",
                        "LOG_LEVEL": "INFO",
                        "AUTERITY_TENANT": "acme",
                    }
                )
            },
        },
    )
    Template.from_json(tenant_template(POOLED)).has_resource_properties(
        "AWS::Lambda::Function", {"ReservedConcurrentExecutions": Match.absent()}
    )


def _statements(template: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every policy statement in the template, with the logical id that holds it."""
    for logical, resource in template["Resources"].items():
        props = resource.get("Properties", {})
        documents = []
        kind = resource["Type"]
        if kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::S3::BucketPolicy"):
            documents.append(props["PolicyDocument"])
        if kind == "AWS::IAM::Role":
            documents += [p["PolicyDocument"] for p in props.get("Policies", [])]
        for document in documents:
            statements = document["Statement"]
            for statement in statements if isinstance(statements, list) else [statements]:
                yield logical, statement


def _resources(statement: dict[str, Any]) -> list[Any]:
    value = statement.get("Resource", [])
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize("cfg", [DEDICATED, POOLED], ids=["dedicated", "pooled"])
def test_no_policy_statement_grants_on_every_resource(cfg: TenantConfig) -> None:
    synth = synthesized(cfg)
    templates = [synth.tenant.template] + ([synth.platform.template] if synth.platform else [])
    count = 0
    for template in templates:
        for logical, statement in _statements(template):
            count += 1
            assert "NotResource" not in statement, logical
            for resource in _resources(statement):
                assert resource != "*", f"{logical} grants {statement.get('Action')} on *"
                assert not (isinstance(resource, str) and resource.endswith(":*")), logical
    assert count >= 5


def test_kms_key_policies_grant_only_the_account() -> None:
    """A key policy's ``Resource: "*"`` means "this key" (KMS requires it); its principal
    must then be this account, never anyone."""
    for cfg in (DEDICATED, POOLED):
        for logical, resource in tenant_template(cfg)["Resources"].items():
            if resource["Type"] != "AWS::KMS::Key":
                continue
            for statement in resource["Properties"]["KeyPolicy"]["Statement"]:
                principal = json.dumps(statement["Principal"])
                assert ":root" in principal, logical
                assert '"*"' not in principal, logical


def test_pooled_data_access_is_fenced_to_the_tenant_prefix() -> None:
    statements = [s for _, s in _statements(tenant_template(POOLED))]
    dynamo = [
        s for s in statements if any(str(a).startswith("dynamodb:Query") for a in _actions(s))
    ]
    assert dynamo, "no statement grants the store's actions"
    for statement in dynamo:
        assert statement["Condition"] == {
            "ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["TENANT#acme#*"]}
        }
    assert not any("dynamodb:Scan" in _actions(s) for s in statements)


def _actions(statement: dict[str, Any]) -> list[str]:
    value = statement.get("Action", [])
    return value if isinstance(value, list) else [value]


def test_dedicated_data_access_needs_no_prefix_condition_but_no_scan() -> None:
    statements = [s for _, s in _statements(tenant_template(DEDICATED))]
    assert any("dynamodb:Query" in _actions(s) for s in statements)
    assert not any("dynamodb:Scan" in _actions(s) for s in statements)


def test_every_taggable_resource_carries_tenant_and_brand(template: Template) -> None:
    for kind in (
        "AWS::DynamoDB::Table",
        "AWS::S3::Bucket",
        "AWS::KMS::Key",
        "AWS::IAM::Role",
        "AWS::Lambda::Function",
        "AWS::Logs::LogGroup",
        "AWS::ApiGateway::RestApi",
    ):
        template.all_resources_properties(
            kind,
            {
                "Tags": Match.array_with(
                    [
                        {"Key": "auterity:brand", "Value": "Snapshot Flow"},
                        {"Key": "auterity:tenant", "Value": "acme"},
                    ]
                )
            },
        )


def test_only_resources_cloudformation_creates_itself(template: Template) -> None:
    """No custom resources (Lambda code run on deploy), no separate Stage, no Account."""
    resources = template.to_json()["Resources"]
    kinds = {r["Type"] for r in resources.values()}
    assert not {
        k for k in kinds if k.startswith("Custom::") or k == "AWS::CloudFormation::CustomResource"
    }
    assert "AWS::ApiGateway::Stage" not in kinds
    assert "AWS::ApiGateway::Account" not in kinds
    template.has_resource_properties("AWS::ApiGateway::Deployment", {"StageName": STAGE})


def test_every_resource_type_is_one_the_local_endpoint_creates(template: Template) -> None:
    from moto.cloudformation.parsing import get_model_map

    from runtime.local.moto_cfn import register

    register()
    kinds = {r["Type"] for r in template.to_json()["Resources"].values()}
    assert kinds <= set(get_model_map())


def test_outputs_name_everything_the_engine_validates(template: Template) -> None:
    outputs = set(template.to_json()["Outputs"])
    assert {
        "TableName",
        "BucketName",
        "FunctionName",
        "RestApiId",
        "ApiUrl",
        "HealthUrl",
        "KeyArn",
        "LogGroupName",
        "RoleName",
        "BrandObjectKey",
        "BrandPrimaryColor",
    } <= outputs


def test_custom_domain_maps_the_stage() -> None:
    cfg = config(
        tenant="globex",
        custom_domain=CustomDomain(
            domain_name="api.globex.example",
            certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/abc",
        ),
    )
    template = Template.from_json(tenant_template(cfg))
    template.has_resource_properties(
        "AWS::ApiGateway::DomainName",
        {"DomainName": "api.globex.example", "SecurityPolicy": "TLS_1_2"},
    )
    template.has_resource_properties(
        "AWS::ApiGateway::BasePathMapping", {"Stage": STAGE, "DomainName": "api.globex.example"}
    )
    template.has_output("DomainTarget", {})


def test_brand_changes_reach_outputs_and_the_function() -> None:
    blue = config(brand=DEDICATED.brand.model_copy(update={"primary_color": "#1e3a8a"}))
    first = tenant_template(config())
    second = tenant_template(blue)
    assert first["Outputs"]["BrandPrimaryColor"]["Value"] == "#1d4ed8"
    assert second["Outputs"]["BrandPrimaryColor"]["Value"] == "#1e3a8a"
    assert first["Outputs"]["BrandObjectKey"] != second["Outputs"]["BrandObjectKey"]


def test_the_cdk_app_entry_synthesizes_as_the_cdk_cli_runs_it(tmp_path: Path) -> None:
    """``cdk synth`` runs ``cdk.json``'s app with ``CDK_OUTDIR`` and ``CDK_CONTEXT_JSON`` set."""
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[2]
    assert "infra.cdk.app" in json.loads((repo / "cdk.json").read_text())["app"]
    context = {"tenant": "globex", "brand": "examples/brands/globex.yaml"}
    env = {**os.environ, "CDK_OUTDIR": str(tmp_path), "CDK_CONTEXT_JSON": json.dumps(context)}
    subprocess.run(
        [sys.executable, "-m", "infra.cdk.app"], cwd=repo, env=env, check=True, timeout=300
    )
    written = json.loads((tmp_path / "auterity-tenant-globex.template.json").read_text())
    assert written["Outputs"]["FunctionName"]["Value"] == {"Ref": "Runtime99E3DDFA"}


def _role_statements(template: dict[str, Any], role: str) -> list[dict[str, Any]]:
    """The statements of the policies attached to the role whose logical id starts ``role``."""
    found = []
    for resource in template["Resources"].values():
        if resource["Type"] != "AWS::IAM::Policy":
            continue
        roles = resource["Properties"]["Roles"]
        if any(r.get("Ref", "").startswith(role) for r in roles):
            found += resource["Properties"]["PolicyDocument"]["Statement"]
    return found


def _joined(value: Any) -> str:
    """An ``Fn::Join`` resource as text, references as ``<Ref>``."""
    if isinstance(value, str):
        return value
    if "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return str(separator).join(_joined(p) for p in parts)
    return f"<{next(iter(value))}>"


@pytest.mark.parametrize("cfg", [DEDICATED, POOLED])
def test_state_machine_roles_grant_only_the_tenants_own(cfg: TenantConfig) -> None:
    """Issue 16.3: start its machines, invoke its step handlers, its prefix of the bucket."""
    template = tenant_template(cfg)
    starts = _role_statements(template, "StartsRole")
    assert [(s["Action"], _joined(s["Resource"])) for s in starts] == [
        (
            ["states:StartExecution", "states:StartSyncExecution"],
            "arn:<Ref>:states:<Ref>:<Ref>:stateMachine:auterity-acme_graph-*",
        )
    ]
    runs = _role_statements(template, "MachinesRole")
    assert [(s["Action"], _joined(s["Resource"])) for s in runs] == [
        ("lambda:InvokeFunction", "arn:<Ref>:lambda:<Ref>:<Ref>:function:auterity-acme_steps-*")
    ]
    steps = _role_statements(template, "StepsRole")
    s3 = [s for s in steps if "s3:PutObject" in json.dumps(s["Action"])]
    assert [_joined(s["Resource"]) for s in s3] == ["<Fn::GetAtt>/TENANT#acme#STATES#*"]
    assert all("s3:" not in json.dumps(s["Action"]) for s in steps if s not in s3)
    roles = template["Resources"]
    trusted = {
        logical.rstrip("0123456789ABCDEF"): r["Properties"]["AssumeRolePolicyDocument"][
            "Statement"
        ][0]["Principal"]["Service"]
        for logical, r in roles.items()
        if r["Type"] == "AWS::IAM::Role" and logical.startswith(("Steps", "Machines", "Starts"))
    }
    assert trusted == {
        "StepsRole": "lambda.amazonaws.com",
        "MachinesRole": "states.amazonaws.com",
        "StartsRole": "apigateway.amazonaws.com",
    }
    assert {"StepsRoleArn", "MachinesRoleArn", "StartsRoleArn"} <= set(template["Outputs"])


def test_offloaded_state_values_expire() -> None:
    Template.from_json(tenant_template(DEDICATED)).has_resource_properties(
        "AWS::S3::Bucket",
        {
            "LifecycleConfiguration": {
                "Rules": Match.array_with(
                    [Match.object_like({"Prefix": "TENANT#acme#STATES#", "ExpirationInDays": 7})]
                )
            }
        },
    )
