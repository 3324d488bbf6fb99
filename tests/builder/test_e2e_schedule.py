"""A graph with Schedule ``* * * * *`` deployed in the builder runs every minute (issue 16.5).

The real stack: ``auterity serve`` (its scheduler on, as ``make run`` has it) over moto's
server, the builder in Chromium. The deploy panel shows the next 5 fire times; within a minute
of the deploy a fire with its run appears, and its link opens the run (trigger ``schedule``).
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from builder import routes
from tests.builder.session import HYDRATED, log_in, wait_for_path
from tests.runtime.schedules.support import schedule_graph

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]


def _api(service: Any) -> httpx.Client:
    answer = httpx.post(
        service.url + "/api/v1/auth/login",
        json={"tenant": service.tenant, "email": service.email, "password": service.password},
        trust_env=False,
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return httpx.Client(
        base_url=service.url + "/api/v1",
        headers={"Authorization": f"Bearer {answer.json()['token']}"},
        trust_env=False,
        timeout=30,
    )


def test_a_schedule_deployed_in_the_builder_runs_every_minute(
    service: Any, builder_app: Any, browser: Any
) -> None:
    with _api(service) as api:
        _deploy_and_watch(api, service, builder_app, browser)


def _deploy_and_watch(api: httpx.Client, service: Any, builder_app: Any, browser: Any) -> None:
    assert api.post("/graphs", json={"graph": schedule_graph()}).status_code == 201
    base = builder_app.frontend_url.rstrip("/")
    page = browser.new_page(viewport={"width": 1366, "height": 860})
    try:
        log_in(page, base, service)
        page.goto(base + "/graphs/tick")
        page.wait_for_function(HYDRATED, timeout=60_000)
        page.get_by_test_id("open-deploy").click()
        page.get_by_test_id("deploy-slug").fill("tick")
        page.get_by_test_id("deploy").click()
        expect(page.get_by_test_id("deployed-version")).to_have_text("serving version 1")
        schedule = page.get_by_test_id("deploy-schedule")
        expect(schedule).to_contain_text("Europe/Berlin", timeout=30_000)
        expect(page.get_by_test_id("next-fire")).to_have_count(5)
        # The next minute's slot fires (the service's scheduler looks every 5 s).
        deadline = time.monotonic() + 90
        while page.get_by_test_id("fire-run").count() == 0 and time.monotonic() < deadline:
            page.wait_for_timeout(5_000)
            page.get_by_test_id("schedule-refresh").click()
        link = page.get_by_test_id("fire-run").first
        expect(link).to_be_visible()
        link.click()
        wait_for_path(page, routes.RUNS)
        detail = page.get_by_test_id("run-detail")
        expect(detail).to_contain_text("ran_for", timeout=30_000)
        runs = api.get("/runs", params={"graph_id": "tick"}).json()
        assert runs
        assert {r["trigger"] for r in runs} == {"schedule"}
    finally:
        page.close()
