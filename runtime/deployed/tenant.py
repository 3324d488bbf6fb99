"""What a deployed Lambda function knows about its tenant, read from the tenant's own items.

In AWS mode the service deploys a graph as a function whose environment names its tenant and
table (``AUTERITY_TENANT``, ``AUTERITY_TABLE``) and whose role reaches only that tenant's keys.
Runs there must obey the same tenant settings as runs in the service: the egress allow-list
and run time limit, the AI routing policy and the monthly budget, with every model call's
usage written to the tenant's store (not to a ledger that dies with the container). Outside
such a function (the CLI, tests of an extracted bundle) there is no tenant and the process
defaults apply.

The settings are read once per ``AUTERITY_CACHE_SECONDS`` (5 s) per container, the same
staleness the service's lookups accept.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from runtime.ai.session import AiSession, default_session
from runtime.ai.usage import StoreLedger
from runtime.core.egress import EgressPlatform
from runtime.core.llm.session import bound_session
from runtime.core.options import RunOptions

if TYPE_CHECKING:
    from runtime.store import TenantSettings, TenantStore

TENANT_ENV, TABLE_ENV, CACHE_ENV = "AUTERITY_TENANT", "AUTERITY_TABLE", "AUTERITY_CACHE_SECONDS"


@dataclass(slots=True)
class _Cached:
    settings: TenantSettings
    at: float


class DeployedTenant:
    """The function's tenant: a store bound to it and its (briefly cached) settings."""

    def __init__(self, store: TenantStore, ttl: float) -> None:
        self.store = store
        self.ttl = ttl
        self._cached: _Cached | None = None
        self._egress: EgressPlatform | None = None

    @classmethod
    def from_env(cls) -> DeployedTenant | None:
        tenant, table = os.environ.get(TENANT_ENV), os.environ.get(TABLE_ENV)
        if not tenant or not table:
            return None
        from runtime.store import LazyClient, TenantStore, make_client  # boto3: tenant runs only

        ttl = float(os.environ.get(CACHE_ENV, "5"))
        return cls(TenantStore(LazyClient(make_client), tenant, table), ttl)

    def settings(self) -> TenantSettings:
        now = time.monotonic()
        if self._cached is None or now - self._cached.at >= self.ttl:
            self._cached = _Cached(self.store.get_settings(), now)
        return self._cached.settings

    def egress(self) -> EgressPlatform:
        """The operator's policy from the function's environment, read once per container."""
        if self._egress is None:
            self._egress = EgressPlatform.from_env()
        return self._egress

    def options(self, max_run_seconds: float | None = None) -> RunOptions:
        """The tenant's run options, as the service builds them for its own runs."""
        settings = self.settings()
        limit = settings.max_run_seconds
        return RunOptions(
            tenant_id=self.store.tenant_id,
            egress_allow=tuple(settings.egress_allow),
            egress=self.egress(),
            run_timeout_seconds=limit if max_run_seconds is None else min(limit, max_run_seconds),
            ai=settings.ai,
        )

    @contextmanager
    def ai_session(self) -> Iterator[None]:
        """Model calls inside use the process's router and a ledger over the tenant's store."""

        def session() -> AiSession:
            return AiSession(default_session().router, StoreLedger(self.store))

        with bound_session(session):
            yield
