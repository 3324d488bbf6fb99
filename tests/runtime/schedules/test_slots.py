"""Which slots are due, in the schedule's zone across DST, and what catch-up runs after downtime."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from nodes.triggers.schedule import ScheduleConfig
from runtime.schedules.slots import due_slots, next_slot, plan_slots

CASES: dict[str, Any] = json.loads(
    (Path(__file__).parents[2] / "fixtures" / "schedules" / "dst.json").read_text()
)
EVERY_MINUTE = ScheduleConfig(cron="* * * * *", timezone="Europe/Berlin")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def utc(slots: list[datetime]) -> list[str]:
    return [s.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") for s in slots]


@pytest.mark.parametrize("name", sorted(CASES))
def test_slots_follow_the_zone_across_dst(name: str) -> None:
    case = CASES[name]
    config = ScheduleConfig(cron=case["cron"], timezone=case["timezone"])
    slots = due_slots(config, at(case["after"]), at(case["now"]))
    assert utc(slots) == case["slots_utc"], case["why"]
    # Each slot is reported in the schedule's zone (what the run's scheduled_at shows).
    assert all(s.utcoffset() == s.astimezone(config_zone(case)).utcoffset() for s in slots)


def config_zone(case: dict[str, Any]) -> Any:
    from zoneinfo import ZoneInfo  # test helper only

    return ZoneInfo(case["timezone"])


def test_an_on_time_slot_runs_and_nothing_is_missed() -> None:
    plan = plan_slots(EVERY_MINUTE, at("2026-12-07T16:04:00Z"), at("2026-12-07T16:05:03Z"))
    assert utc(plan.run) == ["2026-12-07T16:05:00Z"]
    assert plan.missed == []


def test_nothing_is_due_before_the_next_slot() -> None:
    assert plan_slots(EVERY_MINUTE, at("2026-12-07T16:05:00Z"), at("2026-12-07T16:05:59Z")).empty


def test_latest_policy_runs_the_newest_missed_slot_once_and_records_the_rest() -> None:
    plan = plan_slots(
        EVERY_MINUTE, at("2026-12-07T16:00:00Z"), at("2026-12-07T16:10:30Z"), "latest"
    )
    # 16:10 is on time (30 s late): it runs; the nine slots of the downtime are missed.
    assert utc(plan.run) == ["2026-12-07T16:10:00Z"]
    assert len(plan.missed) == 9
    assert utc(plan.missed)[0] == "2026-12-07T16:01:00Z"


def test_latest_policy_after_downtime_runs_the_last_late_slot() -> None:
    hourly = ScheduleConfig(cron="0 * * * *", timezone="UTC")
    plan = plan_slots(hourly, at("2026-12-07T10:00:00Z"), at("2026-12-07T13:20:00Z"), "latest")
    assert utc(plan.run) == ["2026-12-07T13:00:00Z"]  # 20 minutes late, but it runs
    assert utc(plan.missed) == ["2026-12-07T11:00:00Z", "2026-12-07T12:00:00Z"]


def test_none_policy_runs_nothing_late() -> None:
    hourly = ScheduleConfig(cron="0 * * * *", timezone="UTC")
    plan = plan_slots(hourly, at("2026-12-07T10:00:00Z"), at("2026-12-07T13:20:00Z"), "none")
    assert plan.run == []
    assert len(plan.missed) == 3


def test_all_policy_runs_every_late_slot_oldest_first_up_to_the_bound() -> None:
    hourly = ScheduleConfig(cron="0 * * * *", timezone="UTC")
    plan = plan_slots(hourly, at("2026-12-07T10:00:00Z"), at("2026-12-07T13:20:00Z"), "all")
    assert utc(plan.run) == [
        "2026-12-07T11:00:00Z",
        "2026-12-07T12:00:00Z",
        "2026-12-07T13:00:00Z",
    ]
    bounded = plan_slots(
        EVERY_MINUTE, at("2026-12-07T10:00:00Z"), at("2026-12-07T13:20:00Z"), "all", max_runs=5
    )
    assert utc(bounded.run)[-1] == "2026-12-07T10:05:00Z"  # the rest wait for the next pass


def test_a_long_downtime_looks_back_only_over_the_window_and_records_a_bounded_number() -> None:
    now = at("2026-12-07T16:00:30Z")
    plan = plan_slots(EVERY_MINUTE, now - timedelta(days=30), now, "latest", max_recorded=60)
    assert utc(plan.run) == ["2026-12-07T16:00:00Z"]
    assert len(plan.missed) == 60  # the newest 60 of a day's 1,439 missed slots
    assert utc(plan.missed)[-1] == "2026-12-07T15:59:00Z"


def test_a_bad_cron_is_refused_and_has_no_next_slot() -> None:
    bad = ScheduleConfig(cron="61 * * * *", timezone="UTC")
    with pytest.raises(ValueError, match="cron"):
        plan_slots(bad, at("2026-12-07T16:00:00Z"), at("2026-12-07T16:05:00Z"))
    assert next_slot(bad, at("2026-12-07T16:00:00Z")) is None
    assert next_slot(EVERY_MINUTE, at("2026-12-07T16:00:00Z")) == at("2026-12-07T16:01:00Z")
