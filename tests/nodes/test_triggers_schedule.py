import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from nodes.triggers.schedule import Schedule, ScheduleConfig, next_fire_times
from runtime.core.errors import NodeRunError
from tests.nodes.helpers import run_node


def config(cron: str, timezone: str = "UTC") -> ScheduleConfig:
    return ScheduleConfig.model_validate({"cron": cron, "timezone": timezone})


def test_check_accepts_a_good_schedule() -> None:
    assert Schedule.check(config("0 9 * * MON-FRI", "Europe/Berlin")) == []


@pytest.mark.parametrize(
    ("cron", "message"),
    [
        ("61 * * * *", "Bad minute"),
        ("0 9 * *", "5 fields"),
        ("0 0 9 * * *", "5 fields"),
        ("0 0 30 2 *", "Bad day-of-month"),
        ("every day", "5 fields"),
        ("{{__import__('os')}} * * * *", "invalid cron"),
    ],
)
def test_check_reports_a_bad_cron_on_the_cron_field(cron: str, message: str) -> None:
    problems = Schedule.check(config(cron))
    assert len(problems) == 1
    assert problems[0][0] == "cron"
    assert message in problems[0][1]


@pytest.mark.parametrize(
    "zone", ["Mars/Olympus", "utc", "../etc/passwd", "/etc/localtime", "Europe"]
)
def test_check_reports_an_unknown_timezone(zone: str) -> None:
    assert Schedule.check(config("* * * * *", zone)) == [
        ("timezone", f"unknown time zone {zone!r}")
    ]


def test_next_fire_times_are_local_and_dst_aware() -> None:
    # Berlin moves to summer time on 2024-03-31: 09:00 stays 09:00 local, the UTC hour shifts.
    times = next_fire_times(
        config("0 9 * * *", "Europe/Berlin"), datetime(2024, 3, 30, 12, tzinfo=UTC), 2
    )
    assert [t.isoformat() for t in times] == [
        "2024-03-31T09:00:00+02:00",
        "2024-04-01T09:00:00+02:00",
    ]
    assert times[0].tzinfo == ZoneInfo("Europe/Berlin")


def test_next_fire_times_are_strictly_after_and_naive_means_utc() -> None:
    times = next_fire_times(config("*/15 * * * *"), datetime(2024, 1, 1, 10, 0), 3)
    assert [t.strftime("%H:%M") for t in times] == ["10:15", "10:30", "10:45"]


def test_next_fire_times_skips_weekends() -> None:
    times = next_fire_times(
        config("0 9 * * MON-FRI", "America/New_York"), datetime(2024, 3, 8, 20, tzinfo=UTC), 2
    )
    assert [t.date().isoformat() for t in times] == ["2024-03-11", "2024-03-12"]


def test_next_fire_times_refuses_bad_config_and_count() -> None:
    with pytest.raises(ValueError, match="Bad hour"):
        next_fire_times(config("0 25 * * *"), datetime.now(UTC), 1)
    with pytest.raises(ValueError, match="unknown time zone"):
        next_fire_times(config("0 1 * * *", "Nowhere"), datetime.now(UTC), 1)
    with pytest.raises(ValueError, match="count"):
        next_fire_times(config("0 1 * * *"), datetime.now(UTC), 5000)
    assert next_fire_times(config("0 1 * * *"), datetime.now(UTC), 0) == []


async def test_run_reports_the_scheduled_slot_from_the_event() -> None:
    out = await run_node(
        "trigger.schedule",
        {"cron": "0 9 * * *", "timezone": "Europe/Berlin"},
        scope={"trigger": {"scheduled_at": "2024-03-31T09:00:00+02:00"}},
    )
    assert out == {
        "out": {
            "scheduled_at": "2024-03-31T09:00:00+02:00",
            "cron": "0 9 * * *",
            "timezone": "Europe/Berlin",
        }
    }


async def test_run_without_event_uses_now_in_the_zone() -> None:
    out = await run_node("trigger.schedule", {"cron": "0 9 * * *", "timezone": "Asia/Kolkata"})
    stamp = out["out"]["scheduled_at"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+05:30", stamp)
    assert abs((datetime.fromisoformat(stamp) - datetime.now(UTC)).total_seconds()) < 60


async def test_run_refuses_a_non_string_scheduled_at() -> None:
    with pytest.raises(NodeRunError, match="scheduled_at"):
        await run_node(
            "trigger.schedule", {"cron": "* * * * *"}, scope={"trigger": {"scheduled_at": 5}}
        )
