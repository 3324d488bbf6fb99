"""The store's table as CDK builds it, for a dedicated tenant stack and the pooled platform.

The shape is ``runtime.store``'s own (``create_table``): ``PK``/``SK`` strings, the run
indexes (``RUN_INDEXES``), on-demand billing, items expiring by ``TTL_ATTRIBUTE``. A test
compares the two, so the runtime never meets a table it was not written for.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from constructs import Construct

from runtime.store.table import RUN_INDEXES, TTL_ATTRIBUTE

IDEMPOTENCY_KEY = "id"
IDEMPOTENCY_TTL = "expiration"
"""Powertools' DynamoDB persistence layer's defaults (``runtime.service.idempotency``)."""

STORE_DATA_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:Query",
    "dynamodb:ConditionCheckItem",
)
"""Every call the store makes on a request path (single-item writes and queries, no Scan:
the admin CLI's full-table listing never runs in a tenant's function)."""


def removal(retain: bool) -> RemovalPolicy:
    return RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY


def store_table(
    scope: Construct, key: kms.IKey, *, retain: bool, name: str | None = None
) -> dynamodb.Table:
    """The store's table: PITR on, encrypted with ``key``, TTL on the store's attribute."""
    table = dynamodb.Table(
        scope,
        "Table",
        table_name=name,
        partition_key=dynamodb.Attribute(name="PK", type=dynamodb.AttributeType.STRING),
        sort_key=dynamodb.Attribute(name="SK", type=dynamodb.AttributeType.STRING),
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
        encryption_key=key,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        time_to_live_attribute=TTL_ATTRIBUTE,
        removal_policy=removal(retain),
    )
    for index_name, attribute in RUN_INDEXES.items():
        table.add_global_secondary_index(
            index_name=index_name,
            partition_key=dynamodb.Attribute(name=attribute, type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="SK", type=dynamodb.AttributeType.STRING),
            projection_type=dynamodb.ProjectionType.ALL,
        )
    return table


def idempotency_table(
    scope: Construct, key: kms.IKey, *, retain: bool, name: str | None = None
) -> dynamodb.Table:
    """Powertools' idempotency records (``Idempotency-Key`` on endpoints): always the tenant's own.

    Its keys are hashes, not ``TENANT#`` prefixes, so a shared one could not be fenced with
    ``dynamodb:LeadingKeys``; a table per tenant costs nothing while idle.
    """
    return dynamodb.Table(
        scope,
        "IdempotencyTable",
        table_name=name,
        partition_key=dynamodb.Attribute(name=IDEMPOTENCY_KEY, type=dynamodb.AttributeType.STRING),
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
        encryption_key=key,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        time_to_live_attribute=IDEMPOTENCY_TTL,
        removal_policy=removal(retain),
    )


def data_key(scope: Construct, description: str, *, retain: bool) -> kms.Key:
    """A customer-managed key with yearly rotation; deleted keys wait the shortest window."""
    return kms.Key(
        scope,
        "Key",
        description=description,
        enable_key_rotation=True,
        pending_window=Duration.days(7),
        removal_policy=removal(retain),
    )
