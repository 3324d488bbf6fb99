"""The builder in real headless Chromium: palette drops, wiring, refusals, and drag traffic.

One browser session (logged in to the real service, on a new graph) walks the main editing
path the way a person would (HTML5 drag from the palette, mouse-drawn connections, dragging a
node) and counts what crosses the websocket.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.builder.session import center as _center
from tests.builder.session import connect as _connect
from tests.builder.session import drop as _drop
from tests.builder.session import handle as _handle
from tests.builder.session import log_in, new_graph
from tests.builder.session import mouse_drag as _mouse_drag

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

EVENT_FRAME = '"event"'


class Frames:
    """Reflex event frames on the app's websocket (Socket.IO over ``/_event``)."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.received: list[str] = []

    def attach(self, ws: Any) -> None:
        if "/_event" not in ws.url:
            return
        ws.on("framesent", lambda payload: self._keep(self.sent, payload))
        ws.on("framereceived", lambda payload: self._keep(self.received, payload))

    @staticmethod
    def _keep(into: list[str], payload: Any) -> None:
        text = payload if isinstance(payload, str) else payload.decode("utf-8", "replace")
        if EVENT_FRAME in text:
            into.append(text)


def test_editor_drop_connect_refuse_and_drag(
    service: Any, builder_app: Any, browser: Any, artifacts: Path
) -> None:
    frames = Frames()
    page = browser.new_page(viewport={"width": 1400, "height": 850})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("websocket", frames.attach)
    base = builder_app.frontend_url.rstrip("/")
    log_in(page, base, service)
    new_graph(page, base, "Editor e2e")
    page.wait_for_selector(".react-flow__pane", timeout=60_000)
    # The canvas is interactive once hydrated (React Flow's onInit ran) and the event socket
    # has answered the initial hydrate event.
    page.wait_for_function("() => window.__auterityFlow !== undefined", timeout=60_000)
    deadline_ms = 30_000
    waited = 0
    while not frames.received and waited < deadline_ms:
        page.wait_for_timeout(100)
        waited += 100
    assert frames.received, "the event websocket never answered"

    # 1. Two nodes from the palette, by HTML5 drag and drop.
    _drop(page, "trigger.webhook", 200, 200)
    page.wait_for_selector('[data-testid="canvas-node-webhook_1"]')
    _drop(page, "transform.set", 560, 260)
    page.wait_for_selector('[data-testid="canvas-node-set_1"]')
    assert page.locator(".react-flow__node").count() == 2

    # 2. Wire them with the mouse: webhook.out (object) -> set.in (object).
    _connect(page, "webhook_1", "out", "set_1", "in")
    page.wait_for_selector(".react-flow__edge", timeout=10_000)
    assert page.locator(".react-flow__edge").count() == 1
    page.wait_for_function(
        "() => document.querySelector('[data-testid=graph-counts]')?.textContent"
        ".includes('1 edges')"
    )
    page.wait_for_function(
        "() => document.querySelector('[data-testid=status-set_1]')?.textContent === 'valid'"
    )
    page.screenshot(path=str(artifacts / "01-connected.png"))

    # 3. An incompatible connection is refused, and the reason names both ports and types.
    _drop(page, "transform.json_format", 200, 460)
    page.wait_for_selector('[data-testid="canvas-node-json_format_1"]')
    _connect(page, "json_format_1", "out", "set_1", "in")
    notice = page.get_by_test_id("notice-text")
    notice.wait_for(timeout=10_000)
    text = notice.inner_text()
    for part in ("json_format_1", "'out'", "string", "set_1", "'in'", "object"):
        assert part in text, text
    assert page.locator(".react-flow__edge").count() == 1
    page.screenshot(path=str(artifacts / "02-refused.png"))

    # 4. Dragging a node costs a couple of frames, not one per mouse move.
    node = page.locator('.react-flow__node[data-id="json_format_1"]')
    before = node.bounding_box()
    assert before is not None
    page.wait_for_timeout(300)
    sent_before, received_before = len(frames.sent), len(frames.received)
    header = page.locator('[data-testid="canvas-node-json_format_1"] > div').first
    start = _center(header)
    moves = 40
    _mouse_drag(page, start, (start[0] + 240, start[1] + 90), steps=moves)
    page.wait_for_timeout(800)
    sent = frames.sent[sent_before:]
    received = frames.received[received_before:]
    after = node.bounding_box()
    assert after is not None
    assert after["x"] - before["x"] == pytest.approx(240, abs=16)
    assert after["y"] - before["y"] == pytest.approx(90, abs=16)
    assert 1 <= len(sent) <= 3, sent
    assert any('"position"' in f and '"dragging":false' in f for f in sent), sent
    assert not any('"dragging":true' in f for f in sent), sent
    page.screenshot(path=str(artifacts / "03-dragged.png"))
    (artifacts / "drag-frames.json").write_text(
        json.dumps(
            {"mouse_moves": moves, "sent": len(sent), "received": len(received), "frames": sent},
            indent=2,
        ),
        encoding="utf-8",
    )

    # 5. The server kept the drag-stop position: a reload renders the node where it was left.
    page.reload()
    page.wait_for_selector('[data-testid="canvas-node-json_format_1"]', timeout=60_000)
    page.wait_for_function("() => window.__auterityFlow !== undefined")
    reloaded = page.locator('.react-flow__node[data-id="json_format_1"]').bounding_box()
    assert reloaded is not None
    assert reloaded["x"] == pytest.approx(after["x"], abs=2)
    assert reloaded["y"] == pytest.approx(after["y"], abs=2)
    page.screenshot(path=str(artifacts / "04-reloaded.png"))
    assert errors == []
    page.close()


