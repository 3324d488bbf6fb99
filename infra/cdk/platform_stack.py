"""``PlatformStack``: what pooled tenants share, the store's table and its key.

Deployed once per account and region, before the first pooled tenant; its exports
(``POOLED_EXPORTS``) are what a pooled ``TenantStack`` imports. Dedicated tenants never use it.
"""

from __future__ import annotations

from aws_cdk import CfnOutput, Stack, Tags
from constructs import Construct

from infra.cdk.config import PLATFORM_STACK
from infra.cdk.tables import data_key, store_table
from infra.cdk.tenant_stack import POOLED_EXPORTS


class PlatformStack(Stack):
    """The pooled table; always retained on delete (it holds every pooled tenant's data)."""

    def __init__(self, scope: Construct) -> None:
        super().__init__(
            scope,
            PLATFORM_STACK,
            stack_name=PLATFORM_STACK,
            description="Auterity platform: the pooled tenants' table",
        )
        key = data_key(self, "Auterity platform: pooled table", retain=True)
        table = store_table(self, key, retain=True, name=PLATFORM_STACK)
        Tags.of(self).add("auterity:tenant", "platform")
        for name, value in (
            ("table_name", table.table_name),
            ("table_arn", table.table_arn),
            ("key_arn", key.key_arn),
        ):
            export = POOLED_EXPORTS[name]
            CfnOutput(
                self, export.removeprefix(f"{PLATFORM_STACK}-"), value=value, export_name=export
            )
