"""The deploy panel's schedule: the builder's call and state against the real service (moto)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
import reflex as rx

from builder import routes
from builder.client.api import Api
from builder.state import schedule as schedule_module
from builder.state.deploy import DeployState
from builder.state.schedule import ScheduleState, zone_time
from runtime.core.graph import Graph
from runtime.schedules.deployed import ScheduleFinder, parse_time
from runtime.schedules.local import Scheduler
from runtime.service.app import create_app
from runtime.service.config import ServiceConfig
from runtime.service.scheduling import schedule_runner
from runtime.store import Directory
from tests.runtime.schedules.support import schedule_graph
from tests.service.conftest import aws  # noqa: F401  # the moto tables, as the service's tests

BASE = "http://service.test"
PASSWORD = "correct horse battery"


@pytest.fixture
async def api(aws: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[Api, Scheduler]:  # noqa: F811
    """A logged-in client of the service with the every-minute graph saved, and a scheduler
    over the same table (moto, from ``tests.service.conftest``)."""
    directory = Directory(aws, "auterity")
    directory.create_tenant("acme", "Acme")
    directory.tenant("acme").create_user("admin@example.com", PASSWORD, "admin")
    app = create_app(ServiceConfig(token_secret="t" * 48, public_base_url=BASE), aws)
    transport = httpx.ASGITransport(app=app)
    session = await Api(base_url=BASE, transport=transport).login(
        "acme", "admin@example.com", PASSWORD
    )
    logged_in = Api(session.token, base_url=BASE, transport=transport)
    await logged_in.create_graph(Graph.model_validate(schedule_graph()))

    async def api_for(_: object) -> Api:
        return logged_in

    monkeypatch.setattr(schedule_module, "api_for", api_for)
    scheduler = Scheduler(
        ScheduleFinder(app.state.auterity.directory),
        schedule_runner(app.state.auterity),
        owner="test",
        refresh_seconds=0,
    )
    return logged_in, scheduler


def _state() -> ScheduleState:
    root = rx.State(_reflex_internal_init=True)  # type: ignore[call-arg]
    state = root.substates[ScheduleState.get_name()]
    assert isinstance(state, ScheduleState)
    return state


async def test_the_panel_shows_five_next_times_and_the_last_fires_linking_to_their_runs(
    api: tuple[Api, Scheduler],
) -> None:
    client, scheduler = api
    view = await client.deploy("tick", "tick", 1)
    first = parse_time(view.deployment.deployed_at).replace(second=0, microsecond=0)
    first += timedelta(minutes=1)
    await scheduler.fire(first + timedelta(seconds=2))
    await scheduler.fire(first + timedelta(minutes=2, seconds=5))  # one missed in between
    await scheduler.drain()
    state = _state()
    deploy = await state.get_state(DeployState)
    deploy.slug, deploy.url = "tick", "http://service.test/t/acme/tick"
    await state.fetch()
    assert state.scheduled
    assert (state.cron, state.timezone) == ("* * * * *", "Europe/Berlin")
    assert len(state.next_times) == 5
    assert all(t.endswith("+01:00") for t in state.next_times)  # Berlin in December
    assert [f["status"] for f in state.fires] == ["fired", "missed", "fired"]
    newest = state.fires[0]
    assert newest["href"] == f"{routes.RUNS}?graph=tick&run={newest['run_id']}"
    run = await client.get_run(newest["run_id"])
    assert run.trigger == "schedule"
    assert state.fires[1]["href"] == ""  # a missed slot started no run


async def test_nothing_shows_for_a_deployment_without_a_schedule_or_before_one_is_live(
    api: tuple[Api, Scheduler],
) -> None:
    state = _state()
    await state.fetch()  # nothing deployed in the panel yet
    assert not state.scheduled
    assert state.next_times == []


def test_slots_are_shown_in_their_zone() -> None:
    assert zone_time("2026-12-07T17:05:00+01:00") == "Mon 2026-12-07 17:05 +01:00"
    assert zone_time("2026-12-07T16:05:00+00:00") == "Mon 2026-12-07 16:05 UTC"
    assert zone_time("soon") == "soon"
