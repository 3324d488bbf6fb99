"""A deployment's schedule: its next fire times and its last fires, each with its run."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal, Protocol

from fastapi import APIRouter, Depends, Query

from nodes.triggers.schedule import next_fire_times
from runtime.schedules.deployed import schedule_of
from runtime.service.deps import State, Viewer
from runtime.service.schemas import FireView, ScheduleView
from runtime.service.state import ServiceState
from runtime.store import TenantStore
from runtime.store.slices import DeploymentStore, FireStore, GraphStore

router = APIRouter(prefix="/deployments", tags=["deployments"])

FiredBy = Literal["local", "eventbridge", "off"]


class ScheduleStore(DeploymentStore, GraphStore, FireStore, Protocol):
    """The deployment, its version's trigger, and its recorded slots."""


async def schedule_store(auth: Viewer) -> ScheduleStore:
    store: TenantStore = auth[1]
    return store


Schedules = Annotated[ScheduleStore, Depends(schedule_store)]


def fired_by(state: ServiceState) -> FiredBy:
    if state.aws is not None:
        return "eventbridge"
    return "local" if state.config.scheduler else "off"


@router.get("/{slug}/schedule")
def deployment_schedule(
    slug: str,
    state: State,
    store: Schedules,
    count: Annotated[int, Query(ge=0, le=50, description="How many next fire times.")] = 5,
    fires: Annotated[int, Query(ge=0, le=100, description="How many recent fires.")] = 10,
) -> ScheduleView:
    """Next fire times from now, and the newest recorded slots (fired, missed, claimed)."""
    deployment = store.get_deployment(slug)
    config = schedule_of(store.get_graph(deployment.graph_id, deployment.version).graph)
    view = ScheduleView(
        slug=slug,
        graph_id=deployment.graph_id,
        version=deployment.version,
        scheduled=config is not None,
        fired_by=fired_by(state),
        catchup=state.config.schedule_catchup,
    )
    if config is None:
        return view
    view.cron, view.timezone = config.cron, config.timezone
    try:
        upcoming = next_fire_times(config, datetime.now(UTC), count)
    except ValueError:  # a version saved before its cron was checked: it never fires
        upcoming = []
    view.next_fire_times = [t.isoformat() for t in upcoming]
    view.last_fires = [
        FireView(
            slot=f.slot,
            scheduled_at=f.scheduled_at,
            status=f.status,
            run_id=f.run_id,
            version=f.version,
        )
        for f in (store.list_fires(slug, fires) if fires else [])
    ]
    return view
