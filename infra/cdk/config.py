"""A tenant's stack, described as data: what ``TenantStack`` is built from.

Everything that differs between two tenants' stacks is a field here, checked when the config
is made (a tenant id the store would refuse, a log retention CloudWatch does not offer, a
custom domain without its certificate), so synthesis never fails half-way on bad input.
"""

from __future__ import annotations

import hashlib
import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from runtime.core.canonical import canonical_json
from runtime.store.keys import TENANT_ID
from runtime.tenant.brand import Brand, Domain
from runtime.tenant.industry import Industry

TableMode = Literal["pooled", "dedicated"]
"""``dedicated``: the tenant's stack owns its table. ``pooled``: the tenants share the
platform stack's table, and each tenant's function may touch only its own key prefix."""
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]
RetentionDays = Literal[1, 3, 5, 7, 14, 30, 60, 90, 180, 365, 731, 1827, 3653]
"""CloudWatch Logs' retention periods (the common subset)."""

LayerArn = Annotated[
    str, Field(pattern=r"^arn:aws[\w-]*:lambda:[a-z0-9-]+:\d{12}:layer:[\w-]+:\d+$")
]

STACK_PREFIX = "auterity-tenant-"
PLATFORM_STACK = "auterity-platform"
STAGE = "live"
_TAG_VALUE = re.compile(r"[^\w .:/=+\-@]")


class CustomDomain(BaseModel):
    """The API's own host name; its ACM certificate must already exist in the stack's region."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    domain_name: Domain
    certificate_arn: str = Field(pattern=r"^arn:aws[\w-]*:acm:[a-z0-9-]+:\d{12}:certificate/.+$")


class TenantConfig(BaseModel):
    """One tenant's stack. ``brand`` is the checked brand (assets named by content hash)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tenant: str = Field(pattern=TENANT_ID.pattern)
    industry: Industry = "general"
    brand: Brand
    region: str = Field(default="us-east-1", pattern=r"^[a-z]{2}(-[a-z]+)+-\d$")
    table_mode: TableMode = "dedicated"
    reserved_concurrency: int | None = Field(default=None, ge=1, le=1000)
    custom_domain: CustomDomain | None = None
    log_retention_days: RetentionDays = 30
    log_level: LogLevel = "INFO"
    memory_mb: int = Field(default=512, ge=128, le=10240)
    timeout_seconds: int = Field(default=29, ge=1, le=29)
    """API Gateway gives up after 29 s; a longer Lambda timeout would only burn money."""
    lambda_layers: tuple[LayerArn, ...] = ()
    """Third-party libraries (the bundle carries only our code; see runtime.engine.bundle)."""
    retain_data: bool = False
    """Keep the table, bucket and key when the stack is deleted (teardown then reports them)."""

    @property
    def stack_name(self) -> str:
        return STACK_PREFIX + self.tenant

    @property
    def function_name(self) -> str:
        name = f"auterity-{self.tenant}-runtime"
        if len(name) <= 64:
            return name
        return f"{name[:53]}-{hashlib.sha256(name.encode()).hexdigest()[:10]}"

    @property
    def table_name(self) -> str:
        """Dedicated tables are named, so the local endpoint's replayed state finds them."""
        return f"auterity-tenant-{self.tenant}"

    @property
    def bucket_prefix(self) -> str:
        """``auterity-<tenant>-brand``; the stack appends ``-<account>-<region>``.

        Bucket names are global and at most 63 characters: with a 12-digit account and the
        longest region name, 20 are left for the tenant (longer ids are cut and hashed). A
        fixed name also makes the local endpoint's replayed state converge on the same bucket
        (a generated one would differ on every replay, and its objects would be lost).
        """
        tenant = self.tenant
        if len(tenant) > 20:
            tenant = f"{tenant[:11]}-{hashlib.sha256(tenant.encode()).hexdigest()[:8]}"
        return f"auterity-{tenant}-brand"

    @property
    def brand_digest(self) -> str:
        """Changes whenever anything in the brand does (a colour, a logo)."""
        data = canonical_json(self.brand.model_dump(mode="json"))
        return hashlib.sha256(data.encode()).hexdigest()[:16]

    @property
    def brand_key(self) -> str:
        """Where the brand document lives in the stack's bucket (a new key per brand change)."""
        return f"brand/brand-{self.brand_digest}.json"

    @property
    def tags(self) -> dict[str, str]:
        """Put on every resource: who it belongs to and whose brand it serves."""
        return {
            "auterity:tenant": self.tenant,
            "auterity:brand": _TAG_VALUE.sub("-", self.brand.product_name)[:256],
            "auterity:industry": self.industry,
        }
