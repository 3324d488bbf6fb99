"""What a tenant's graphs need to run as Step Functions state machines, and nothing more.

AWS mode (``runtime/service/aws``) names a tenant's step handlers ``auterity-<tenant>_steps-<slug>``
and its machines ``auterity-<tenant>_graph-<slug>``; the ``_`` after the tenant id keeps
``acme``'s patterns off ``acme-co``'s resources. Three roles, each with one job:

* ``StepsRole`` (Lambda): the step handlers' offloaded values, its tenant's ``STATES#`` prefix of
  the bucket only (and the bucket key to encrypt them), and their own logs;
* ``MachinesRole`` (Step Functions): invoke the tenant's step handlers (any published version);
* ``StartsRole`` (API Gateway): start executions, synchronous or not, of the tenant's machines.
"""

from __future__ import annotations

from aws_cdk import Aws, Duration, Fn
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from runtime.store.keys import STATE_OBJECTS, tenant_prefix

OFFLOAD_DAYS = 7
"""Offloaded values outlive any run that reads them (Express: 5 minutes; Standard: see README)."""


def offload_prefix(tenant: str) -> str:
    return f"{tenant_prefix(tenant)}{STATE_OBJECTS}"


def offload_lifecycle(tenant: str) -> s3.LifecycleRule:
    """Offloaded values expire: they are a run's scratch space, not its record."""
    return s3.LifecycleRule(
        id="offloaded-state-values",
        prefix=offload_prefix(tenant),
        expiration=Duration.days(OFFLOAD_DAYS),
        noncurrent_version_expiration=Duration.days(1),
    )


def _arn(service: str, resource: str) -> str:
    return Fn.join(":", ["arn", Aws.PARTITION, service, Aws.REGION, Aws.ACCOUNT_ID, resource])


def step_handlers(tenant: str) -> str:
    """Every step handler of the tenant, each published version included."""
    return _arn("lambda", f"function:auterity-{tenant}_steps-*")


def machines(tenant: str) -> str:
    """Every state machine of the tenant, its versions and its ``live`` aliases included."""
    return _arn("states", f"stateMachine:auterity-{tenant}_graph-*")


def state_machine_roles(
    scope: Construct, tenant: str, bucket: s3.Bucket, key: kms.Key
) -> dict[str, iam.Role]:
    """The three roles, by the output name their ARN is given under."""
    steps = iam.Role(
        scope,
        "StepsRole",
        assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        description=f"Step handlers of tenant {tenant}: its offloaded values and logs only",
    )
    steps.add_to_policy(
        iam.PolicyStatement(
            actions=["s3:GetObject", "s3:PutObject"],
            resources=[bucket.arn_for_objects(f"{offload_prefix(tenant)}*")],
        )
    )
    key.grant_encrypt_decrypt(steps)
    steps.add_to_policy(
        iam.PolicyStatement(
            actions=["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            resources=[_arn("logs", f"log-group:/aws/lambda/auterity-{tenant}_steps-*")],
        )
    )
    runs = iam.Role(
        scope,
        "MachinesRole",
        assumed_by=iam.ServicePrincipal("states.amazonaws.com"),
        description=f"State machines of tenant {tenant}: invoke its step handlers only",
    )
    runs.add_to_policy(
        iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[step_handlers(tenant)])
    )
    starts = iam.Role(
        scope,
        "StartsRole",
        assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"),
        description=f"API Gateway starts the state machines of tenant {tenant} only",
    )
    starts.add_to_policy(
        iam.PolicyStatement(
            actions=["states:StartExecution", "states:StartSyncExecution"],
            resources=[machines(tenant)],
        )
    )
    return {"StepsRoleArn": steps, "MachinesRoleArn": runs, "StartsRoleArn": starts}
