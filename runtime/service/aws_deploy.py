"""AWS mode: a deployment becomes a Lambda function (the compiled bundle) behind API Gateway.

One REST API per tenant (``auterity-<tenant>``), one resource per slug, each proxying every
method to that deployment's function (``auterity-<tenant>-<slug>``). Re-deploying updates the
function's code and publishes a version; nothing is recreated, so the URL never changes.
Locally the same calls go to the local AWS endpoint (``AWS_ENDPOINT_URL``).

Private routes are guarded by the tenant's authorizer function (``auterity-<tenant>-authorizer``,
``runtime/authorizer.py``), which checks our own API keys in DynamoDB and whose role may read
only that tenant's items; public routes (a public webhook trigger) have no authorizer.

The bundle carries our own code; third-party libraries come from a layer whose ARN is
configuration (``AUTERITY_LAMBDA_LAYERS``), listed in the bundle's manifest.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from runtime.core.egress import OPEN_ENV
from runtime.service.aws.machines import Machines
from runtime.service.aws.policies import (
    ASSUME_LAMBDA,
    authorizer_policy,
    offload_statement,
    runner_policy,
)
from runtime.service.aws.states import deploy_machine, undeploy_machine
from runtime.service.schemas import LambdaEndpoint

if TYPE_CHECKING:
    from runtime.engine.asl.machine import AslMachine

MAX_FUNCTION_NAME = 64
AUTHORIZER_NAME = "auterity-api-keys"
AUTHORIZER_TTL_SECONDS = 5
"""Like the service's ``cache_seconds``: a revoked key stops working within this."""


@dataclass(frozen=True)
class AwsDeployConfig:
    layers: tuple[str, ...] = ()
    runtime: str = "python3.11"
    memory_mb: int = 256
    timeout_seconds: int = 30
    stage: str = "live"
    table_name: str = "auterity"
    """The store's table, which the tenant's authorizer reads API keys from."""
    egress_open: tuple[str, ...] = ()
    """The operator's opened egress ranges, so runs on Lambda obey them as the service's do."""
    offload_bucket: str = "auterity-brand-assets"
    """The tenants' bucket: step handlers offload big records under ``TENANT#<id>#STATES#``."""


def function_name(tenant_id: str, slug: str) -> str:
    """``auterity-<tenant>-<slug>``, shortened with a hash when AWS's 64 characters are short."""
    return _bounded(f"auterity-{tenant_id}-{slug}")


def authorizer_function_name(tenant_id: str) -> str:
    # Tenant ids and slugs are [a-z0-9-] only: with an underscore, no deployment's function
    # name can ever equal an authorizer's.
    return _bounded(f"auterity-{tenant_id}_authorizer")


def step_function_name(tenant_id: str, slug: str) -> str:
    """A state machine deployment's step handler: ``auterity-<tenant>_steps-<slug>``."""
    return _bounded(f"auterity-{tenant_id}_steps-{slug}")


def _bounded(name: str) -> str:
    if len(name) <= MAX_FUNCTION_NAME:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:10]
    return f"{name[: MAX_FUNCTION_NAME - 11]}-{digest}"


def _missing(exc: ClientError) -> bool:
    code = exc.response.get("Error", {}).get("Code", "")
    return code in ("ResourceNotFoundException", "NoSuchEntity", "NotFoundException")


