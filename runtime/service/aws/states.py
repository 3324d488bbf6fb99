"""AWS mode for a graph the ASL target compiles: step handler, state machine, endpoint.

The bundle ships as the step handler (``auterity_entry.states``; a published Lambda version per
deploy), the machine's definition names that version, the machine's own role may invoke only
that function, and the slug's route starts the machine's ``live`` alias straight from API
Gateway (``integration``): Express synchronously, answering what the graph's Respond node
answers; Standard at once with 202 and the run id.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from runtime.engine.asl.endpoint import for_endpoint
from runtime.engine.asl.machine import AslMachine, substitute
from runtime.service.aws.integration import put_states_route
from runtime.service.aws.machines import machine_name
from runtime.service.aws.policies import (
    ASSUME_APIGATEWAY,
    ASSUME_STATES,
    invoke_policy,
    start_policy,
)
from runtime.service.schemas import LambdaEndpoint
from runtime.store.assets import BUCKET_ENV

if TYPE_CHECKING:
    from runtime.service.aws_deploy import AwsDeployer

STATE_HANDLER = "auterity_entry.states"


def version_description(machine: AslMachine, bundle: bytes) -> str:
    """What a published version is: the graph, the step handler's code, the workflow type."""
    code = hashlib.sha256(bundle).hexdigest()[:16]
    return f"{machine.graph_id} graph {machine.graph_hash[:16]} code {code} {machine.workflow.type}"


def deploy_machine(
    aws: AwsDeployer,
    tenant_id: str,
    slug: str,
    bundle: bytes,
    machine: AslMachine,
    *,
    public: bool,
) -> LambdaEndpoint:
    # The deployer's helpers are this module's to use: it is the deployer's other half.
    from runtime.service.aws_deploy import _bounded, step_function_name

    name = step_function_name(tenant_id, slug)
    express = machine.workflow.type == "EXPRESS"
    description = version_description(machine, bundle)
    published = aws._machines.reuse(machine_name(tenant_id, slug), description)
    if published is None:
        environment = {**aws._run_environment(tenant_id), BUCKET_ENV: aws._config.offload_bucket}
        function = aws._upsert_function(
            name, bundle, aws._runner_role_arn(tenant_id), STATE_HANDLER, environment
        )
        if function.get("Version", "$LATEST") == "$LATEST":  # machines must name a version
            function = aws._lambda.publish_version(FunctionName=name)
        unqualified = _unqualified(function["FunctionArn"])
        qualified = f"{unqualified}:{function['Version']}"
        definition = for_endpoint(machine.definition) if express else machine.definition
        text = substitute(json.dumps(definition), {"StepHandler": qualified})
        role = aws._role_arn(
            _bounded(f"auterity-{tenant_id}_states-{slug}"),
            f"Runs the state machine of {tenant_id}/{slug} (its own step handler only).",
            "invoke-own-step-handler",
            invoke_policy(unqualified),
            trust=ASSUME_STATES,
        )
        published = aws._machines.publish(
            machine_name(tenant_id, slug), text, role, machine.workflow.type, description
        )
    else:
        function = aws._lambda.get_function(FunctionName=name)["Configuration"]
    api_id = aws._rest_api(tenant_id)
    guard: dict[str, Any] = {"authorizationType": "NONE"}
    if not public:
        guard = {"authorizationType": "CUSTOM", "authorizerId": aws._authorizer(tenant_id, api_id)}
    starter = aws._role_arn(
        _bounded(f"auterity-{tenant_id}_starts"),
        f"API Gateway starts the state machines of tenant {tenant_id} (its own only).",
        "start-own-machines",
        start_policy(aws._region, tenant_id),
        trust=ASSUME_APIGATEWAY,
    )
    put_states_route(
        aws._api,
        api_id,
        aws._resource(api_id, slug),
        region=aws._region,
        alias_arn=published.alias_arn,
        express=express,
        role_arn=starter,
        guard=guard,
    )
    aws._api.create_deployment(restApiId=api_id, stageName=aws._config.stage)
    return LambdaEndpoint(
        function_name=name,
        function_arn=function["FunctionArn"],
        function_version=str(function.get("Version", "$LATEST")),
        code_sha256=function["CodeSha256"],
        rest_api_id=api_id,
        url=aws._url(api_id, slug),
        workflow_type=machine.workflow.type,
        state_machine_arn=published.machine_arn,
        state_machine_version_arn=published.version_arn,
        alias_arn=published.alias_arn,
    )


def _unqualified(arn: str) -> str:
    parts = arn.split(":")
    return ":".join(parts[:7])  # arn:aws:lambda:<region>:<account>:function:<name>


def undeploy_machine(aws: AwsDeployer, tenant_id: str, slug: str) -> None:
    """The machine (versions, alias) and its role; the route and function go as before."""
    from runtime.service.aws_deploy import _bounded, _missing  # aws_deploy imports this module

    found = aws._machines.find(machine_name(tenant_id, slug))
    if found is not None:
        aws._machines.delete(found["stateMachineArn"])
    role = _bounded(f"auterity-{tenant_id}_states-{slug}")
    try:
        aws._iam.delete_role_policy(RoleName=role, PolicyName="invoke-own-step-handler")
        aws._iam.delete_role(RoleName=role)
    except ClientError as exc:
        if not _missing(exc):
            raise
