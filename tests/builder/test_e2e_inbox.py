"""An approver decides in the builder's Inbox on a phone-width screen (issue 16 point 6).

The real stack: ``auterity serve`` (its sweeper on, as ``make run`` has it) over moto's server,
the builder in Chromium. A deployed approval graph is called, so its run waits; the Inbox shows
the request, the approver fills the required note and approves, the card goes, and the run
ends on the approved branch.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from builder import routes
from tests.builder.session import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

GRAPH = Path(__file__).resolve().parents[1] / "fixtures" / "graphs" / "durable"


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


def _waiting_run(api: httpx.Client, service: Any) -> str:
    graph = json.loads((GRAPH / "discount-approval.graph.json").read_text())
    assert api.post("/graphs", json={"graph": graph}).status_code == 201
    deployed = api.post("/deployments", json={"slug": "discount", "graph_id": graph["id"]})
    assert deployed.status_code == 201, deployed.text
    asked = httpx.post(
        f"{service.url}/t/{service.tenant}/discount",
        json={"customer": "Ada", "discount": 15},
        trust_env=False,
        timeout=30,
    )
    assert asked.status_code == 202, asked.text
    return str(asked.json()["run_id"])


def _status(api: httpx.Client, run_id: str, until: set[str]) -> str:
    deadline = time.monotonic() + 60
    status = ""
    while time.monotonic() < deadline:
        status = api.get(f"/runs/{run_id}").json()["status"]
        if status in until:
            return str(status)
        time.sleep(0.5)
    return status


def test_an_approver_fills_the_form_and_approves_in_the_inbox(
    service: Any, builder_app: Any, browser: Any
) -> None:
    with _api(service) as api:
        run_id = _waiting_run(api, service)
        assert _status(api, run_id, {"waiting"}) == "waiting"
        base = builder_app.frontend_url.rstrip("/")
        page = browser.new_page(viewport={"width": 390, "height": 844})
        try:
            log_in(page, base, service)
            expect(page.get_by_test_id("nav-inbox-count")).to_have_text("1", timeout=30_000)
            page.get_by_test_id("nav-inbox").click()
            item = page.get_by_test_id("inbox-item")
            expect(item).to_have_count(1, timeout=30_000)
            expect(item).to_contain_text("Discount of 15% for Ada")
            expect(item).to_contain_text('"customer": "Ada"')
            expect(item).to_contain_text("Note for the customer")
            page.get_by_test_id("inbox-field-note").fill("loyal customer")
            page.get_by_test_id("inbox-comment").fill("fine by me")
            page.get_by_test_id("inbox-approve").click()
            expect(item).to_have_count(0, timeout=30_000)
            expect(page.get_by_text("Nothing to decide")).to_be_visible()
            page.screenshot(path=str(Path(__file__).parent / "artifacts" / "inbox-phone.png"))
            assert _status(api, run_id, {"succeeded", "failed"}) == "succeeded"
            body = api.get(f"/runs/{run_id}").json()["output"]["body"]
            assert (body["outcome"], body["note"]) == ("granted", "loyal customer")
            page.goto(base + routes.run(run_id))
            detail = page.get_by_test_id("run-detail")
            expect(detail).to_contain_text("succeeded", timeout=30_000)
            expect(page.get_by_test_id("run-wait")).to_contain_text("approved")
        finally:
            page.close()
