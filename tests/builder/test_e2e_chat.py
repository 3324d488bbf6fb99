"""The Assistant panel in headless Chromium against the real service (no AI provider, so the
service answers with the closest bundled template and says so): a proposal is previewed as
a diff on the canvas, Discard leaves the canvas empty, Accept applies it as one undo step,
and the conversation is listed again after a reload."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.builder.session import HYDRATED, log_in, new_graph

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

ASK = "when a dealership lead arrives, score it and text hot leads to sales"
PROVIDER_VARS = ("AUTERITY_AI_PROVIDERS", "OPENAI_API_KEY", "ANTHROPIC_API_KEY")


@pytest.fixture(scope="module")
def no_provider() -> Iterator[None]:
    """The service must answer from its templates, never from a real provider."""
    saved = {k: os.environ.pop(k) for k in PROVIDER_VARS if k in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


def _counts(page: Any, text: str) -> None:
    page.wait_for_function(
        "(want) => document.querySelector('[data-testid=graph-counts]')?.textContent === want",
        arg=text,
        timeout=30_000,
    )


def _send(page: Any) -> None:
    box = page.get_by_test_id("chat-input")
    box.fill(ASK)
    box.press("Enter")  # Enter sends


def test_chat_previews_discards_accepts_and_keeps_the_conversation(
    no_provider: None, service: Any, builder_app: Any, browser: Any, artifacts: Path
) -> None:
    shots = artifacts / "chat"
    shots.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1500, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    base = builder_app.frontend_url.rstrip("/")
    log_in(page, base, service)
    new_graph(page, base, "Assistant e2e")
    _counts(page, "0 nodes · 0 edges")

    page.get_by_test_id("open-chat").click()
    page.get_by_test_id("chat-panel").wait_for()
    page.get_by_test_id("chat-industry").click()
    page.get_by_role("option", name="automotive").click()
    _send(page)

    # The answer, and the proposal drawn over the (still empty) canvas.
    assistant = page.locator("[data-testid=chat-message][data-role=assistant]")
    assistant.first.wait_for(timeout=60_000)
    assert "closest bundled template" in assistant.first.inner_text()
    assert page.get_by_test_id("chat-industry").inner_text() == "automotive"
    page.get_by_test_id("proposal-bar").wait_for()
    added = page.locator(".auterity-node[data-diff=added]")
    added.first.wait_for()
    proposed = added.count()
    assert proposed >= 3
    assert page.locator(".auterity-node").count() == proposed  # nothing else is drawn
    assert page.get_by_test_id("proposal-summary").inner_text() == (
        f"Proposal: {proposed} nodes: {proposed} added"
    )
    _counts(page, "0 nodes · 0 edges")  # the canvas itself is untouched
    page.screenshot(path=str(shots / "chat-01-preview.png"))

    # Discard: the canvas is exactly as it was (empty).
    page.get_by_test_id("proposal-discard").click()
    page.get_by_test_id("proposal-bar").wait_for(state="detached")
    page.wait_for_function("() => document.querySelectorAll('.auterity-node').length === 0")
    page.screenshot(path=str(shots / "chat-02-discarded.png"))

    # Ask again and accept: the nodes are on the canvas, plain and valid.
    _send(page)
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=chat-message][data-role=assistant]')"
        ".length === 2",
        timeout=60_000,
    )
    page.get_by_test_id("proposal-accept").click()
    page.get_by_test_id("proposal-bar").wait_for(state="detached")
    page.wait_for_function(
        "(n) => document.querySelectorAll('.auterity-node:not([data-diff])').length === n",
        arg=proposed,
    )
    page.wait_for_function(
        "(n) => [...document.querySelectorAll('.auterity-status')]"
        ".filter((b) => b.textContent === 'valid').length === n",
        arg=proposed,
    )
    assert page.get_by_test_id("graph-counts").inner_text().startswith(f"{proposed} nodes")
    page.screenshot(path=str(shots / "chat-03-accepted.png"))

    # One undo step brings the empty canvas back.
    page.keyboard.press("Control+z")
    _counts(page, "0 nodes · 0 edges")
    page.wait_for_function("() => document.querySelectorAll('.auterity-node').length === 0")

    # The conversation is saved by the service: after a reload it is listed.
    page.reload()
    page.wait_for_function(HYDRATED, timeout=60_000)
    page.get_by_test_id("open-chat").click()
    title = page.get_by_test_id("chat-title")
    title.first.wait_for(timeout=30_000)
    assert title.first.inner_text() == ASK
    title.first.click()
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=chat-message]').length === 4"
    )
    page.screenshot(path=str(shots / "chat-04-reloaded.png"))
    assert errors == []
    context.close()
