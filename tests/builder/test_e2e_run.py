"""The Run panel in headless Chromium against the real service: sample input, each node's
data on the canvas and in the panel, pinning an output, re-running from one node, and the
sample remembered across a reload."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.builder.session import HYDRATED, log_in, new_graph

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

EVENT = {
    "method": "POST",
    "body": {
        "lead": {
            "email": "ada@example.com",
            "name": "Ada",
            "budget": 45000,
            "timeline": "this_month",
            "source": "web",
        }
    },
}


def _badge(page: Any, node_id: str) -> str:
    return str(page.get_by_test_id(f"status-{node_id}").inner_text())


def _wait_badge(page: Any, node_id: str, text: str) -> None:
    page.wait_for_function(
        "([id, want]) => document.querySelector(`[data-testid=status-${id}]`)?.textContent"
        " === want",
        arg=[node_id, text],
        timeout=30_000,
    )


def test_run_panel_shows_every_node_pins_and_reruns(
    service: Any, builder_app: Any, browser: Any, artifacts: Path
) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    base = builder_app.frontend_url.rstrip("/")
    log_in(page, base, service)
    new_graph(page, base, "Run panel e2e")
    page.get_by_test_id("open-example").click()
    page.get_by_role("option", name="lead-scoring").click()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=graph-counts]')?.textContent"
        " === '9 nodes · 10 edges'"
    )

    # Bad JSON is refused where it is typed, before anything runs.
    page.get_by_test_id("open-run").click()
    box = page.get_by_test_id("run-input")
    box.fill('{"body": ')
    page.get_by_test_id("run-input-error").wait_for()
    assert "line 1" in page.get_by_test_id("run-input-error").inner_text()

    box.fill(json.dumps(EVENT, indent=2))
    page.get_by_test_id("run-input-error").wait_for(state="detached")
    page.get_by_test_id("run-graph").click()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=run-summary]')?.textContent"
        ".startsWith('succeeded')",
        timeout=30_000,
    )
    assert '"tier": "hot"' in page.get_by_test_id("run-output").inner_text()
    # Every node shows what happened to it on the canvas.
    for node_id in ("hook", "points", "score", "route", "hot", "join", "reply"):
        _wait_badge(page, node_id, "ran ok")
    assert page.get_by_test_id("run-ms-score").inner_text().endswith(" ms")
    assert _badge(page, "warm") == "skipped"
    assert _badge(page, "cold") == "skipped"
    page.screenshot(path=str(artifacts / "run-01-ran.png"))

    # A node's row opens on its input and output.
    page.get_by_test_id("run-row-score").click()
    output = page.get_by_test_id("run-output-score").inner_text()
    assert '"score": 85' in output
    assert '"budget": 40' in page.get_by_test_id("run-input-score").inner_text()
    page.get_by_test_id("pin-score").click()
    page.get_by_test_id("pin-score").filter(has_text="Unpin").wait_for()
    page.screenshot(path=str(artifacts / "run-02-pinned.png"))

    # Re-run from "route": everything upstream of it is pinned to the last run's outputs.
    page.get_by_test_id("run-row-route").click()
    page.get_by_test_id("rerun-route").click()
    for node_id in ("hook", "points", "score"):
        _wait_badge(page, node_id, "pinned")
    _wait_badge(page, "route", "ran ok")
    _wait_badge(page, "reply", "ran ok")
    assert '"tier": "hot"' in page.get_by_test_id("run-output").inner_text()
    page.screenshot(path=str(artifacts / "run-03-rerun.png"))
    page.get_by_test_id("save").click()  # leaving with unsaved changes would ask first
    page.get_by_test_id("save-confirm").click()
    page.get_by_test_id("unsaved").wait_for(state="detached")

    # The sample input is remembered for this graph in the browser: a new tab (a fresh
    # server-side session) opening the same graph finds it.
    other = context.new_page()
    other.goto(page.url)
    other.wait_for_function(HYDRATED, timeout=60_000)
    other.get_by_test_id("open-run").click()
    other.wait_for_function(
        "() => document.querySelector('[data-testid=run-input]')?.value.includes('ada@example')",
        timeout=30_000,
    )
    other.close()
    assert errors == []
    context.close()
