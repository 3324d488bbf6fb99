"""Which deployments run on a schedule: those whose graph's trigger is a Schedule node."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import ValidationError

from nodes.triggers.schedule import Schedule, ScheduleConfig
from runtime.core.graph import Graph
from runtime.store import Deployment, Directory, StoreError, TenantStore


@dataclass(frozen=True, slots=True)
class Scheduled:
    """One deployment with a Schedule trigger, as the scheduler fires it."""

    tenant_id: str
    slug: str
    graph_id: str
    version: int
    config: ScheduleConfig
    since: datetime
    """When this version went live: slots before it are not this deployment's."""

    @property
    def key(self) -> tuple[str, str]:
        return (self.tenant_id, self.slug)


def schedule_of(graph: Graph) -> ScheduleConfig | None:
    """The graph's Schedule trigger's config, if its trigger is one (and valid)."""
    for node in graph.nodes:
        if node.type == Schedule.type:
            try:
                return ScheduleConfig.model_validate(node.config)
            except ValidationError:
                return None
    return None


def parse_time(value: str) -> datetime:
    """A stored timestamp (``utc_now``) as an aware datetime."""
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class ScheduleFinder:
    """Lists deployed schedules across tenants; a version's trigger is read once.

    Versions are immutable (an erasure rewrites data, never a trigger), so what a version's
    trigger is stays cached for the life of the process.
    """

    def __init__(self, directory: Directory) -> None:
        self._directory = directory
        self._triggers: dict[tuple[str, str, int], ScheduleConfig | None] = {}

    def scheduled(self, store: TenantStore, deployment: Deployment) -> Scheduled | None:
        """The deployment as a schedule, or None when its trigger is not a Schedule."""
        cache_key = (store.tenant_id, deployment.graph_id, deployment.version)
        if cache_key not in self._triggers:
            try:
                graph = store.get_graph(deployment.graph_id, deployment.version).graph
            except StoreError:
                return None
            self._triggers[cache_key] = schedule_of(graph)
        config = self._triggers[cache_key]
        if config is None:
            return None
        return Scheduled(
            tenant_id=store.tenant_id,
            slug=deployment.slug,
            graph_id=deployment.graph_id,
            version=deployment.version,
            config=config,
            since=parse_time(deployment.deployed_at),
        )

    def find(self) -> list[tuple[TenantStore, Scheduled]]:
        """Every tenant's deployed schedules (a scan of the tenants: a background job's read)."""
        found: list[tuple[TenantStore, Scheduled]] = []
        for tenant in self._directory.list_tenants():
            try:
                store = self._directory.tenant(tenant.id)
                deployments = store.list_deployments()
            except StoreError:
                continue
            for deployment in deployments:
                scheduled = self.scheduled(store, deployment)
                if scheduled is not None:
                    found.append((store, scheduled))
        return found
