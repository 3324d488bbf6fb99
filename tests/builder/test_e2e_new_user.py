"""A new user's whole path, in headless Chromium with real mouse and keyboard, against the real
service: log in, create a graph, build webhook -> set -> switch -> two replies from the palette,
have a wrong connection refused, configure every node in the inspector (and see a validation
error come and go), test-run it in the Run panel, save, deploy, create an API key, call the
endpoint on both routes with curl, and reload to find the graph as it was left.

Screenshots of each key step go to ``artifacts/new-user/``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from builder import routes
from tests.builder.session import (
    HYDRATED,
    connect,
    create_api_key,
    drop,
    handle,
    log_in,
    new_graph,
    open_node,
    retype,
    save,
    wait_status,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

SHOTS = "new-user"
NODES = ["webhook_1", "set_1", "switch_1", "respond_1", "respond_2"]
TIER = "{{ (input.body.score >= `50` && 'high') || 'low' }}"
HIGH = {"route": "high"}
LOW = {"route": "low"}


def _shot(page: Any, artifacts: Path, name: str) -> None:
    folder = artifacts / SHOTS
    folder.mkdir(exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"))


@pytest.fixture
def page(browser: Any, artifacts: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh tab; if the test fails, its last screen is saved as ``failed.png``."""
    tab = browser.new_page(viewport={"width": 1440, "height": 900})
    failures = request.session.testsfailed
    try:
        yield tab
    finally:
        if request.session.testsfailed > failures or sys.exc_info()[0] is not None:
            _shot(tab, artifacts, "failed")
        tab.close()


def _counts(page: Any, text: str) -> None:
    page.wait_for_function(
        "(want) => document.querySelector('[data-testid=graph-counts]')?.textContent === want",
        arg=text,
        timeout=10_000,
    )


def _settled(page: Any, test_id: str, value: str) -> None:
    """The field shows ``value`` (what was typed, after the form's debounce round trip)."""
    page.wait_for_function(
        '([id, want]) => document.querySelector(`[data-testid="${id}"]`)?.value === want',
        arg=[test_id, value],
        timeout=10_000,
    )


def _set_json(page: Any, test_id: str, value: Any) -> None:
    """Replace a JSON box's text with ``value``, typed."""
    retype(page, test_id, json.dumps(value))
    page.wait_for_function(
        "([id, want]) => { try { return JSON.stringify(JSON.parse(document.querySelector("
        '`[data-testid="${id}"]`).value)) === want } catch { return false } }',
        arg=[test_id, json.dumps(value, separators=(",", ":"))],
        timeout=10_000,
    )


