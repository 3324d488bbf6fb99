"""Compliance in the browser, against the real service: an admin turns HIPAA on in Settings,
imports the patient intake example, sees the HIPAA finding on the ``summary`` node and in the
problems list, and opens the report, which says the rule failed at ``summary`` and how to fix
it; the workspace's Compliance page says so too, next to the verified audit chain. Then the
finding follows edits on the canvas, with nothing saved and no panel opened: wiring a
redaction node in front of the model clears it, undo brings it back. Screenshots land in the
artifacts directory.
"""

from __future__ import annotations

import json
import re
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
    center,
    connect,
    drop,
    handle,
    log_in,
    mouse_drag,
    wait_for_path,
    wait_status,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "patient-intake.graph.json"
RULE = "HIPAA-PHI-LLM-BAA"
SHOTS = "compliance"


def _shot(page: Any, artifacts: Path, name: str) -> None:
    folder = artifacts / SHOTS
    folder.mkdir(exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"))


@pytest.fixture
def page(browser: Any, artifacts: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    tab = browser.new_page(viewport={"width": 1366, "height": 860})
    failures = request.session.testsfailed
    try:
        yield tab
    finally:
        if request.session.testsfailed > failures or sys.exc_info()[0] is not None:
            _shot(tab, artifacts, f"failed-{request.node.name}")
        tab.close()


def test_hipaa_findings_on_the_canvas_and_in_the_report(
    service: Any, builder_app: Any, page: Any, artifacts: Path
) -> None:
    base = builder_app.frontend_url.rstrip("/")
    log_in(page, base, service)

    # 1. Settings: leave the industry preset (automotive: PCI and GDPR), choose HIPAA only.
    page.get_by_test_id("nav-settings").click()
    wait_for_path(page, routes.SETTINGS)
    section = page.get_by_test_id("compliance-packs")
    section.wait_for(timeout=30_000)
    preset = page.get_by_test_id("packs-preset")
    expect(preset).to_have_attribute("data-state", "checked")
    preset.click()
    for pack, on in (("hipaa", True), ("pci", False), ("gdpr", False), ("soc2", False)):
        box = page.get_by_test_id(f"pack-{pack}")
        expect(box).to_be_enabled()
        if (box.get_attribute("data-state") == "checked") != on:
            box.click()
    page.get_by_test_id("packs-save").click()
    page.get_by_text("Compliance packs saved (HIPAA)").wait_for(timeout=30_000)
    _shot(page, artifacts, "01-settings")

    # 2. Import the example; it opens in the editor and the service's finding is on `summary`.
    page.get_by_test_id("nav-graphs").click()
    wait_for_path(page, routes.GRAPHS)
    page.locator("input[type=file]").set_input_files(str(EXAMPLE))
    page.wait_for_url(re.compile(r"/graphs/patient-intake/?$"), timeout=30_000)
    page.wait_for_selector('[data-testid="canvas-node-summary"]', timeout=30_000)
    page.wait_for_function(HYDRATED)
    wait_status(page, "summary", "error", timeout=30_000)
    page.get_by_test_id("problems-button").click()
    row = page.locator('[data-testid=problem-row][data-node="summary"]', has_text=RULE)
    row.wait_for()
    expect(row).to_have_attribute("data-severity", "error")
    _shot(page, artifacts, "02-problem-on-summary")

    # 3. The problem links to the report: the rule failed, at `summary`, with the remedy.
    row.get_by_test_id("problem-report").click()
    panel = page.get_by_test_id("compliance-panel")
    panel.wait_for()
    rule = panel.locator(f'[data-testid=compliance-rule][data-rule="{RULE}"]')
    rule.wait_for(timeout=30_000)
    expect(rule).to_have_attribute("data-status", "failed")
    expect(rule.get_by_test_id("rule-status")).to_have_text("failed")
    expect(rule.get_by_test_id("finding-node")).to_have_text("summary")
    expect(rule).to_contain_text("HIPAA")
    expect(page.get_by_test_id("compliance-summary")).to_contain_text("HIPAA: 1 failed")
    # Passed rules are listed too, after the failures.
    expect(
        panel.locator('[data-testid=compliance-rule][data-status="passed"]').first
    ).to_be_visible()
    _shot(page, artifacts, "03-report")

    # 4. The toolbar's Compliance button closes and reopens the same report.
    page.get_by_test_id("open-compliance").click()
    expect(panel).to_have_count(0)
    page.get_by_test_id("open-compliance").click()
    page.get_by_test_id("compliance-panel").locator(
        f'[data-rule="{RULE}"][data-status="failed"]'
    ).wait_for(timeout=30_000)

    # 5. The workspace's report: the example's one version fails HIPAA at `summary` (a link
    #    into the editor), with the remedy, and the audit chain verifies.
    page.get_by_test_id("nav-compliance").click()
    wait_for_path(page, routes.COMPLIANCE)
    version = page.locator('[data-testid=report-version][data-graph="patient-intake"]')
    version.wait_for(timeout=30_000)
    expect(version).to_have_attribute("data-status", "failed")
    expect(version).to_have_attribute("data-version", "1")
    expect(version).to_contain_text("head")
    failed = version.locator(f'[data-testid=report-rule][data-rule="{RULE}"]')
    expect(failed.get_by_test_id("report-status")).to_have_text("failed")
    expect(failed).to_contain_text("Redact")
    expect(page.get_by_test_id("report-summary")).to_contain_text("HIPAA over")
    audit = page.get_by_test_id("report-audit")
    expect(audit).to_have_attribute("data-intact", "yes")
    expect(audit).to_contain_text("hash chain verified")
    _shot(page, artifacts, "04-workspace-report")
    failed.get_by_test_id("report-node").click()
    page.wait_for_url(re.compile(r"/graphs/patient-intake/?$"), timeout=30_000)
    page.wait_for_selector('[data-testid="canvas-node-summary"]', timeout=30_000)


# --- findings that follow edits ---------------------------------------------------------------

LIVE_GRAPH = "patient-intake-live"


def _hipaa_only_with_the_example(service: Any) -> None:
    """Through the service's API (the Settings page is covered above): HIPAA alone, and the
    example saved under its own id."""
    with httpx.Client(base_url=service.url + "/api/v1", timeout=30) as api:
        login = api.post(
            "/auth/login",
            json={"tenant": service.tenant, "email": service.email, "password": service.password},
        )
        assert login.status_code == 200, login.text
        api.headers["Authorization"] = f"Bearer {login.json()['token']}"
        settings = api.get("/settings").json()
        settings["compliance_packs"] = ["hipaa"]
        assert api.put("/settings", json=settings).status_code == 200
        graph = {**json.loads(EXAMPLE.read_text()), "id": LIVE_GRAPH}
        created = api.post("/graphs", json={"graph": graph, "message": "live findings e2e"})
        assert created.status_code == 201, created.text


def _finding(page: Any) -> Any:
    return page.locator('[data-testid=problem-row][data-node="summary"]', has_text=RULE)


def _delete_edge_into(page: Any, edge_id: str, target: str) -> None:
    """Click the edge just before the target's input handle, then Backspace."""
    x, y = center(handle(page, target, "target", "in"))
    page.mouse.click(x - 14, y)
    edge = page.get_by_test_id(f"rf__edge-{edge_id}")
    expect(edge).to_have_class(re.compile(r"\bselected\b"))
    page.keyboard.press("Backspace")
    edge.wait_for(state="detached")


def test_findings_follow_edits_without_saving(
    service: Any, builder_app: Any, page: Any, artifacts: Path
) -> None:
    _hipaa_only_with_the_example(service)
    base = builder_app.frontend_url.rstrip("/")
    log_in(page, base, service)
    page.goto(base + routes.editor(LIVE_GRAPH))
    page.wait_for_selector('[data-testid="canvas-node-summary"]', timeout=30_000)
    page.wait_for_function(HYDRATED)
    wait_status(page, "summary", "error", timeout=30_000)
    page.get_by_test_id("problems-button").click()
    _finding(page).wait_for()
    node_problems = page.get_by_test_id("node-problems-summary")
    expect(node_problems).to_contain_text("PHI")

    # 1. A redaction node dropped below the trigger and fed by it: the model still gets PHI.
    pane = page.locator(".react-flow__pane").bounding_box()
    intake = page.get_by_test_id("canvas-node-intake").bounding_box()
    assert pane is not None
    assert intake is not None
    x = intake["x"] + intake["width"] / 2 - pane["x"]
    y = min(intake["y"] + intake["height"] + 140 - pane["y"], pane["height"] - 60)
    drop(page, "compliance.redact", int(x), int(y), "redact_1")
    connect(page, "intake", "out", "redact_1", "in")
    page.get_by_test_id("rf__edge-intake.out->redact_1.in").wait_for()
    expect(_finding(page)).to_have_count(1)

    # 2. The model dragged down (its short edge is all under the edge's problem label): a
    # move, which the packs do not read; the finding stays.
    header = page.locator('[data-testid="canvas-node-summary"] > div').first
    start = center(header)
    mouse_drag(page, start, (start[0], start[1] + 170), steps=10)
    page.wait_for_function(
        "(y) => document.querySelector('[data-testid=canvas-node-summary]')"
        ".getBoundingClientRect().top > y",
        arg=start[1] + 100,
    )
    expect(_finding(page)).to_have_count(1)
    _shot(page, artifacts, "09-redaction-node-added")

    # 3. The edge from the trigger into the model deleted: the finding goes (the node now
    # lacks its input instead), with nothing saved and no compliance panel opened.
    _delete_edge_into(page, "intake.out->summary.in", "summary")
    expect(_finding(page)).to_have_count(0)
    expect(node_problems).not_to_contain_text("PHI")
    expect(node_problems).to_contain_text("required input 'in' is not connected")

    # 4. The redaction node wired into the model: its badge turns from error to valid.
    connect(page, "redact_1", "out", "summary", "in")
    page.get_by_test_id("rf__edge-redact_1.out->summary.in").wait_for()
    wait_status(page, "summary", "valid")
    expect(page.locator('[data-testid=problem-row][data-node="summary"]')).to_have_count(0)
    _shot(page, artifacts, "10-redacted-live")

    # 5. Undo twice: the trigger feeds the model again, and the finding is back on it.
    page.locator(".react-flow__pane").click(position={"x": 5, "y": 5})
    page.keyboard.press("Control+z")
    page.get_by_test_id("rf__edge-redact_1.out->summary.in").wait_for(state="detached")
    page.keyboard.press("Control+z")
    page.get_by_test_id("rf__edge-intake.out->summary.in").wait_for()
    wait_status(page, "summary", "error")
    _finding(page).wait_for()
    expect(_finding(page)).to_have_attribute("data-severity", "error")
    expect(node_problems).to_contain_text("PHI")
    _shot(page, artifacts, "11-undone-live")

    # 6. Redo both: valid again. Still nothing saved, and the report panel never opened.
    page.keyboard.press("Control+Shift+z")
    page.keyboard.press("Control+Shift+z")
    wait_status(page, "summary", "valid")
    expect(_finding(page)).to_have_count(0)
    expect(page.get_by_test_id("compliance-panel")).to_have_count(0)
    expect(page.get_by_test_id("unsaved")).to_be_visible()
    expect(page.get_by_test_id("doc-version")).to_have_text("v1")
