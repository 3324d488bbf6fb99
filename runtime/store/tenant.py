"""``TenantStore``: everything one tenant owns, bound to that tenant when it is made.

No method takes a tenant id or a raw key, so no caller can reach across tenants; each concern
lives in its own module and this class only puts them together.
"""

from __future__ import annotations

from runtime.store.access import Table
from runtime.store.approvals import ApprovalOps
from runtime.store.assets import AssetFiles, S3Client
from runtime.store.audit_check import AuditCheckOps
from runtime.store.brand_item import BrandOps
from runtime.store.conversations import ConversationOps
from runtime.store.deployments import DeploymentOps
from runtime.store.fires import FireOps
from runtime.store.graphs import GraphOps
from runtime.store.identity import IdentityOps
from runtime.store.keys import TenantKeys
from runtime.store.records import RecordOps
from runtime.store.run_records import RunOps
from runtime.store.run_state import RunStateOps
from runtime.store.settings import SettingsOps
from runtime.store.spend import SpendOps
from runtime.store.table import TABLE_NAME_DEFAULT, DynamoDBClient
from runtime.store.transfer import TransferOps
from runtime.store.waits import WaitOps
from runtime.store.waivers import WaiverOps


class TenantStore(
    SettingsOps,
    BrandOps,
    IdentityOps,
    GraphOps,
    DeploymentOps,
    RunOps,
    RunStateOps,
    WaitOps,
    RecordOps,
    AuditCheckOps,
    SpendOps,
    ConversationOps,
    TransferOps,
    WaiverOps,
    ApprovalOps,
    FireOps,
):
    def __init__(
        self, client: DynamoDBClient, tenant_id: str, table_name: str = TABLE_NAME_DEFAULT
    ) -> None:
        """Prefer ``Directory.tenant``, which also checks that the tenant exists.

        Constructing one directly is for restoring a tenant into an empty table.
        """
        self._keys = TenantKeys(tenant_id)
        self._table = Table(client, table_name)

    def __repr__(self) -> str:
        return f"TenantStore({self.tenant_id!r}, table={self._table.name!r})"

    def asset_files(self, client: S3Client, bucket: str) -> AssetFiles:
        """The brand asset files of the tenant in ``bucket`` (keys under its own prefix only)."""
        return AssetFiles(client, bucket, self._keys)
