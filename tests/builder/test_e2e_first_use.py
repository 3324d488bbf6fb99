"""Issue 14 in headless Chromium against the real service: what a new user met and must not.

The compliance settings tick the packs the industry's preset puts in force; invalid JSON typed
in the inspector is kept as a draft and shown as a problem until it parses; a failed node's
output cannot be pinned (the panel says why); the run summary gives the real duration; and
the runs list names the graph and calls a test run of the canvas a draft.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from builder import routes
from tests.builder.session import log_in, new_graph, open_node, retype, wait_for_path, wait_status

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

SHOTS = "first_use"
INVALID = re.compile(r"^Not valid JSON yet:")
NAME = "First use e2e"
LEAD = {
    "email": "ada@example.com",
    "name": "Ada",
    "budget": 45000,
    "timeline": "this_month",
    "source": "web",
}


def _shot(page: Any, artifacts: Path, name: str) -> None:
    folder = artifacts / SHOTS
    folder.mkdir(exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"))


def _run(page: Any, sample: Any, outcome: str) -> str:
    page.get_by_test_id("run-input").fill(json.dumps(sample))
    page.get_by_test_id("run-input-error").wait_for(state="detached")
    page.get_by_test_id("run-graph").click()
    page.wait_for_function(
        "(want) => document.querySelector('[data-testid=run-summary]')?.textContent"
        ".startsWith(want)",
        arg=outcome,
        timeout=30_000,
    )
    return str(page.get_by_test_id("run-summary").inner_text())


def test_a_new_user_is_told_the_truth(
    service: Any, builder_app: Any, browser: Any, artifacts: Path
) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    base = builder_app.frontend_url.rstrip("/")
    log_in(page, base, service)

    # 7. Settings: the automotive preset is on, and its packs (PCI-DSS, GDPR) are ticked.
    page.get_by_test_id("nav-settings").click()
    wait_for_path(page, routes.SETTINGS)
    page.get_by_test_id("compliance-packs").wait_for(timeout=30_000)
    expect(page.get_by_test_id("packs-preset")).to_have_attribute("data-state", "checked")
    for pack, state in (("pci", "checked"), ("gdpr", "checked")):
        expect(page.get_by_test_id(f"pack-{pack}")).to_have_attribute("data-state", state)
    for pack in ("hipaa", "soc2"):
        expect(page.get_by_test_id(f"pack-{pack}")).to_have_attribute("data-state", "unchecked")
    _shot(page, artifacts, "01-preset-packs")

    # The lead-scoring example on a new graph.
    new_graph(page, base, NAME)
    page.get_by_test_id("open-example").click()
    page.get_by_role("option", name="lead-scoring").click()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=graph-counts]')?.textContent"
        " === '9 nodes · 10 edges'"
    )

    # 2. Invalid JSON in the Respond body is kept as typed and shown as a problem.
    open_node(page, "reply")
    body = page.get_by_test_id("input-body")
    expect(body).to_have_value(re.compile(r'"tier": "\{\{ input.tier \}\}"'))
    retype(page, "input-body", "{{ input }}")
    page.get_by_text(INVALID).wait_for()
    page.get_by_test_id("inspector-close").click()
    page.get_by_test_id("inspector").wait_for(state="detached")
    wait_status(page, "reply", "error", timeout=30_000)
    page.get_by_test_id("problems-button").click()
    row = page.locator('[data-testid=problem-row][data-node="reply"]')
    expect(row).to_contain_text("Body is not valid JSON yet")
    expect(row).to_have_attribute("data-severity", "error")
    _shot(page, artifacts, "02-json-draft-is-a-problem")
    page.get_by_label("Close problems").click()
    open_node(page, "reply")
    expect(page.get_by_test_id("input-body")).to_have_value("{{ input }}")
    page.get_by_text(INVALID).wait_for()
    retype(page, "input-body", '{"tier": "{{ input.tier }}", "score": "{{ input.score }}"}')
    page.get_by_text(INVALID).wait_for(state="detached")
    page.get_by_test_id("inspector-close").click()
    wait_status(page, "reply", "valid", timeout=30_000)
    page.get_by_test_id("problems-button").click()
    page.get_by_test_id("problems-panel").wait_for()
    expect(page.locator('[data-testid=problem-row][data-node="reply"]')).to_have_count(0)
    page.get_by_label("Close problems").click()

    # 1. A failed node's output cannot be pinned; the panel says why.
    page.get_by_test_id("open-run").click()
    _run(page, {"method": "POST", "body": {"lead": {"name": "No email"}}}, "failed")
    wait_status(page, "hook", "failed", timeout=30_000)
    page.get_by_test_id("run-row-hook").click()
    page.get_by_test_id("pin-hook").click()
    refused = page.get_by_test_id("pin-refused-hook")
    expect(refused).to_contain_text("It failed in the last run")
    expect(page.get_by_test_id("pin-hook")).to_have_text(re.compile("Pin output"))
    _shot(page, artifacts, "03-failed-node-not-pinned")
    # ... and the next run really runs it: with a good lead, Respond answers.
    summary = _run(page, {"method": "POST", "body": {"lead": LEAD}}, "succeeded")
    assert '"tier": "hot"' in page.get_by_test_id("run-output").inner_text()
    # 8. The summary gives the run's real duration, not "0 ms".
    assert re.fullmatch(r"succeeded in \d+(\.\d+)? (ms|s)", summary), summary
    assert summary != "succeeded in 0 ms"
    _shot(page, artifacts, "04-run-duration")
    page.get_by_test_id("save").click()  # leaving with unsaved changes would ask first
    page.get_by_test_id("save-confirm").click()
    page.get_by_test_id("unsaved").wait_for(state="detached")

    # 8. The runs list names the graph and says "draft" and "test run" for the canvas's runs.
    page.get_by_test_id("nav-runs").click()
    wait_for_path(page, routes.RUNS)
    first = page.get_by_test_id("run-row").first
    first.wait_for(timeout=30_000)
    # Opening the example gave the graph the example's name, saved with it.
    expect(first.get_by_test_id("run-graph-name")).to_have_text("Dealership lead scoring")
    expect(first.get_by_test_id("run-version")).to_contain_text("draft")
    expect(first).to_contain_text("test run")
    assert "manual" not in first.inner_text()
    assert " v0" not in first.inner_text()
    expect(first).to_contain_text(re.compile(r"\d+(\.\d+)? ms"))
    _shot(page, artifacts, "05-runs-list")
    assert errors == []
    context.close()