def _call(url: str, key: str, body: Any) -> tuple[int, Any]:
    """POST ``body`` to the endpoint with the key: with curl when the machine has it."""
    payload = json.dumps(body)
    curl = shutil.which("curl")
    if curl is None:
        answer = httpx.post(
            url, content=payload, headers={"X-API-Key": key, "Content-Type": "application/json"},
            trust_env=False, timeout=30,
        )  # fmt: skip
        return answer.status_code, answer.json()
    done = subprocess.run(
        [
            curl, "--silent", "--show-error", "--noproxy", "*", "--max-time", "30",
            "--write-out", "\n%{http_code}",
            "-X", "POST", url,
            "-H", f"X-API-Key: {key}",
            "-H", "Content-Type: application/json",
            "--data", payload,
        ],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    text, _, status = done.stdout.rpartition("\n")
    return int(status), json.loads(text)


def _inspect(page: Any, node_id: str) -> None:
    """Open ``node_id`` in the inspector, closing the panel first: on a narrow canvas the open
    panel may cover the node to click."""
    close = page.get_by_test_id("inspector-close")
    if close.count():
        close.click()
        page.get_by_test_id("inspector").wait_for(state="detached")
    open_node(page, node_id)


def _configure_respond(page: Any, node_id: str, body: dict[str, Any]) -> None:
    _inspect(page, node_id)
    retype(page, "input-status", "200")
    _settled(page, "input-status", "200")
    if page.get_by_test_id("remove-headers[0]").count():
        page.get_by_test_id("remove-headers[0]").click()
        page.get_by_test_id("row-headers[0]").wait_for(state="detached")
    _set_json(page, "input-body", body)


def test_new_user_builds_runs_deploys_and_calls_a_graph(
    service: Any, builder_app: Any, page: Any, artifacts: Path
) -> None:
    base = builder_app.frontend_url.rstrip("/")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # 1. Log in, create a graph from the Graphs page: the editor opens on an empty canvas.
    log_in(page, base, service)
    _shot(page, artifacts, "01-graphs")
    graph_id = new_graph(page, base, "Score router")
    assert graph_id.startswith("score_router_")
    _counts(page, "0 nodes · 0 edges")
    assert page.locator(".react-flow__node").count() == 0
    expect(page.get_by_test_id("doc-version")).to_have_text("v1")
    _shot(page, artifacts, "02-empty-editor")

    # 2. Five nodes dragged from the palette. Nothing is connected yet, so the badges of the
    #    nodes with a required input show an error, and its reason.
    drop(page, "trigger.webhook", 110, 200, "webhook_1")
    drop(page, "transform.set", 310, 200, "set_1")
    drop(page, "logic.switch", 510, 200, "switch_1")
    drop(page, "http.respond", 730, 80, "respond_1")
    drop(page, "http.respond", 730, 340, "respond_2")
    _counts(page, "5 nodes · 0 edges")
    for node_id in NODES[1:]:
        wait_status(page, node_id, "error")
    reason = page.get_by_test_id("status-respond_1").get_attribute("title") or ""
    assert "required input 'in' is not connected" in reason, reason
    _shot(page, artifacts, "03-dropped")

    # 3a. Webhook -> Set fields -> Switch, with the mouse: their errors go away.
    connect(page, "webhook_1", "out", "set_1", "in")
    _counts(page, "5 nodes · 1 edges")
    connect(page, "set_1", "out", "switch_1", "in")
    _counts(page, "5 nodes · 2 edges")
    wait_status(page, "set_1", "valid")
    wait_status(page, "switch_1", "valid")
    _shot(page, artifacts, "04-chained")

    # 3b. The switch routes on the tier: two cases, "high" and "low", no fallback. While a
    #     case key is empty the switch shows an error, under the field and on its badge.
    _inspect(page, "switch_1")
    retype(page, "input-value", "{{ input.tier }}")
    _settled(page, "input-value", "{{ input.tier }}")
    retype(page, "input-cases[0].key", "x")
    page.keyboard.press("Backspace")
    error = page.get_by_test_id("error-cases[0].key")
    error.wait_for(timeout=10_000)
    assert "should match pattern" in error.inner_text()
    wait_status(page, "switch_1", "error")
    _shot(page, artifacts, "05-validation-error")
    page.keyboard.type("high")
    error.wait_for(state="detached", timeout=10_000)
    wait_status(page, "switch_1", "valid")
    retype(page, "input-cases[0].label", "High")
    retype(page, "input-cases[0].value", "high")
    retype(page, "input-cases[1].key", "low")
    retype(page, "input-cases[1].label", "Low")
    retype(page, "input-cases[1].value", "low")
    _settled(page, "input-cases[1].value", "low")
    fallback = page.get_by_test_id("input-fallback")
    if fallback.get_attribute("data-state") == "checked":
        fallback.click()
    expect(fallback).to_have_attribute("data-state", "unchecked")
    handle(page, "switch_1", "source", "low").wait_for()
    handle(page, "switch_1", "source", "fallback").wait_for(state="detached")
    wait_status(page, "switch_1", "valid")
    _shot(page, artifacts, "06-switch-configured")

    # 3c. Its two case outputs to the two replies; their errors go away once connected.
    page.get_by_test_id("inspector-close").click()
    page.get_by_test_id("inspector").wait_for(state="detached")
    connect(page, "switch_1", "high", "respond_1", "in")
    _counts(page, "5 nodes · 3 edges")
    wait_status(page, "respond_1", "valid")
    assert page.get_by_test_id("status-respond_2").inner_text() == "error"
    connect(page, "switch_1", "low", "respond_2", "in")
    _counts(page, "5 nodes · 4 edges")
    wait_status(page, "respond_2", "valid")
    assert page.locator(".react-flow__edge").count() == 4
    _shot(page, artifacts, "07-connected")

    # 4. A connection whose types do not fit is refused, and the notice says why: Format
    #    JSON's output is a string, Set fields' input an object. Then the stray node goes.
    drop(page, "transform.json_format", 60, 440, "json_format_1")
    connect(page, "json_format_1", "out", "set_1", "in")
    notice = page.get_by_test_id("notice-text")
    notice.wait_for(timeout=10_000)
    text = notice.inner_text()
    for part in ("json_format_1", "'out'", "string", "set_1", "'in'", "object"):
        assert part in text, text
    assert page.locator(".react-flow__edge").count() == 4
    _shot(page, artifacts, "08-refused")
    page.locator('[data-testid="canvas-node-json_format_1"] > div').first.click()
    page.keyboard.press("Delete")
    _counts(page, "5 nodes · 4 edges")

    # 5. Configure: Set fields computes the tier from the request body's score; each reply
    #    returns its own JSON body with status 200.
    _inspect(page, "set_1")
    retype(page, "input-fields[0].path", "tier")
    retype(page, "input-fields[0].value", TIER)
    _settled(page, "input-fields[0].value", TIER)
    _settled(page, "input-fields[0].path", "tier")
    wait_status(page, "set_1", "valid")
    _configure_respond(page, "respond_1", HIGH)
    _configure_respond(page, "respond_2", LOW)
    for node_id in NODES:
        wait_status(page, node_id, "valid")
    _shot(page, artifacts, "09-configured")

    # 6. The Run panel: a sample request with a high score runs every node on the high route.
    page.get_by_test_id("inspector-close").click()
    page.get_by_test_id("open-run").click()
    box = page.get_by_test_id("run-input")
    box.click()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type(json.dumps({"method": "POST", "body": {"score": 80}}))
    page.get_by_test_id("run-input-error").wait_for(state="detached")
    page.get_by_test_id("run-graph").click()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=run-summary]')?.textContent"
        ".startsWith('succeeded')",
        timeout=30_000,
    )
    for node_id in ("webhook_1", "set_1", "switch_1", "respond_1"):
        wait_status(page, node_id, "ran ok", timeout=30_000)
    wait_status(page, "respond_2", "skipped")
    assert '"route": "high"' in page.get_by_test_id("run-output").inner_text()
    for node_id in ("webhook_1", "set_1", "switch_1", "respond_1"):
        assert "ok" in page.get_by_test_id(f"run-row-{node_id}").inner_text()
    page.get_by_test_id("run-row-set_1").click()
    assert '"tier": "high"' in page.get_by_test_id("run-output-set_1").inner_text()
    page.get_by_test_id("run-row-respond_1").click()
    assert '"route": "high"' in page.get_by_test_id("run-output-respond_1").inner_text()
    _shot(page, artifacts, "10-ran")

    # 7. Save with a message, deploy the saved version.
    save(page, "Route by score")
    expect(page.get_by_test_id("doc-version")).to_have_text("v2")
    assert page.get_by_test_id("unsaved").count() == 0
    page.get_by_test_id("open-deploy").click()
    page.get_by_test_id("deploy-slug").wait_for()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=deploy-slug]')?.value === 'score-router'"
    )
    expect(page.get_by_test_id("deploy")).to_have_text("Deploy version 2")
    page.get_by_test_id("deploy").click()
    url_box = page.get_by_test_id("deploy-url")
    url_box.wait_for(timeout=30_000)
    url = url_box.inner_text()
    assert url == f"{service.url}/t/{service.tenant}/score-router"
    expect(page.get_by_test_id("deployed-version")).to_have_text("serving version 2")
    _shot(page, artifacts, "11-deployed")

    # 8. An API key from Settings, shown once; curl the endpoint on both routes with it.
    key = create_api_key(
        page, service, "new user curl", shot=lambda: _shot(page, artifacts, "12-key")
    )
    assert _call(url, key, {"score": 91}) == (200, HIGH)
    assert _call(url, key, {"score": 12}) == (200, LOW)

    # 9. Back to the editor and reload: the same nodes, edges and configured values.
    page.goto(base + routes.editor(graph_id))
    page.wait_for_selector('[data-testid="canvas-node-respond_2"]', timeout=60_000)
    page.reload()
    page.wait_for_selector('[data-testid="canvas-node-respond_2"]', timeout=60_000)
    page.wait_for_function(HYDRATED, timeout=60_000)
    _counts(page, "5 nodes · 4 edges")
    ids = page.locator(".react-flow__node").evaluate_all("els => els.map(e => e.dataset.id)")
    assert sorted(ids) == sorted(NODES)
    assert page.locator(".react-flow__edge").count() == 4
    expect(page.get_by_test_id("doc-version")).to_have_text("v2")
    _inspect(page, "set_1")
    assert page.get_by_test_id("input-fields[0].path").input_value() == "tier"
    assert page.get_by_test_id("input-fields[0].value").input_value() == TIER
    _inspect(page, "switch_1")
    assert page.get_by_test_id("input-value").input_value() == "{{ input.tier }}"
    assert page.get_by_test_id("input-cases[0].key").input_value() == "high"
    assert page.get_by_test_id("input-cases[1].key").input_value() == "low"
    _inspect(page, "respond_2")
    assert json.loads(page.get_by_test_id("input-body").input_value()) == LOW
    for node_id in NODES:
        wait_status(page, node_id, "valid")
    _shot(page, artifacts, "13-reloaded")
    assert not errors, errors
