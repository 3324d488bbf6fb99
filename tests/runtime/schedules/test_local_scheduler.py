"""The local scheduler over moto: each slot runs once, whatever races, dies or restarts."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from runtime.schedules.local import Firing, Scheduler
from runtime.store import TenantStore
from runtime.store.access import Table
from tests.runtime.schedules.support import deploy, ran_for, schedule_runs, scheduler, store
from tests.service.conftest import Tenant

S = timedelta(seconds=1)
MINUTE = timedelta(minutes=1)


def fire(*schedulers: Scheduler, now: datetime) -> list[Firing]:
    """One pass of each scheduler at the same moment, concurrently, runs finished."""

    async def passes() -> list[Firing]:
        results = await asyncio.gather(*(s.fire(now) for s in schedulers))
        for s in schedulers:
            await s.drain()
        return [firing for result in results for firing in result]

    return asyncio.run(passes())


def test_a_deployed_schedule_runs_every_minute_with_trigger_schedule(
    client: TestClient, acme: Tenant, aws: Any
) -> None:
    first = deploy(client, acme)
    one = scheduler(client, "one")
    assert fire(one, now=first - 10 * S) == []  # nothing before the first slot
    assert len(fire(one, now=first + 3 * S)) == 1
    assert fire(one, now=first + 8 * S) == []  # the same slot does not run again
    assert len(fire(one, now=first + MINUTE + 2 * S)) == 1
    runs = schedule_runs(aws)
    assert [r.trigger for r in runs] == ["schedule", "schedule"]
    assert [r.status for r in runs] == ["succeeded", "succeeded"]
    assert [ran_for(r) for r in runs] == [first, first + MINUTE]
    # The event's scheduled_at is in the schedule's zone (Europe/Berlin: +01:00 in December).
    assert runs[0].output["ran_for"].endswith("+01:00")
    fires = store(aws).list_fires("tick")
    assert [(f.status, f.run_id) for f in fires] == [
        ("fired", runs[1].run_id),
        ("fired", runs[0].run_id),
    ]


def test_two_schedulers_racing_run_each_slot_once(
    client: TestClient, acme: Tenant, aws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each DynamoDB request is atomic, as on AWS (moto's in-process tables are not, across
    # threads); the two schedulers' requests interleave between them.
    lock = threading.Lock()
    call = Table._call

    def atomic(table: Table, method: Callable[..., dict[str, Any]], **kwargs: Any) -> Any:
        with lock:
            return call(table, method, **kwargs)

    monkeypatch.setattr(Table, "_call", atomic)
    # And both have found the slot due before either claims it: the race is certain.
    claim = TenantStore.claim_fire
    arrivals: Counter[datetime] = Counter()
    both_there = threading.Barrier(2, timeout=10)

    def racing(store: TenantStore, slug: str, slot: datetime, **kwargs: Any) -> Any:
        with lock:
            arrivals[slot] += 1
            first_two = arrivals[slot] <= 2
        if first_two:
            both_there.wait()
        return claim(store, slug, slot, **kwargs)

    monkeypatch.setattr(TenantStore, "claim_fire", racing)
    first = deploy(client, acme)
    a, b = scheduler(client, "a"), scheduler(client, "b")
    for minute in range(4):
        for delay in (1, 4):
            fire(a, b, now=first + minute * MINUTE + delay * S)
    slots = Counter(ran_for(r) for r in schedule_runs(aws))
    assert slots == {first + minute * MINUTE: 1 for minute in range(4)}


def test_a_scheduler_killed_after_claiming_lets_another_run_the_slot_once(
    client: TestClient, acme: Tenant, aws: Any
) -> None:
    first = deploy(client, acme)
    tenant = store(aws)
    # "dead" claims the first slot and is killed before it binds a run or starts one.
    won, _ = tenant.claim_fire(
        "tick",
        first,
        owner="dead",
        graph_id="tick",
        version=1,
        now=(first + S).timestamp(),
        lease_seconds=20,
    )
    assert won
    survivor = scheduler(client, "survivor")
    assert fire(survivor, now=first + 3 * S) == []  # the claim is honoured while its lease runs
    taken = fire(survivor, now=first + 25 * S)  # the lease ran out: taken over
    assert [f.slot for f in taken] == [first]
    # The dead process, were it only slow, finds the slot no longer its own: it starts nothing.
    assert not tenant.bind_fire("tick", first, owner="dead", run_id="late")
    # A restarted scheduler does not run it again either.
    assert fire(scheduler(client, "restarted"), now=first + 40 * S) == []
    assert [ran_for(r) for r in schedule_runs(aws)] == [first]


def test_a_slot_whose_run_was_bound_never_runs_twice(
    client: TestClient, acme: Tenant, aws: Any
) -> None:
    """Killed mid-fire, after the run id was recorded: the slot is not started again."""
    first = deploy(client, acme)
    tenant = store(aws)
    now = (first + S).timestamp()
    assert tenant.claim_fire(
        "tick", first, owner="dead", graph_id="tick", version=1, now=now, lease_seconds=5
    )[0]
    assert tenant.bind_fire("tick", first, owner="dead", run_id="r-dead")
    assert fire(scheduler(client, "next"), now=first + 50 * S) == []
    assert [(f.status, f.run_id) for f in tenant.list_fires("tick")] == [("fired", "r-dead")]


def test_a_restarted_scheduler_resumes_after_the_last_fired_slot(
    client: TestClient, acme: Tenant, aws: Any
) -> None:
    first = deploy(client, acme)
    fire(scheduler(client, "before"), now=first + 2 * S)
    after = scheduler(client, "after")  # a new process: nothing in memory
    assert fire(after, now=first + 30 * S) == []
    assert [f.slot for f in fire(after, now=first + MINUTE + S)] == [first + MINUTE]
    assert [ran_for(r) for r in schedule_runs(aws)] == [first, first + MINUTE]


def test_missed_slots_after_downtime_are_recorded_and_the_latest_runs_once(
    client: TestClient, acme: Tenant, aws: Any
) -> None:
    first = deploy(client, acme)
    fire(scheduler(client, "before"), now=first + 2 * S)
    # Down for eleven minutes; back 5 s after the slot of minute 12, which is on time.
    back = first + 12 * MINUTE + 5 * S
    fired = fire(scheduler(client, "after"), now=back)
    assert [f.slot for f in fired] == [first + 12 * MINUTE]
    statuses = Counter(f.status for f in store(aws).list_fires("tick", limit=50))
    assert statuses == {"fired": 2, "missed": 11}
    assert [ran_for(r) for r in schedule_runs(aws)] == [first, first + 12 * MINUTE]


def test_under_the_none_policy_late_slots_are_only_recorded(
    client: TestClient, acme: Tenant, aws: Any
) -> None:
    first = deploy(client, acme)
    # Started 2 minutes late: the first two slots are late, the third is on time.
    fired = fire(scheduler(client, "late", policy="none"), now=first + 2 * MINUTE + 5 * S)
    assert [f.slot for f in fired] == [first + 2 * MINUTE]
    assert [f.status for f in store(aws).list_fires("tick")] == ["fired", "missed", "missed"]
    assert [ran_for(r) for r in schedule_runs(aws)] == [first + 2 * MINUTE]


def test_an_undeployed_schedule_stops_firing(client: TestClient, acme: Tenant, aws: Any) -> None:
    first = deploy(client, acme)
    one = scheduler(client, "one")
    assert len(fire(one, now=first + S)) == 1
    assert client.delete("/api/v1/deployments/tick", headers=acme.auth).status_code == 204
    assert fire(one, now=first + MINUTE + S) == []
    assert len(schedule_runs(aws)) == 1