class AwsDeployer:
    """Creates or updates one deployment's function and route. Clients are injected."""

    def __init__(
        self,
        lambda_client: Any,
        apigateway: Any,
        iam: Any,
        config: AwsDeployConfig,
        stepfunctions: Any = None,
    ) -> None:
        self._lambda = lambda_client
        self._api = apigateway
        self._iam = iam
        self._config = config
        self._region = lambda_client.meta.region_name
        self.state_machines = stepfunctions is not None
        """Deploy graphs as state machines (else each graph is one function, as before)."""
        self._machines = Machines(stepfunctions)

    def deploy(
        self,
        tenant_id: str,
        slug: str,
        bundle: bytes,
        *,
        public: bool,
        machine: AslMachine | None = None,
    ) -> LambdaEndpoint:
        """Create or update the function (or with ``machine``, the state machine) and its route.

        ``public`` graphs are open; every other route goes through the tenant's API-key
        authorizer, so a call without a valid key never reaches the function.
        """
        if machine is not None:
            return deploy_machine(self, tenant_id, slug, bundle, machine, public=public)
        name = function_name(tenant_id, slug)
        function = self._upsert_function(
            name,
            bundle,
            self._runner_role_arn(tenant_id),
            "auterity_entry.handler",
            self._run_environment(tenant_id),
        )
        api_id = self._rest_api(tenant_id)
        authorizer = None if public else self._authorizer(tenant_id, api_id)
        self._route(api_id, slug, function["FunctionArn"], name, authorizer=authorizer)
        self._api.create_deployment(restApiId=api_id, stageName=self._config.stage)
        url = self._url(api_id, slug)
        return LambdaEndpoint(
            function_name=name,
            function_arn=function["FunctionArn"],
            function_version=str(function.get("Version", "$LATEST")),
            code_sha256=function["CodeSha256"],
            rest_api_id=api_id,
            url=url,
        )

    def undeploy(self, tenant_id: str, slug: str) -> None:
        api_id = self._find_rest_api(tenant_id)
        if api_id is not None:
            resource = self._find_resource(api_id, f"/{slug}")
            if resource is not None:
                self._api.delete_resource(restApiId=api_id, resourceId=resource)
                if self._find_resource_other_than_root(api_id):
                    self._api.create_deployment(restApiId=api_id, stageName=self._config.stage)
                else:  # the tenant's last endpoint: an API with no methods cannot be deployed
                    self._api.delete_rest_api(restApiId=api_id)
        for name in (function_name(tenant_id, slug), step_function_name(tenant_id, slug)):
            try:
                self._lambda.delete_function(FunctionName=name)
            except ClientError as exc:
                if not _missing(exc):
                    raise
        if self.state_machines:
            undeploy_machine(self, tenant_id, slug)

    def _role_arn(
        self,
        role_name: str,
        description: str,
        policy_name: str,
        policy: dict[str, Any],
        trust: dict[str, Any] = ASSUME_LAMBDA,
    ) -> str:
        """Create the role if missing and (re)put its one inline policy: idempotent."""
        try:
            arn: str = self._iam.get_role(RoleName=role_name)["Role"]["Arn"]
        except ClientError as exc:
            if not _missing(exc):
                raise
            arn = self._iam.create_role(
                RoleName=role_name,
                AssumeRolePolicyDocument=json.dumps(trust),
                Description=description,
            )["Role"]["Arn"]
        self._iam.put_role_policy(
            RoleName=role_name, PolicyName=policy_name, PolicyDocument=json.dumps(policy)
        )
        return arn

    def _table_arn(self) -> str:
        return f"arn:aws:dynamodb:{self._region}:*:table/{self._config.table_name}"

    def _runner_role_arn(self, tenant_id: str) -> str:
        """The role of a tenant's graph functions: its own items and its own logs only."""
        return self._role_arn(
            _bounded(f"auterity-{tenant_id}_runner"),
            f"Runs graphs of tenant {tenant_id} (its items and logs only).",
            "own-items-and-logs",
            runner_policy(self._table_arn(), tenant_id, self._offload(tenant_id)),
        )

    def _offload(self, tenant_id: str) -> list[dict[str, Any]]:
        if not self.state_machines:
            return []
        return [offload_statement(self._config.offload_bucket, tenant_id)]

    def _upsert_function(
        self,
        name: str,
        bundle: bytes,
        role_arn: str,
        handler: str,
        environment: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        settings: dict[str, Any] = {
            "Runtime": self._config.runtime,
            "Handler": handler,
            "MemorySize": self._config.memory_mb,
            "Timeout": self._config.timeout_seconds,
            "Layers": list(self._config.layers),
        }
        if environment:
            settings["Environment"] = {"Variables": environment}
        try:
            self._lambda.get_function(FunctionName=name)
        except ClientError as exc:
            if not _missing(exc):
                raise
            created: dict[str, Any] = self._lambda.create_function(
                FunctionName=name,
                Role=role_arn,
                Code={"ZipFile": bundle},
                Publish=True,
                **settings,
            )
            return created
        self._lambda.update_function_configuration(FunctionName=name, **settings)
        updated: dict[str, Any] = self._lambda.update_function_code(
            FunctionName=name, ZipFile=bundle, Publish=True
        )
        return updated

    def _find_rest_api(self, tenant_id: str) -> str | None:
        wanted = f"auterity-{tenant_id}"
        for page in self._api.get_paginator("get_rest_apis").paginate():
            for api in page.get("items", []):
                if api["name"] == wanted:
                    found: str = api["id"]
                    return found
        return None

    def _rest_api(self, tenant_id: str) -> str:
        existing = self._find_rest_api(tenant_id)
        if existing is not None:
            return existing
        created: str = self._api.create_rest_api(
            name=f"auterity-{tenant_id}", description=f"Auterity endpoints of {tenant_id}"
        )["id"]
        return created

    def _find_resource(self, api_id: str, path: str) -> str | None:
        for page in self._api.get_paginator("get_resources").paginate(restApiId=api_id):
            for resource in page.get("items", []):
                if resource["path"] == path:
                    found: str = resource["id"]
                    return found
        return None

    def _find_resource_other_than_root(self, api_id: str) -> bool:
        for page in self._api.get_paginator("get_resources").paginate(restApiId=api_id):
            if any(resource["path"] != "/" for resource in page.get("items", [])):
                return True
        return False

    def _authorizer_role_arn(self, tenant_id: str) -> str:
        """The tenant's own role: its items in the store's table, nothing else (idempotent)."""
        return self._role_arn(
            _bounded(f"auterity-{tenant_id}_authorizer"),
            f"Checks API keys of tenant {tenant_id} (its items only).",
            "read-own-api-keys",
            authorizer_policy(self._table_arn(), tenant_id),
        )

    def _run_environment(self, tenant_id: str) -> dict[str, str]:
        """What a graph function reads: its tenant, the table, the operator's egress ranges."""
        environment = {"AUTERITY_TENANT": tenant_id, "AUTERITY_TABLE": self._config.table_name}
        if self._config.egress_open:
            environment[OPEN_ENV] = ",".join(self._config.egress_open)
        return environment

    def _authorizer(self, tenant_id: str, api_id: str) -> str:
        """The tenant's API-key authorizer on its REST API, function and all; its id."""
        # cold start: the bundle builder loads every node type
        from runtime.engine.bundle import AUTHORIZER_HANDLER, build_authorizer_bundle

        name = authorizer_function_name(tenant_id)
        function = self._upsert_function(
            name,
            build_authorizer_bundle(),
            self._authorizer_role_arn(tenant_id),
            AUTHORIZER_HANDLER,
            {"AUTERITY_TENANT": tenant_id, "AUTERITY_TABLE": self._config.table_name},
        )
        self._allow_invoke(name, api_id)
        uri = self._invocation_uri(function["FunctionArn"])
        for existing in self._api.get_authorizers(restApiId=api_id).get("items", []):
            if existing["name"] == AUTHORIZER_NAME:
                found: str = existing["id"]
                return found
        created: str = self._api.create_authorizer(
            restApiId=api_id,
            name=AUTHORIZER_NAME,
            type="REQUEST",
            authorizerUri=uri,
            identitySource="method.request.header.X-API-Key",
            authorizerResultTtlInSeconds=AUTHORIZER_TTL_SECONDS,
        )["id"]
        return created

    def _invocation_uri(self, function_arn: str) -> str:
        return (
            f"arn:aws:apigateway:{self._region}:lambda:path/2015-03-31/functions/"
            f"{function_arn}/invocations"
        )

    def _allow_invoke(self, name: str, api_id: str) -> None:
        try:
            self._lambda.add_permission(
                FunctionName=name,
                StatementId=f"apigateway-{api_id}",
                Action="lambda:InvokeFunction",
                Principal="apigateway.amazonaws.com",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ResourceConflictException":
                raise

    def _url(self, api_id: str, slug: str) -> str:
        stage = self._config.stage
        return f"https://{api_id}.execute-api.{self._region}.amazonaws.com/{stage}/{slug}"

    def _resource(self, api_id: str, slug: str) -> str:
        """The slug's resource on the tenant's API (created if missing)."""
        resource = self._find_resource(api_id, f"/{slug}")
        if resource is None:
            root = self._find_resource(api_id, "/")
            created: str = self._api.create_resource(
                restApiId=api_id, parentId=root, pathPart=slug
            )["id"]
            return created
        return resource

    def _route(
        self, api_id: str, slug: str, function_arn: str, name: str, *, authorizer: str | None
    ) -> None:
        resource = self._resource(api_id, slug)
        guard: dict[str, Any] = {"authorizationType": "NONE"}
        if authorizer is not None:
            guard = {"authorizationType": "CUSTOM", "authorizerId": authorizer}
        self._api.put_method(restApiId=api_id, resourceId=resource, httpMethod="ANY", **guard)
        self._api.put_integration(
            restApiId=api_id,
            resourceId=resource,
            httpMethod="ANY",
            type="AWS_PROXY",
            integrationHttpMethod="POST",
            uri=self._invocation_uri(function_arn),
        )
        self._allow_invoke(name, api_id)
