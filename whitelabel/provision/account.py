"""The provisioned tenant's account on the platform: what makes its builder usable at once.

A stack is infrastructure; a customer also needs to log in and see their own product. This is
the last step of a provisioning job (after the stack answered), and it is idempotent so an
update or a retried job can run it again:

- the tenant, with its industry (which presets its compliance packs and templates);
- a first admin whose password was chosen by whoever provisioned it, so the first login can
  only choose a new one (``must_change_password``); an existing admin is left alone;
- the brand and its files, so the builder shows the customer's name, logo and colours;
- the industry's template graphs, as a starting point (never overwriting a graph).

Teardown removes all of it again (the tenant's items and brand files on the platform).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass

from infra.cdk.config import TenantConfig
from runtime.assistant.templates import industry_templates
from runtime.store import (
    TABLE_NAME_DEFAULT,
    Conflict,
    Directory,
    NotFound,
    TenantStore,
    make_client,
)
from runtime.store.assets import S3Client, bucket_name, make_s3_client
from runtime.tenant.brand import BrandPackage
from runtime.tenant.industry import Industry
from whitelabel.provision.jobs import StepLog


def one_time_password() -> str:
    """What the first admin logs in with once (then must replace): 16 random URL-safe chars."""
    return secrets.token_urlsafe(12)


@dataclass(frozen=True)
class PlatformAccount:
    """Where the platform keeps tenants (its table and brand bucket), and the first admin.

    The engine runs it as a job step (``Options.account``).
    """

    directory: Directory
    s3: S3Client
    bucket: str
    admin_email: str | None = None
    """None on updates: the tenant already has its admins."""
    admin_password: str = ""

    @classmethod
    def from_env(cls, admin_email: str | None = None) -> PlatformAccount:
        """The platform the service here uses: ``AUTERITY_TABLE`` and its brand bucket.

        On the endpoint boto3 resolves (``AWS_ENDPOINT_URL`` locally).
        """
        table = os.environ.get("AUTERITY_TABLE", TABLE_NAME_DEFAULT)
        return cls(
            Directory(make_client(), table),
            make_s3_client(),
            bucket_name(),
            admin_email,
            one_time_password() if admin_email else "",
        )

    def apply(self, config: TenantConfig, package: BrandPackage, log: StepLog) -> None:
        store = self._tenant(config, package, log)
        self._admin(store, log)
        self._brand(store, package, log)
        self._templates(store, config.industry, log)

    def _admin(self, store: TenantStore, log: StepLog) -> None:
        if self.admin_email is None:
            return
        try:
            store.create_user(
                self.admin_email, self.admin_password, "admin", must_change_password=True
            )
            log.note(f"admin {self.admin_email} chooses a password at first login")
        except Conflict:
            log.note(f"admin {self.admin_email} already exists: left as it is")

    def _tenant(self, config: TenantConfig, package: BrandPackage, log: StepLog) -> TenantStore:
        try:
            self.directory.create_tenant(config.tenant, package.brand.product_name, config.industry)
            log.note(f"tenant {config.tenant} created ({config.industry})")
        except Conflict:
            log.note(f"tenant {config.tenant} exists")
        return self.directory.tenant(config.tenant)

    def _brand(self, store: TenantStore, package: BrandPackage, log: StepLog) -> None:
        files = store.asset_files(self.s3, self.bucket)
        for asset in (package.brand.logo, package.brand.favicon):
            if asset is not None:
                files.put(asset, package.files[asset.file_name])
        current = store.get_brand()
        if current.brand == package.brand:
            log.note("brand unchanged")
            return
        store.put_brand(package.brand, current.revision)
        log.note(f"brand {package.brand.product_name} ({package.brand.primary_color}) applied")

    def _templates(self, store: TenantStore, industry: Industry, log: StepLog) -> None:
        existing = {head.graph_id for head in store.list_graphs()}
        added = []
        for template in industry_templates(industry):
            if template.graph.id in existing:
                continue
            store.create_graph(template.graph, author="provisioning", message="industry template")
            added.append(template.graph.name)
        log.note(f"templates: {', '.join(added)}" if added else "templates: none to add")

    def remove(self, tenant: str, log: StepLog) -> None:
        """Delete the tenant's items and brand files from the platform (teardown)."""
        try:
            self.directory.get_tenant(tenant)
        except NotFound:
            log.skip(f"tenant {tenant} has no account on the platform")
            return
        store = self.directory.tenant(tenant)
        brand = store.get_brand().brand
        files = store.asset_files(self.s3, self.bucket)
        for asset in (brand.logo, brand.favicon):
            if asset is not None:
                files.delete(asset.file_name)
        removed = store.delete_all()
        log.note(f"deleted tenant {tenant} from the platform ({removed} items)")
