"""The local scheduler: a loop in the service that fires deployed schedules (``make run``).

Every few seconds it looks at each deployed schedule's next slot; when one is due it records
missed slots per the catch-up policy (``slots``), claims each slot to run in DynamoDB, binds a
run id to the claim, and only then starts the run (``runtime.store.fires`` says why that
order makes every slot run once, with any number of service processes and crashes).

It survives restarts because it keeps nothing that matters in memory: where a schedule
resumes is its newest recorded slot (or its deployment's time), read from the table.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from runtime.schedules.deployed import Scheduled, ScheduleFinder, parse_time
from runtime.schedules.policy import CatchUp
from runtime.schedules.slots import GRACE, WINDOW, next_slot, plan_slots
from runtime.store import NotFound, StoreError, TenantStore

log = logging.getLogger(__name__)

TICK_SECONDS = 5.0
"""How often due slots are looked for: a slot starts at most this late."""
REFRESH_SECONDS = 15.0
"""How often the deployed schedules are listed again (a deploy in another process)."""
LEASE_SECONDS = 60
"""How long a claim without a run is honoured before another process may take the slot."""
RECENT_FIRES = 5
"""Slots read back when a schedule is (re)tracked: the cursor and unfinished claims."""

StartRun = Callable[[TenantStore, Scheduled, datetime, str], Awaitable[object]]
"""Start the run of one slot, with the run id bound to its claim (the service's runner)."""
Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def new_owner() -> str:
    """A scheduler's name on its claims: host and pid for people, a token for uniqueness."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


@dataclass(frozen=True, slots=True)
class Firing:
    """A slot this scheduler won, with the id its run will have."""

    store: TenantStore
    scheduled: Scheduled
    slot: datetime
    run_id: str


@dataclass
class _Tracked:
    store: TenantStore
    scheduled: Scheduled
    cursor: datetime
    """The newest slot recorded (fired, claimed or missed), or the deployment's time."""
    next_at: datetime | None
    retry: dict[datetime, int] = field(default_factory=dict)
    """Slots claimed by someone else, with their lease: taken over if it runs out unbound."""


class Scheduler:
    def __init__(
        self,
        finder: ScheduleFinder,
        start: StartRun,
        *,
        policy: CatchUp = "latest",
        owner: str | None = None,
        lease_seconds: int = LEASE_SECONDS,
        refresh_seconds: float = REFRESH_SECONDS,
        grace: timedelta = GRACE,
        window: timedelta = WINDOW,
        clock: Clock = _utc_now,
    ) -> None:
        self.owner = owner or new_owner()
        self._finder = finder
        self._start = start
        self._policy: CatchUp = policy
        self._lease = lease_seconds
        self._refresh_seconds = refresh_seconds
        self._grace = grace
        self._window = window
        self._clock = clock
        self._tracked: dict[tuple[str, str], _Tracked] = {}
        self._refreshed: float | None = None
        self._running: set[asyncio.Task[None]] = set()

    # -- blocking: one pass over the table -------------------------------------------------

    def refresh(self, now: datetime) -> None:
        """List the deployed schedules again; ones unchanged keep their place."""
        tracked: dict[tuple[str, str], _Tracked] = {}
        for store, scheduled in self._finder.find():
            old = self._tracked.get(scheduled.key)
            if old is not None and old.scheduled == scheduled:
                tracked[scheduled.key] = old
            else:
                tracked[scheduled.key] = self._track(store, scheduled)
        self._tracked = tracked
        self._refreshed = time.monotonic()

    def tick(self, now: datetime) -> list[Firing]:
        """Record and claim what is due at ``now``; the runs to start (not started here)."""
        stale = (
            self._refreshed is None or time.monotonic() - self._refreshed >= self._refresh_seconds
        )
        if stale:
            self.refresh(now)
        firings: list[Firing] = []
        for tracked in list(self._tracked.values()):
            try:
                firings += self._take_over(tracked, now)
                if tracked.next_at is not None and tracked.next_at <= now:
                    firings += self._fire_due(tracked, now)
            except StoreError as exc:  # the table is unreachable: try again next tick
                log.warning("schedule %s/%s: %s", *tracked.scheduled.key, exc)
        return firings

    def _track(self, store: TenantStore, scheduled: Scheduled) -> _Tracked:
        cursor, retry = scheduled.since, {}
        for fire in store.list_fires(scheduled.slug, RECENT_FIRES):
            slot = parse_time(fire.slot)
            cursor = max(cursor, slot)
            if fire.status == "claimed":
                retry[slot] = fire.lease_until
        return _Tracked(store, scheduled, cursor, next_slot(scheduled.config, cursor), retry)

    def _fire_due(self, tracked: _Tracked, now: datetime) -> list[Firing]:
        scheduled = tracked.scheduled
        store = tracked.store
        # The deployment may have been undeployed or moved to another version meanwhile.
        try:
            deployment = store.get_deployment(scheduled.slug)
        except NotFound:
            self._tracked.pop(scheduled.key, None)
            return []
        current = self._finder.scheduled(store, deployment)
        if current is None:
            self._tracked.pop(scheduled.key, None)
            return []
        # What other processes recorded since: the cursor moves past their slots.
        tracked = self._track(store, current)
        self._tracked[current.key] = tracked
        plan = plan_slots(
            current.config,
            tracked.cursor,
            now,
            self._policy,
            grace=self._grace,
            window=self._window,
        )
        stamp = now.timestamp()
        for slot in plan.missed:
            if store.record_missed(
                current.slug, slot, graph_id=current.graph_id, version=current.version, now=stamp
            ):
                log.info("schedule %s/%s: slot %s missed", *current.key, slot.isoformat())
        firings = [f for slot in plan.run if (f := self._claim(tracked, slot, now)) is not None]
        slots = plan.run + plan.missed
        tracked.cursor = (
            max([tracked.cursor, *slots]) if slots else max(tracked.cursor, now - self._window)
        )
        tracked.next_at = next_slot(current.config, tracked.cursor)
        return firings

    def _take_over(self, tracked: _Tracked, now: datetime) -> list[Firing]:
        """Slots whose claimer died before starting the run: run them now, once."""
        firings: list[Firing] = []
        for slot, lease_until in list(tracked.retry.items()):
            if now.timestamp() <= lease_until:
                continue
            del tracked.retry[slot]
            if now - slot > self._window:
                continue
            firing = self._claim(tracked, slot, now)
            if firing is not None:
                log.warning(
                    "schedule %s/%s: slot %s taken over from a claim that never started",
                    *tracked.scheduled.key,
                    slot.isoformat(),
                )
                firings.append(firing)
        return firings

    def _claim(self, tracked: _Tracked, slot: datetime, now: datetime) -> Firing | None:
        scheduled = tracked.scheduled
        won, held = tracked.store.claim_fire(
            scheduled.slug,
            slot,
            owner=self.owner,
            graph_id=scheduled.graph_id,
            version=scheduled.version,
            now=now.timestamp(),
            lease_seconds=self._lease,
        )
        if not won:
            if held is not None and held.status == "claimed":
                tracked.retry[slot] = held.lease_until  # watch it: its claimer may die
            return None
        run_id = tracked.store.new_run_id()
        if not tracked.store.bind_fire(scheduled.slug, slot, owner=self.owner, run_id=run_id):
            return None  # our lease ran out and someone else took the slot
        return Firing(tracked.store, scheduled, slot, run_id)

    # -- the loop ------------------------------------------------------------------------------

    async def fire(self, now: datetime | None = None) -> list[Firing]:
        """One pass: claim in a worker thread, then start each won slot's run in the background."""
        firings = await asyncio.to_thread(self.tick, now or self._clock())
        for firing in firings:
            task = asyncio.ensure_future(self._run(firing))
            self._running.add(task)
            task.add_done_callback(self._running.discard)
        return firings

    async def _run(self, firing: Firing) -> None:
        try:
            await self._start(firing.store, firing.scheduled, firing.slot, firing.run_id)
        except Exception:  # one failing run must not stop the schedule
            log.exception("schedule %s/%s: run %s failed", *firing.scheduled.key, firing.run_id)

    async def drain(self) -> None:
        """Wait for the runs started so far (tests, shutdown)."""
        while self._running:
            await asyncio.gather(*list(self._running), return_exceptions=True)

    async def run_forever(self, tick_seconds: float = TICK_SECONDS) -> None:
        while True:
            try:
                await self.fire()
            except Exception:  # keep ticking: the next pass may find the table back
                log.exception("scheduler pass failed")
            await asyncio.sleep(tick_seconds)

    async def stop(self, grace_seconds: float = 30.0) -> None:
        """Let runs under way finish (a bound slot is never started again), then cancel."""
        if self._running:
            await asyncio.wait(list(self._running), timeout=grace_seconds)
        for task in list(self._running):
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*list(self._running), return_exceptions=True)
