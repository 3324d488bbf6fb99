"""Short-lived copies of what every endpoint request reads: the API key, deployment, settings.

The brand is kept here too: every visit to a tenant's login page reads it without a credential.
Without them a deployed graph costs three DynamoDB reads before it runs (measured: 72% of a
request's time went to DynamoDB calls). API Gateway caches its authorizers' answers for the
same reason. The price is staleness, bounded two ways:

- a change made through this process (revoking a key, deploying, rolling back, updating the
  settings) forgets the tenant's entries at once, so its own next request sees it;
- a change made through another process (another Lambda instance) is seen after at most
  ``ttl`` seconds (``AUTERITY_CACHE_SECONDS``, 5 by default; 0 switches caching off).

Sessions are not kept here: a bearer token's user is read (strongly consistent) on every
request (``deps.current_session``), so a logout or removal holds in every process at once.

Only successes are kept: an unknown key or slug is looked up every time, so a key or
deployment created elsewhere works on its first request. Entries are keyed by tenant id, and a
key's entry by the SHA-256 of the whole secret, so no entry can answer for another tenant or
another secret.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, TypeVar

from cachetools import TTLCache

from runtime.store import ApiKey, Deployment, TenantSettings
from runtime.store.slices import BrandStore, DeploymentStore, IdentityStore, SettingsStore

if TYPE_CHECKING:  # the brand is read by the management API only, not by endpoint traffic
    from runtime.tenant.brand import StoredBrand

MAX_ENTRIES = 4096
T = TypeVar("T")

_CACHED_ONLY: ContextVar[bool] = ContextVar("auterity_cached_only", default=False)


class CacheMiss(Exception):
    """Raised instead of reading the table inside :meth:`Lookups.cached_only`."""


def may_load() -> None:
    """Called before any lookup would do I/O: refuses inside ``cached_only``."""
    if _CACHED_ONLY.get():
        raise CacheMiss


class Lookups:
    def __init__(self, ttl: float) -> None:
        self._ttl = ttl
        self._lock = threading.Lock()
        self._cache: TTLCache[tuple[str, str, str], object] = TTLCache(
            maxsize=MAX_ENTRIES, ttl=max(ttl, 1e-9)
        )
        self._gates: dict[tuple[str, str, str], threading.Lock] = {}
        """Entries being read now: a request that misses one waits for that read."""
        self._generations: dict[str, int] = {}
        """Bumped by ``forget``: a read that began before it is not cached after it."""

    @contextmanager
    def cached_only(self) -> Iterator[None]:
        """Answer from memory or raise :class:`CacheMiss`; never block on the table.

        Lets the event loop resolve a warm endpoint request itself instead of paying a hop to
        a worker thread that only blocking reads need.
        """
        token = _CACHED_ONLY.set(True)
        try:
            yield
        finally:
            _CACHED_ONLY.reset(token)

    def _get(self, key: tuple[str, str, str], load: Callable[[], T | None]) -> T | None:
        if self._ttl <= 0:
            may_load()
            return load()
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None:
            return hit  # type: ignore[return-value]
        may_load()
        # One read per entry, however many requests miss it together: when an entry expires
        # under load, every request in flight misses at once, and each reading it would
        # multiply the table's traffic at exactly that moment. The others wait for that read.
        with self._lock:
            gate = self._gates.setdefault(key, threading.Lock())
        with gate:
            with self._lock:
                hit = self._cache.get(key)
                generation = self._generations.get(key[0], 0)
            if hit is not None:
                return hit  # type: ignore[return-value]
            try:
                value = load()
                if value is not None:
                    with self._lock:
                        # Not if the tenant's entries were forgotten while it was read: the
                        # value may be from before the change that made us forget.
                        if self._generations.get(key[0], 0) == generation:
                            self._cache[key] = value
            finally:
                with self._lock:
                    if self._gates.get(key) is gate:
                        del self._gates[key]
            return value

    def api_key(self, identities: IdentityStore, secret: str) -> ApiKey | None:
        digest = hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()
        key = (identities.tenant_id, "key", digest)
        return self._get(key, lambda: identities.verify_api_key(secret))

    def deployment(self, deployments: DeploymentStore, slug: str) -> Deployment:
        """The deployment behind a slug; raises the store's ``NotFound`` like the store does."""
        key = (deployments.tenant_id, "deployment", slug)
        found = self._get(key, lambda: deployments.get_deployment(slug))
        assert found is not None  # get_deployment raises rather than returning None
        return found

    def settings(self, settings: SettingsStore) -> TenantSettings:
        found = self._get((settings.tenant_id, "settings", ""), settings.get_settings)
        assert found is not None
        return found

    def brand(self, brands: BrandStore) -> StoredBrand:
        """What the public login-page route reads on every visit, unauthenticated."""
        found = self._get((brands.tenant_id, "brand", ""), brands.get_brand)
        assert found is not None
        return found

    def forget(self, tenant_id: str) -> None:
        """Drop one tenant's entries: after a change to its keys, deployments, settings, brand."""
        with self._lock:
            self._generations[tenant_id] = self._generations.get(tenant_id, 0) + 1
            for key in [k for k in self._cache if k[0] == tenant_id]:
                self._cache.pop(key, None)
