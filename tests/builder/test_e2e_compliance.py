"""Compliance in the browser, against the real service: an admin turns HIPAA on in Settings,
imports the patient intake example, sees the HIPAA finding on the ``summary`` node and in the
problems list, and opens the report, which says the rule failed at ``summary`` and how to fix
it. Screenshots land in the artifacts directory.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from builder import routes
from tests.builder.session import HYDRATED, log_in, wait_for_path, wait_status

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
