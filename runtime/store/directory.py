"""The platform level: the only place a tenant id is chosen or looked up."""

from __future__ import annotations

from runtime.core.clock import utc_now
from runtime.store.access import ConditionFailed, Table
from runtime.store.errors import Conflict, InvalidInput, NotFound
from runtime.store.keys import DURABLE, PROFILE, TENANT_ID, TenantKeys, checked
from runtime.store.models import Tenant
from runtime.store.scoped import model_from
from runtime.store.table import TABLE_NAME_DEFAULT, DynamoDBClient
from runtime.store.tenant import TenantStore
from runtime.tenant.industry import INDUSTRIES


class Directory:
    def __init__(self, client: DynamoDBClient, table_name: str = TABLE_NAME_DEFAULT) -> None:
        self._client = client
        self._table = Table(client, table_name)

    def create_tenant(self, tenant_id: str, name: str, industry: str = "general") -> Tenant:
        key = TenantKeys(tenant_id).profile()
        if not isinstance(name, str) or not 1 <= len(name.strip()) <= 200:
            raise InvalidInput("a tenant name has 1 to 200 characters")
        if industry not in INDUSTRIES:
            raise InvalidInput(f"industry {industry!r} is not one of {', '.join(INDUSTRIES)}")
        tenant = Tenant.model_validate(
            {"id": tenant_id, "name": name.strip(), "industry": industry, "created_at": utc_now()}
        )
        try:
            self._table.put_new({"PK": key.pk, "SK": key.sk, **tenant.model_dump()})
        except ConditionFailed:
            raise Conflict(f"tenant '{tenant_id}' already exists") from None
        return tenant

    def get_tenant(self, tenant_id: str) -> Tenant:
        """An id that could never be valid is simply not found (it may come from a URL)."""
        try:
            key = TenantKeys(checked(TENANT_ID, tenant_id, "tenant id")).profile()
        except InvalidInput:
            raise NotFound(f"tenant {tenant_id!r}") from None
        fields = self._table.get(key)
        if fields is None:
            raise NotFound(f"tenant '{tenant_id}'")
        return model_from(Tenant, fields)

    def list_tenants(self) -> list[Tenant]:
        """A full-table Scan: for the admin CLI, never for a request path."""
        items = self._table.scan(
            filter_expression="#SK = :SK AND begins_with(#PK, :PK)",
            values={":SK": PROFILE, ":PK": "TENANT#"},
        )
        return sorted((model_from(Tenant, f) for f in items), key=lambda t: t.id)

    def durable_tenants(self) -> list[str]:
        """Tenants that have had durable runs (``keys.durable_marker``): one small query."""
        items = self._table.query(DURABLE, attributes=("SK",))
        return sorted(f["SK"].removeprefix("TENANT#").rstrip("#") for f in items)

    def tenant(self, tenant_id: str) -> TenantStore:
        self.get_tenant(tenant_id)
        return TenantStore(self._client, tenant_id, self._table.name)

    def tenant_of_key(self, tenant_id: str) -> TenantStore | None:
        """A store for the tenant an API key names, without reading the tenant first.

        Saves a round trip on every endpoint call: the key's own record (which only exists
        inside an existing tenant) is what proves the tenant, so ``verify_api_key`` on a store
        of a tenant that does not exist simply finds nothing. None for a malformed id.
        """
        if not TENANT_ID.match(tenant_id):
            return None
        return TenantStore(self._client, tenant_id, self._table.name)
