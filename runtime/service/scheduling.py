"""The service's side of schedules: how a slot's run starts, and the loop in the lifespan.

The scheduler (``runtime.schedules.local``) decides which slot runs; a run starts here, through
the same ``execute_and_record`` as every other run, with ``trigger="schedule"`` and the slot
in the event as ``scheduled_at`` (what the Schedule node reports).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import datetime

from runtime.schedules.deployed import Scheduled, ScheduleFinder
from runtime.schedules.local import Scheduler, StartRun
from runtime.service.run_recording import execute_and_record
from runtime.service.state import ServiceState
from runtime.store import RunRecord, TenantStore


def schedule_event(slot: datetime) -> dict[str, str]:
    """The trigger event of a slot's run: its time in the schedule's zone."""
    return {"scheduled_at": slot.isoformat()}


def schedule_runner(state: ServiceState) -> StartRun:
    async def start(
        store: TenantStore, scheduled: Scheduled, slot: datetime, run_id: str
    ) -> RunRecord:
        return await execute_and_record(
            state,
            store,
            graph_id=scheduled.graph_id,
            version=scheduled.version,
            event=schedule_event(slot),
            trigger="schedule",
            slug=scheduled.slug,
            actor=f"schedule:{scheduled.slug}",
            run_id=run_id,
        )

    return start


def make_scheduler(state: ServiceState) -> Scheduler:
    """A scheduler over every tenant of the state's table, with the configured catch-up."""
    return Scheduler(
        ScheduleFinder(state.directory),
        schedule_runner(state),
        policy=state.config.schedule_catchup,
    )


@contextlib.asynccontextmanager
async def local_schedules(state: ServiceState) -> AsyncIterator[Scheduler | None]:
    """Run the scheduler loop for the app's lifetime when the config turns it on."""
    if not state.config.scheduler:
        yield None
        return
    scheduler = make_scheduler(state)
    loop = asyncio.ensure_future(scheduler.run_forever(state.config.scheduler_tick_seconds))
    try:
        yield scheduler
    finally:
        loop.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await loop
        await scheduler.stop(state.config.max_run_seconds)