def _open_editor(browser: Any, url: str, service: Any) -> Any:
    """A fresh tab, logged in, on a new (empty) graph."""
    page = browser.new_page(viewport={"width": 1400, "height": 850})
    base = url.rstrip("/")
    log_in(page, base, service)
    new_graph(page, base, "Palette e2e")
    page.wait_for_function("() => window.__auterityFlow !== undefined", timeout=60_000)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=graph-counts]')?.textContent"
        ".startsWith('0 nodes')"
    )
    return page


def test_palette_search_click_to_add_and_open_example(
    service: Any, builder_app: Any, browser: Any, artifacts: Path
) -> None:
    page = _open_editor(browser, builder_app.frontend_url, service)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # Search narrows the palette to matching types (and hides empty categories).
    page.get_by_test_id("palette-search").fill("json")
    page.get_by_test_id("palette-trigger.webhook").wait_for(state="hidden")
    assert page.get_by_test_id("palette-transform.json_parse").is_visible()
    assert page.get_by_test_id("palette-transform.json_format").is_visible()

    # A click adds the node in the middle of the visible canvas.
    page.get_by_test_id("palette-transform.json_parse").click()
    node = page.locator('.react-flow__node[data-id="json_parse_1"]')
    node.wait_for()
    pane_x, pane_y = _center(page.locator(".react-flow__pane"))
    node_x, node_y = _center(node)
    assert abs(node_x - pane_x) < 60
    assert abs(node_y - pane_y) < 120
    page.screenshot(path=str(artifacts / "05-click-to-add.png"))

    # An example opens with every node valid, its ports drawn, and the view fitted to it.
    page.get_by_test_id("open-example").click()
    page.get_by_role("option", name="lead-scoring").click()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=graph-counts]')?.textContent"
        " === '9 nodes · 10 edges'"
    )
    page.wait_for_selector(".react-flow__edge >> nth=9")
    statuses = page.locator(".auterity-status").all_inner_texts()
    assert statuses == ["valid"] * 9
    assert _handle(page, "route", "source", "fallback").count() == 1
    assert _handle(page, "join", "target", "in_3").count() == 1
    page.wait_for_timeout(300)
    for node_id in ("hook", "reply"):
        box = page.locator(f'.react-flow__node[data-id="{node_id}"]').bounding_box()
        assert box is not None
        assert 260 <= box["x"] <= 1400, (node_id, box)
    page.screenshot(path=str(artifacts / "06-example.png"))

    # Deleting a node with the keyboard removes its edges too (a merge's inputs are optional,
    # so the graph stays valid).
    page.locator('[data-testid="canvas-node-hot"] > div').first.click()
    page.keyboard.press("Delete")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=graph-counts]')?.textContent"
        " === '8 nodes · 8 edges'"
    )
    assert page.locator('.react-flow__node[data-id="hot"]').count() == 0
    assert page.locator(".react-flow__edge").count() == 8
    assert page.locator(".auterity-status").all_inner_texts() == ["valid"] * 8
    page.screenshot(path=str(artifacts / "07-deleted.png"))
    assert errors == []
    page.close()


def test_palette_keyboard_slash_search_enter_adds(
    service: Any, builder_app: Any, browser: Any, artifacts: Path
) -> None:
    page = _open_editor(browser, builder_app.frontend_url, service)
    page.locator(".react-flow__pane").click()
    page.keyboard.press("/")
    search = page.get_by_test_id("palette-search")
    assert page.evaluate("() => document.activeElement?.dataset?.testid") == "palette-search"
    page.keyboard.type("switch")
    page.get_by_test_id("palette-trigger.webhook").wait_for(state="hidden")
    page.keyboard.press("Enter")
    page.locator('.react-flow__node[data-id="switch_1"]').wait_for()
    # Escape leaves the search; Tab on the canvas opens it again; Enter on a focused item adds.
    search.press("Escape")
    page.locator(".react-flow__pane").click()
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement?.dataset?.testid") == "palette-search"
    search.fill("")
    manual = page.get_by_test_id("palette-trigger.manual")
    manual.wait_for(state="visible")
    manual.focus()
    assert page.evaluate("() => document.activeElement?.dataset?.nodeType") == "trigger.manual"
    page.keyboard.press("Enter")
    page.locator('.react-flow__node[data-id="manual_1"]').wait_for()
    page.screenshot(path=str(artifacts / "08-keyboard-palette.png"))
    page.close()
