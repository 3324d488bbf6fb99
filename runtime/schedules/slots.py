"""Which slots of a schedule are due now, and which were missed: pure, so it is tested alone.

A *slot* is one fire time of the cron, in the schedule's zone. The scheduler keeps a cursor
(the newest slot it fired or recorded, or the deployment's time); every slot after the cursor
up to now is due. A slot found within ``grace`` of its time is on time and runs. Older ones are
late (the service was down, or busy), and the catch-up policy says what happens to them:

- ``latest`` (the default, like Airflow's ``catchup=False``): the newest late slot runs once,
  the others are recorded as missed;
- ``none`` (like n8n): late slots are only recorded as missed;
- ``all``: every late slot runs, oldest first.

Slots older than ``window`` are forgotten without a record, so a month offline costs nothing
when the service comes back; of the rest, at most ``max_recorded`` missed slots (the newest)
are recorded, and at most ``max_runs`` run per pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from cronsim import CronSim

from nodes.triggers.schedule import ScheduleConfig, load_zone, next_fire_times
from runtime.schedules.policy import CatchUp

GRACE = timedelta(seconds=60)
"""How late a slot may be found and still count as on time (a tick or two, a slow start)."""
WINDOW = timedelta(hours=24)
"""How far back missed slots are looked for after downtime."""
MAX_RECORDED = 60
"""Missed slots recorded per pass (the newest ones)."""
MAX_RUNS = 60
"""Slots run per pass under ``all``; the rest wait for the next pass."""


@dataclass(frozen=True, slots=True)
class SlotPlan:
    """What one pass does: slots to run and slots to record as missed, both oldest first."""

    run: list[datetime] = field(default_factory=list)
    missed: list[datetime] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.run and not self.missed


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def due_slots(config: ScheduleConfig, after: datetime, now: datetime) -> list[datetime]:
    """Every slot strictly after ``after`` and at or before ``now``, in the zone, oldest first.

    Raises ValueError for a bad cron or zone (``next_fire_times``' checks).
    """
    after, now = _aware(after), _aware(now)
    next_fire_times(config, after, 0)  # checks the cron and the zone
    zone = load_zone(config.timezone)
    slots: list[datetime] = []
    for slot in CronSim(config.cron, after.astimezone(zone)):
        if slot > now:
            break
        slots.append(slot)
    return slots


def plan_slots(
    config: ScheduleConfig,
    cursor: datetime,
    now: datetime,
    policy: CatchUp = "latest",
    *,
    grace: timedelta = GRACE,
    window: timedelta = WINDOW,
    max_recorded: int = MAX_RECORDED,
    max_runs: int = MAX_RUNS,
) -> SlotPlan:
    """The slots after ``cursor`` that are due at ``now``, split by the catch-up policy."""
    now = _aware(now)
    after = max(_aware(cursor), now - window)
    slots = due_slots(config, after, now)
    on_time = [s for s in slots if now - s <= grace]
    late = [s for s in slots if now - s > grace]
    if policy == "all":
        run, missed = late + on_time, []
    elif policy == "latest" and late and not on_time:
        run, missed = late[-1:], late[:-1]
    else:  # "none", or "latest" with an on-time slot to run instead
        run, missed = on_time, late
    return SlotPlan(run=run[:max_runs], missed=missed[-max_recorded:] if max_recorded else [])


def next_slot(config: ScheduleConfig, after: datetime) -> datetime | None:
    """The first slot after ``after`` (None for a bad cron or zone)."""
    try:
        times = next_fire_times(config, _aware(after), 1)
    except ValueError:
        return None
    return times[0] if times else None
