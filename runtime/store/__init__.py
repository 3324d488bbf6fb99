"""The tenant-scoped DynamoDB store behind the service.

One table, single-item conditional writes only, every key under ``TENANT#<id>#``; see
``runtime.store.keys`` for the layout.
"""

from runtime.store.directory import Directory
from runtime.store.errors import Conflict, InvalidInput, NotFound, StoreError, Throttled
from runtime.store.models import (
    PERMISSIONS,
    ApiKey,
    AuditEvent,
    ChatTurn,
    Conversation,
    Deployment,
    DeploymentChange,
    GraphHead,
    GraphVersion,
    GraphVersionInfo,
    Industry,
    Permission,
    Role,
    RunRecord,
    RunStatus,
    Tenant,
    TenantSettings,
    Trigger,
    UsageRecord,
    User,
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
    "AuditEvent",
    "ChatTurn",
    "Conflict",
    "Conversation",
    "Deployment",
    "DeploymentChange",
    "Directory",
    "DynamoDBClient",
    "GraphHead",
    "GraphVersion",
    "GraphVersionInfo",
    "Industry",
    "InvalidInput",
    "LazyClient",
    "NotFound",
    "Permission",
    "Role",
    "RunRecord",
    "RunStatus",
    "StoreError",
    "Tenant",
    "TenantSettings",
    "TenantStore",
    "Throttled",
    "Trigger",
    "UsageRecord",
    "User",
    "create_table",
    "make_client",
]
