"""The tenant-scoped DynamoDB store behind the service.

One table, single-item conditional writes only, every key under ``TENANT#<id>#``; see
``runtime.store.keys`` for the layout.
"""

from runtime.store.assets import AssetFiles, S3Client, bucket_name, create_bucket, make_s3_client
from runtime.store.directory import Directory
from runtime.store.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    StoreError,
    Throttled,
)
from runtime.store.models import (
    PERMISSIONS,
    ApiKey,
    Approval,
    AuditEvent,
    ChatTurn,
    Conversation,
    Deployment,
    DeploymentChange,
    DeploymentWorkflow,
    GraphHead,
    GraphVersion,
    GraphVersionInfo,
    Permission,
    Role,
    RunRecord,
    RunStatus,
    Tenant,
    TenantSettings,
    Trigger,
    UsageRecord,
    User,
    Waiver,
)
from runtime.store.table import (
    TABLE_NAME_DEFAULT,
    DynamoDBClient,
    LazyClient,
    create_table,
    make_client,
)
from runtime.store.tenant import TenantStore

__all__ = [
    "PERMISSIONS",
    "TABLE_NAME_DEFAULT",
    "ApiKey",
    "Approval",
    "AssetFiles",
    "AuditEvent",
    "ChatTurn",
    "Conflict",
    "Conversation",
    "Deployment",
    "DeploymentChange",
    "DeploymentWorkflow",
    "Directory",
    "DynamoDBClient",
    "Forbidden",
    "GraphHead",
    "GraphVersion",
    "GraphVersionInfo",
    "InvalidInput",
    "LazyClient",
    "NotFound",
    "Permission",
    "Role",
    "RunRecord",
    "RunStatus",
    "S3Client",
    "StoreError",
    "Tenant",
    "TenantSettings",
    "TenantStore",
    "Throttled",
    "Trigger",
    "UsageRecord",
    "User",
    "Waiver",
    "bucket_name",
    "create_bucket",
    "create_table",
    "make_client",
    "make_s3_client",
]
