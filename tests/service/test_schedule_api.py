"""``GET /deployments/{slug}/schedule``: the next fire times in the zone and the last fires."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

from fastapi.testclient import TestClient

from runtime.service.app import create_app
from runtime.service.config import ServiceConfig
from tests.runtime.schedules.support import deploy, scheduler, store
from tests.service.conftest import Tenant, example


def test_the_schedule_lists_the_next_five_fire_times_in_its_zone(
    client: TestClient, acme: Tenant
) -> None:
    deploy(client, acme)
    answer = client.get("/api/v1/deployments/tick/schedule", headers=acme.auth)
    assert answer.status_code == 200, answer.text
    view = answer.json()
    assert view["scheduled"] is True
    assert (view["cron"], view["timezone"]) == ("* * * * *", "Europe/Berlin")
    times = [datetime.fromisoformat(t) for t in view["next_fire_times"]]
    assert len(times) == 5
    assert all(t.utcoffset() == timedelta(hours=1) for t in times)  # Berlin in December
    assert [b - a for a, b in pairwise(times)] == [timedelta(minutes=1)] * 4
    assert view["last_fires"] == []
    assert view["fired_by"] == "off"  # the test app runs no scheduler loop


def test_the_last_fires_name_their_runs_and_the_missed_slots(
    client: TestClient, acme: Tenant, aws: Any
) -> None:
    first = deploy(client, acme)
    one = scheduler(client, "one")

    async def passes() -> None:
        await one.fire(first + timedelta(seconds=2))
        await one.fire(first + timedelta(minutes=3, seconds=5))
        await one.drain()

    asyncio.run(passes())
    view = client.get("/api/v1/deployments/tick/schedule?fires=3", headers=acme.auth).json()
    fires = view["last_fires"]
    assert [f["status"] for f in fires] == ["fired", "missed", "missed"]
    run = client.get(f"/api/v1/runs/{fires[0]['run_id']}", headers=acme.auth).json()
    assert run["trigger"] == "schedule"
    assert run["output"]["ran_for"] == fires[0]["scheduled_at"]
    assert fires[1]["run_id"] is None
    assert len(store(aws).list_fires("tick", 50)) == 4


def test_a_deployment_without_a_schedule_says_so(client: TestClient, acme: Tenant) -> None:
    graph = example("http-echo")
    client.post("/api/v1/graphs", json={"graph": graph}, headers=acme.auth)
    client.post(
        "/api/v1/deployments", json={"slug": "echo", "graph_id": graph["id"]}, headers=acme.auth
    )
    view = client.get("/api/v1/deployments/echo/schedule", headers=acme.auth).json()
    assert view["scheduled"] is False
    assert view["next_fire_times"] == []


def test_bad_input_is_a_4xx_naming_the_field(client: TestClient, acme: Tenant) -> None:
    deploy(client, acme)
    too_many = client.get("/api/v1/deployments/tick/schedule?count=500", headers=acme.auth)
    assert too_many.status_code == 422
    assert "count" in too_many.json()["error"]["message"]
    assert client.get("/api/v1/deployments/nope/schedule", headers=acme.auth).status_code == 404
    bad_slug = client.get("/api/v1/deployments/NO_PE/schedule", headers=acme.auth)
    assert 400 <= bad_slug.status_code < 500
    assert client.get("/api/v1/deployments/tick/schedule").status_code == 401


def test_a_service_with_its_scheduler_on_says_it_fires_the_schedule(
    aws: Any, acme: Tenant, config: ServiceConfig
) -> None:
    """``auterity serve`` (and so ``make run``) runs the scheduler loop in its lifespan."""
    on = config.model_copy(update={"scheduler": True, "scheduler_tick_seconds": 0.05})
    with TestClient(create_app(on, aws)) as client:
        deploy(client, acme)
        view = client.get("/api/v1/deployments/tick/schedule", headers=acme.auth).json()
        assert view["fired_by"] == "local"
        time.sleep(0.3)  # the loop ticks meanwhile, and stops with the app
