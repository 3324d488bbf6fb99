"""What the app holds between requests: config, the store directory, compiled executors."""

from __future__ import annotations

import asyncio
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from runtime.core.egress import EgressPlatform
from runtime.service.aws_deploy import AwsDeployer
from runtime.service.config import ServiceConfig
from runtime.service.lookups import Lookups, may_load
from runtime.store import AssetFiles, Directory, LazyClient, make_s3_client
from runtime.store.slices import BrandStore, GraphStore, SettingsStore, UsageStore

if TYPE_CHECKING:
    from compliance.trace import RunLabels
    from runtime.ai.router import Router
    from runtime.ai.session import AiSession
    from runtime.engine.executor import Executor, RunHandle
    from runtime.schedules.eventbridge import EventBridgeSchedules

MAX_CACHED_EXECUTORS = 256


class VersionStore(GraphStore, SettingsStore, Protocol):
    """Stored graph versions, and the settings revision that says when a compiled one is stale."""


@dataclass
class ServiceState:
    config: ServiceConfig
    client: Any
    directory: Directory
    executors: OrderedDict[tuple[str, str, int], tuple[Executor, int]] = field(
        default_factory=OrderedDict
    )
    """Compiled versions, with the settings revision they were compiled under."""
    labels: dict[tuple[str, str, int], RunLabels] = field(default_factory=dict)
    """Data classes per node of each cached executor's graph (evicted with it)."""
    background: set[asyncio.Task[None]] = field(default_factory=set)
    aws: AwsDeployer | None = None
    """Set when deployments also go to Lambda (``deploy_target="lambda"``)."""
    eventbridge: EventBridgeSchedules | None = None
    """With ``aws``: deployments with a Schedule trigger get an EventBridge Scheduler schedule."""
    s3: Any = None
    """The S3 client of brand asset files (``runtime.store.assets``), made on first use."""
    lookups: Lookups = field(init=False)
    egress: EgressPlatform = field(init=False)
    """The operator's egress policy, with the AWS endpoints this app's clients use denied."""
    _ai_router: Router | None = field(default=None, init=False)
    instance: str = field(default_factory=lambda: uuid.uuid4().hex)
    """This process among the service's processes: the owner a durable run's lease names."""
    running: dict[str, RunHandle | None] = field(default_factory=dict)
    """Durable runs this process is walking now, by run id (a cancel stops them at once);
    ``None`` while one is being resumed and not walking yet."""
    wakes: set[tuple[str, str]] = field(default_factory=set)
    """(tenant, run) the sweeper should resume at once (``wake``)."""
    woken: asyncio.Event = field(default_factory=asyncio.Event)
    sweeping: asyncio.AbstractEventLoop | None = None
    """The loop the sweeper runs on, once it does."""

    def __post_init__(self) -> None:
        self.lookups = Lookups(self.config.cache_seconds)
        self.egress = self.config.egress.denying(
            _endpoint_urls(self.client, self.s3), "the platform's AWS endpoint"
        )
        if self.s3 is None:
            self.s3 = LazyClient(make_s3_client)

    def asset_files(self, brands: BrandStore) -> AssetFiles:
        """The tenant's own asset files in the configured bucket."""
        return brands.asset_files(self.s3, self.config.assets_bucket)

    @property
    def ai_router(self) -> Router:
        """One router per process (its SDK clients pool connections); made on first use."""
        if self._ai_router is None:
            from runtime.ai.router import Router  # cold start: the router loads with its first use

            self._ai_router = Router(self.config.ai)
        return self._ai_router

    def ai_session(self, usage: UsageStore) -> AiSession:
        """The router with a ledger over this tenant's store: usage and budget are its own."""
        # cold start: the router loads with the first model call of a run
        from runtime.ai.session import AiSession
        from runtime.ai.usage import StoreLedger

        return AiSession(self.ai_router, StoreLedger(usage))

    async def close(self) -> None:
        """Close the model SDK clients opened on the running loop (others keep theirs)."""
        if self._ai_router is not None:
            await self._ai_router.aclose()

    def executor(
        self, store: VersionStore, graph_id: str, version: int, revision: int | None = None
    ) -> Executor:
        """Compiled executor for one version, as of the tenant's settings ``revision``.

        Versions change only when a GDPR erasure redacts them in place; the erasure then bumps
        the settings' revision (``runtime.store.erasure``), which every instance reads through
        its lookups cache, so a cached executor of an older revision is compiled again. The
        cache is bounded, and keyed by tenant so nothing is shared between tenants.
        """
        if revision is None:
            revision = self.lookups.settings(store).revision
        key = (store.tenant_id, graph_id, version)
        cached = self.executors.get(key)
        if cached is not None and cached[1] == revision:
            self.executors.move_to_end(key)
            return cached[0]
        may_load()
        # Imported here: the compiler brings NetworkX and the executor the node contract, which
        # a Lambda cold start should only pay for when it first runs a version.
        from compliance.trace import RunLabels
        from runtime.engine.compile import build_plan
        from runtime.engine.executor import Executor

        stored = store.get_graph(graph_id, version)
        executor = Executor(build_plan(stored.graph))
        self.executors[key] = (executor, revision)
        self.executors.move_to_end(key)
        self.labels[key] = RunLabels.of(stored.graph)
        if len(self.executors) > MAX_CACHED_EXECUTORS:
            evicted, _ = self.executors.popitem(last=False)
            self.labels.pop(evicted, None)
        return executor

    def forget(self, tenant_id: str) -> None:
        """Drop everything cached for the tenant here (the lookups and compiled graphs)."""
        self.lookups.forget(tenant_id)
        for key in [k for k in self.executors if k[0] == tenant_id]:
            self.executors.pop(key, None)
            self.labels.pop(key, None)

    def wake(self, tenant_id: str, run_id: str) -> None:
        """Ask the sweeper to resume a run now (an answer came), not at its next round.

        Safe from worker threads: the event is set on the sweeper's own loop.
        """
        self.wakes.add((tenant_id, run_id))
        if self.sweeping is not None:
            self.sweeping.call_soon_threadsafe(self.woken.set)

    def spawn(self, coro: Any) -> None:
        """Keep a reference to background runs so they are not garbage-collected mid-way."""
        task = asyncio.ensure_future(coro)
        self.background.add(task)
        task.add_done_callback(self.background.discard)


def _endpoint_urls(*clients: Any) -> list[str]:
    """Where boto3 clients already made send their requests.

    A lazy client is not made for this: it reads the same ``AWS_ENDPOINT_URL*`` variables
    that ``ServiceConfig.from_env`` denies.
    """
    urls: list[str] = []
    for client in clients:
        if client is None or isinstance(client, LazyClient):
            continue
        url = getattr(getattr(client, "meta", None), "endpoint_url", None)
        if isinstance(url, str):
            urls.append(url)
    return urls
