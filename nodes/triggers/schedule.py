"""Start a run on a cron schedule, in a named time zone so "9:00 on weekdays" survives DST.

The scheduler (outside this node) calls ``next_fire_times`` to know when to start runs and puts
the slot it fired for into the event as ``scheduled_at``; the node only reports it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError
from pydantic import Field

from nodes.base import NodeConfig, NodeContext, NodeType, Outputs
from runtime.core.errors import NodeRunError
from runtime.core.types import OBJECT, Port

MAX_FIRE_TIMES = 1000
_ZONE_NAME = re.compile(r"^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*$")


class ScheduleConfig(NodeConfig):
    cron: str = Field(
        max_length=200,
        description="Five fields: minute hour day-of-month month day-of-week (`0 9 * * MON-FRI`).",
    )
    timezone: str = Field(
        default="UTC", max_length=64, description="IANA zone, e.g. `Europe/Berlin`."
    )


def load_zone(name: str) -> tzinfo:
    """Look up an IANA zone or raise ValueError; the pattern keeps keys to plain zone names."""
    if not _ZONE_NAME.match(name):
        raise ValueError(f"unknown time zone {name[:64]!r}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"unknown time zone {name[:64]!r}") from None


def _cron_problem(cron: str) -> str | None:
    if len(cron.split()) != 5:
        return "cron needs 5 fields (minute hour day-of-month month day-of-week)"
    try:
        next(CronSim(cron, datetime.now(UTC)))
    except CronSimError as exc:
        return f"invalid cron expression: {exc}"
    except StopIteration:
        return "cron expression never fires"
    return None


def next_fire_times(config: ScheduleConfig, after: datetime, count: int) -> list[datetime]:
    """List the next ``count`` fire times strictly after ``after``, aware, in the zone.

    A naive ``after`` is taken as UTC. Raises ValueError for a bad cron or zone.
    """
    if not 0 <= count <= MAX_FIRE_TIMES:
        raise ValueError(f"count must be between 0 and {MAX_FIRE_TIMES}")
    problem = _cron_problem(config.cron)
    if problem:
        raise ValueError(problem)
    zone = load_zone(config.timezone)
    if after.tzinfo is None:
        after = after.replace(tzinfo=UTC)
    times: list[datetime] = []
    for fire in CronSim(config.cron, after.astimezone(zone)):
        if len(times) >= count:
            break
        times.append(fire)
    return times


class Schedule(NodeType[ScheduleConfig]):
    type = "trigger.schedule"
    title = "Schedule"
    category = "trigger"
    description = "Start the workflow on a cron schedule in a chosen time zone."
    icon = "clock"
    inline = True
    Config = ScheduleConfig
    trigger = True
    inputs = ()
    outputs = (Port(name="out", type=OBJECT, description="{scheduled_at, cron, timezone}"),)
    example = {"cron": "0 9 * * MON-FRI", "timezone": "Europe/Berlin"}

    @classmethod
    def check(cls, config: ScheduleConfig) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        cron_problem = _cron_problem(config.cron)
        if cron_problem:
            problems.append(("cron", cron_problem))
        try:
            load_zone(config.timezone)
        except ValueError as exc:
            problems.append(("timezone", str(exc)))
        return problems

    async def run(
        self, config: ScheduleConfig, inputs: dict[str, Any], ctx: NodeContext
    ) -> Outputs:
        event = ctx.scope.get("trigger")
        scheduled_at = event.get("scheduled_at") if isinstance(event, dict) else None
        if scheduled_at is not None and not isinstance(scheduled_at, str):
            raise NodeRunError("trigger event 'scheduled_at' must be an ISO-8601 string")
        if not scheduled_at:
            try:
                zone = load_zone(config.timezone)
            except ValueError as exc:
                raise NodeRunError(f"timezone: {exc}") from None
            scheduled_at = datetime.now(zone).isoformat(timespec="seconds")
        return {
            "out": {"scheduled_at": scheduled_at, "cron": config.cron, "timezone": config.timezone}
        }
