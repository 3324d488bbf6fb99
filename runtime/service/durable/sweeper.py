"""The sweeper: takes over runs whose process died, fires timers that fell due, resumes answers.

It runs in the service's lifespan (every ``sweep_seconds``, and at once when ``state.wake`` is
called), in as many service processes as there are: each resume first claims the run's lease
(a conditional write), so a run is walked by one process at a time, and a timer answers its
wait with one conditional write, so it fires once. It reads only the tenants that have had
durable runs (``Directory.durable_tenants``), and of those only their queued, running and
waiting runs, through the run-status index.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import UTC, datetime

from starlette.concurrency import run_in_threadpool

from runtime.service.durable.keeper import fresh
from runtime.service.durable.resume import ResumeStore, resume
from runtime.service.state import ServiceState
from runtime.store import NotFound, TenantStore
from runtime.store.errors import Conflict

log = logging.getLogger(__name__)

MAX_PER_ROUND = 200
"""Runs of one tenant and status looked at per round; the rest wait for the next one."""


def due_runs(state: ServiceState, store: ResumeStore, now: float | None = None) -> list[str]:
    """Blocking: the runs of one tenant to resume now; timers that fell due are answered here."""
    now = time.time() if now is None else now
    due: list[str] = []
    for status in ("queued", "running"):
        for record in store.list_runs(status=status, limit=MAX_PER_ROUND):
            if record.run_id in state.running:
                continue
            try:
                run = store.get_run_state(record.run_id)
            except NotFound:
                continue  # not durable: it runs and ends in the process that answers its caller
            if run.lease_until < now and not run.cancelled:
                due.append(record.run_id)
    moment = datetime.fromtimestamp(now, UTC).isoformat(timespec="seconds")
    for record in store.list_runs(status="waiting", limit=MAX_PER_ROUND):
        waits = store.list_waits(run_id=record.run_id, status=None)
        if any(fresh(w) for w in waits):
            due.append(record.run_id)
            continue
        for wait in waits:
            if wait.status == "pending" and wait.until is not None and wait.until <= moment:
                with contextlib.suppress(Conflict):  # answered meanwhile: that answer stands
                    store.answer_wait(
                        record.run_id,
                        wait.node,
                        tuple(wait.iteration),
                        status="timed_out",
                        outputs=wait.on_timeout or {},
                        by="timer",
                    )
                due.append(record.run_id)
                break
    return due


def _stores(state: ServiceState) -> list[TenantStore]:
    stores = []
    for tenant_id in state.directory.durable_tenants():
        with contextlib.suppress(NotFound):
            stores.append(state.directory.tenant(tenant_id))
    return stores


async def sweep_once(state: ServiceState, now: float | None = None) -> list[str]:
    """One round: the runs it started resuming (each in a task of its own)."""
    started: list[str] = []
    wakes, state.wakes = state.wakes, set()
    stores = {s.tenant_id: s for s in await run_in_threadpool(_stores, state)}
    for tenant_id, run_id in sorted(wakes):
        store = stores.get(tenant_id)
        if store is not None:
            state.spawn(resume(state, store, run_id))
            started.append(run_id)
    for store in stores.values():
        for run_id in await run_in_threadpool(due_runs, state, store, now):
            if run_id not in started:
                state.spawn(resume(state, store, run_id))
                started.append(run_id)
    return started


async def sweep_forever(state: ServiceState) -> None:
    """The lifespan's task: a round every ``sweep_seconds``, or at once when woken."""
    state.sweeping = asyncio.get_running_loop()
    while True:
        try:
            await sweep_once(state)
        except Exception:  # a round that fails (the store is down) must not end the sweeper
            log.exception("durable-run sweep failed; trying again next round")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(state.woken.wait(), timeout=state.config.sweep_seconds)
        state.woken.clear()
