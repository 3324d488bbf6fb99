"""``TenantStack``: one tenant's isolated runtime, built from a :class:`TenantConfig`.

The service runs as one Lambda function (``runtime.engine.bundle.build_service_bundle``) behind a
REST API, over the tenant's table (or its key prefix of the platform's pooled table), with a brand
assets bucket, a customer-managed key and a log group with retention.

Every resource is one that CloudFormation creates itself: no custom resources (which would
need Lambda code run on deploy: ``autoDeleteObjects``, log retention functions), no
``AWS::ApiGateway::Stage`` (the deployment carries its stage) and no ``AWS::ApiGateway::Account``
(no CloudWatch role for API Gateway), so a local endpoint that cannot run Lambda code still
creates all of it, and the provisioning engine can insist that it did.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Aws, CfnOutput, Duration, Fn, Stack, Tags
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.cdk.config import PLATFORM_STACK, STAGE, TenantConfig
from infra.cdk.state_machines import offload_lifecycle, state_machine_roles
from infra.cdk.tables import (
    STORE_DATA_ACTIONS,
    data_key,
    idempotency_table,
    removal,
    store_table,
)
from runtime.engine.bundle import SERVICE_HANDLER
from runtime.store.keys import tenant_prefix

RETENTION: dict[int, logs.RetentionDays] = {
    1: logs.RetentionDays.ONE_DAY,
    3: logs.RetentionDays.THREE_DAYS,
    5: logs.RetentionDays.FIVE_DAYS,
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    60: logs.RetentionDays.TWO_MONTHS,
    90: logs.RetentionDays.THREE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
    731: logs.RetentionDays.TWO_YEARS,
    1827: logs.RetentionDays.FIVE_YEARS,
    3653: logs.RetentionDays.TEN_YEARS,
}
POOLED_EXPORTS = {
    "table_name": f"{PLATFORM_STACK}-TableName",
    "table_arn": f"{PLATFORM_STACK}-TableArn",
    "key_arn": f"{PLATFORM_STACK}-KeyArn",
}
"""What the platform stack exports for pooled tenants (``infra.cdk.platform_stack``)."""


def leading_keys(tenant: str) -> dict[str, dict[str, list[str]]]:
    """The IAM condition that fences a principal into one tenant's partitions."""
    return {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": [f"{tenant_prefix(tenant)}*"]}}


class TenantStack(Stack):
    """A tenant's runtime; ``bundle`` is the service bundle zip CDK uploads as the code asset."""

    def __init__(
        self, scope: Construct, config: TenantConfig, *, bundle: Path, description: str = ""
    ) -> None:
        super().__init__(
            scope,
            config.stack_name,
            stack_name=config.stack_name,
            description=description or f"Auterity tenant {config.tenant} ({config.table_mode})",
        )
        self.config = config
        retain = config.retain_data
        key = data_key(self, f"Auterity tenant {config.tenant}: table, assets", retain=retain)
        self.key = key
        role = iam.Role(
            self,
            "RuntimeRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Runs tenant {config.tenant}'s service: its data, its assets, its logs",
        )
        table_name, table_arn = self._table(key, role)
        idempotency = idempotency_table(
            self, key, retain=retain, name=f"{config.table_name}-idempotency"
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=[
                    "dynamodb:GetItem",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:DeleteItem",
                ],
                resources=[idempotency.table_arn],
            )
        )
        bucket = self._bucket(key)
        bucket.grant_read(role)
        state_roles = state_machine_roles(self, config.tenant, bucket, key)
        log_group = logs.LogGroup(
            self,
            "RuntimeLogs",
            log_group_name=f"/aws/lambda/{config.function_name}",
            retention=RETENTION[config.log_retention_days],
            removal_policy=removal(False),
        )
        log_group.grant_write(role)
        function = self._function(role, log_group, bundle, table_name, idempotency, bucket)
        api = apigateway.LambdaRestApi(
            self,
            "Api",
            handler=function,
            proxy=True,
            deploy=False,
            cloud_watch_role=False,
            rest_api_name=f"auterity-{config.tenant}",
            description=f"Auterity service of tenant {config.tenant}",
            endpoint_types=[apigateway.EndpointType.REGIONAL],
        )
        deployment = apigateway.CfnDeployment(
            self, "ApiDeployment", rest_api_id=api.rest_api_id, stage_name=STAGE
        )
        for method in api.methods:
            deployment.node.add_dependency(method)
        url = Fn.join(
            "",
            [
                "https://",
                api.rest_api_id,
                ".execute-api.",
                Aws.REGION,
                ".",
                Aws.URL_SUFFIX,
                f"/{STAGE}/",
            ],
        )
        if config.custom_domain is not None:
            self._domain(api, deployment)
        for name, value in config.tags.items():
            Tags.of(self).add(name, value)
        self._outputs(
            {
                "TableName": table_name,
                "TableArn": table_arn,
                "IdempotencyTableName": idempotency.table_name,
                "BucketName": bucket.bucket_name,
                "KeyArn": key.key_arn,
                "FunctionName": function.function_name,
                "RoleName": role.role_name,
                "LogGroupName": log_group.log_group_name,
                "RestApiId": api.rest_api_id,
                "ApiUrl": url,
                "HealthUrl": Fn.join("", [url, "healthz"]),
                "TableMode": config.table_mode,
                "BrandObjectKey": config.brand_key,
                "BrandDigest": config.brand_digest,
                "BrandPrimaryColor": config.brand.primary_color,
                "BrandAccentColor": config.brand.accent_color,
                **{name: r.role_arn for name, r in state_roles.items()},
            }
        )

    def _table(self, key: kms.Key, role: iam.Role) -> tuple[str, str]:
        """The store's table (its name and ARN) and the role's access to it.

        Dedicated: the stack's own table. Pooled: the platform's, imported by its exports,
        and every statement carries the ``dynamodb:LeadingKeys`` condition on this tenant's
        prefix, so the function cannot read or write another tenant's items even by a bug.
        """
        config = self.config
        if config.table_mode == "dedicated":
            table: dynamodb.ITable = store_table(
                self, key, retain=config.retain_data, name=config.table_name
            )
            table_key: kms.IKey = key
            conditions = None
        else:
            table_key = kms.Key.from_key_arn(
                self, "PlatformKey", Fn.import_value(POOLED_EXPORTS["key_arn"])
            )
            table = dynamodb.Table.from_table_attributes(
                self,
                "PlatformTable",
                table_arn=Fn.import_value(POOLED_EXPORTS["table_arn"]),
                encryption_key=table_key,
            )
            conditions = leading_keys(config.tenant)
        role.add_to_policy(
            iam.PolicyStatement(
                actions=list(STORE_DATA_ACTIONS),
                # The run indexes (``RUN_INDEXES``) are read by Query on their own ARNs.
                resources=[table.table_arn, f"{table.table_arn}/index/*"],
                conditions=conditions,
            )
        )
        table_key.grant_encrypt_decrypt(role)
        name = (
            table.table_name
            if config.table_mode == "dedicated"
            else Fn.import_value(POOLED_EXPORTS["table_name"])
        )
        return name, table.table_arn

    def _bucket(self, key: kms.Key) -> s3.Bucket:
        """Brand assets: private, KMS-encrypted, versioned, refusing plain HTTP.

        No ``auto_delete_objects`` (a custom resource): teardown empties the bucket itself.
        """
        return s3.Bucket(
            self,
            "BrandAssets",
            bucket_name=Fn.join("-", [self.config.bucket_prefix, Aws.ACCOUNT_ID, Aws.REGION]),
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.KMS,
            encryption_key=key,
            bucket_key_enabled=True,
            versioned=True,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            removal_policy=removal(self.config.retain_data),
            lifecycle_rules=[offload_lifecycle(self.config.tenant)],
        )

    def _function(
        self,
        role: iam.Role,
        log_group: logs.LogGroup,
        bundle: Path,
        table_name: str,
        idempotency: dynamodb.Table,
        bucket: s3.Bucket,
    ) -> lambda_.Function:
        config = self.config
        layers = [
            lambda_.LayerVersion.from_layer_version_arn(self, f"Layer{i}", arn)
            for i, arn in enumerate(config.lambda_layers)
        ]
        return lambda_.Function(
            self,
            "Runtime",
            function_name=config.function_name,
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler=SERVICE_HANDLER,
            code=lambda_.Code.from_asset(str(bundle)),
            role=role,
            memory_size=config.memory_mb,
            timeout=Duration.seconds(config.timeout_seconds),
            reserved_concurrent_executions=config.reserved_concurrency,
            log_group=log_group,
            layers=layers or None,
            environment={
                "AUTERITY_TENANT": config.tenant,
                "AUTERITY_TABLE": table_name,
                "AUTERITY_IDEMPOTENCY_TABLE": idempotency.table_name,
                "AUTERITY_BRAND_BUCKET": bucket.bucket_name,
                "AUTERITY_BRAND_KEY": config.brand_key,
                "POWERTOOLS_SERVICE_NAME": "auterity",
                "POWERTOOLS_METRICS_NAMESPACE": "Auterity",
                "LOG_LEVEL": config.log_level,
            },
        )

    def _domain(self, api: apigateway.RestApi, deployment: apigateway.CfnDeployment) -> None:
        """The API under the tenant's own host name (the certificate is the tenant's)."""
        domain = self.config.custom_domain
        assert domain is not None
        name = apigateway.CfnDomainName(
            self,
            "ApiDomain",
            domain_name=domain.domain_name,
            regional_certificate_arn=domain.certificate_arn,
            endpoint_configuration=apigateway.CfnDomainName.EndpointConfigurationProperty(
                types=["REGIONAL"]
            ),
            security_policy="TLS_1_2",
        )
        mapping = apigateway.CfnBasePathMapping(
            self,
            "ApiDomainMapping",
            domain_name=domain.domain_name,
            rest_api_id=api.rest_api_id,
            stage=STAGE,
        )
        mapping.node.add_dependency(name, deployment)
        CfnOutput(self, "DomainTarget", value=name.attr_regional_domain_name)

    def _outputs(self, values: dict[str, str]) -> None:
        for name, value in values.items():
            CfnOutput(self, name, value=value)
