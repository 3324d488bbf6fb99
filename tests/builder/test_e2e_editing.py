"""Editing in real headless Chromium: multi-select and delete, undo/redo, copy/paste, tidy up,
and validation problems on nodes, edges and in the problems list.

Everything is done with the mouse and keyboard a person would use; the checks read what the
page shows (the header's counts, node boxes, badges) and React Flow's own node positions.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.builder.session import center as _center
from tests.builder.session import connect as _connect
from tests.builder.session import log_in, new_graph
from tests.builder.session import mouse_drag as _mouse_drag

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

COUNTS = "() => document.querySelector('[data-testid=graph-counts]')?.textContent"
TWO_SELECTED = "() => document.querySelectorAll('.react-flow__node.selected').length === 2"


def _open(context: Any, url: str, service: Any, name: str = "Editing e2e") -> Any:
    """A new tab, logged in, on a new empty graph."""
    page = context.new_page()
    base = url.rstrip("/")
    log_in(page, base, service)
    new_graph(page, base, name)
    page.wait_for_function("() => window.__auterityFlow !== undefined", timeout=60_000)
    page.wait_for_function(f"() => ({COUNTS})()?.startsWith('0 nodes')", timeout=30_000)
    return page


def _wait_counts(page: Any, text: str) -> None:
    page.wait_for_function(f"(want) => ({COUNTS})() === want", arg=text, timeout=15_000)


def _node(page: Any, node_id: str) -> Any:
    return page.locator(f'.react-flow__node[data-id="{node_id}"]')


def _header(page: Any, node_id: str) -> Any:
    return page.locator(f'[data-testid="canvas-node-{node_id}"] > div').first


def _box(page: Any, node_id: str) -> dict[str, float]:
    box = _node(page, node_id).bounding_box()
    assert box is not None, node_id
    return dict(box)


def _selected(page: Any) -> list[str]:
    return sorted(
        page.locator(".react-flow__node.selected").evaluate_all(
            "(els) => els.map((e) => e.dataset.id)"
        )
    )


def _flow_state(page: Any) -> dict[str, Any]:
    """React Flow's own nodes (positions as drawn) and edges, read from its instance."""
    return dict(
        page.evaluate(
            """() => ({
                nodes: Object.fromEntries(window.__auterityFlow.getNodes().map(
                    (n) => [n.id, n.position])),
                edges: window.__auterityFlow.getEdges().map((e) => [e.source, e.target]),
            })"""
        )
    )


def _settle(page: Any) -> None:
    """Let the server's answer reach React Flow (one websocket round trip and a render)."""
    page.wait_for_timeout(400)


def test_select_delete_undo_redo_copy_paste_tidy_and_problems(
    service: Any, builder_app: Any, browser: Any, artifacts: Path
) -> None:
    context = browser.new_context(
        viewport={"width": 1400, "height": 850},
        permissions=["clipboard-read", "clipboard-write"],
    )
    page = _open(context, builder_app.frontend_url, service)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # 1. A graph to edit: the lead-scoring example (9 nodes, 10 edges).
    page.get_by_test_id("open-example").click()
    page.get_by_role("option", name="lead-scoring").click()
    _wait_counts(page, "9 nodes · 10 edges")
    page.wait_for_selector(".react-flow__edge >> nth=9")
    _settle(page)
    assert page.get_by_test_id("problem-count").inner_text() == "No problems"
    page.screenshot(path=str(artifacts / "edit-01-example.png"))

    # 2. Shift-click selects two nodes; one Delete removes both and their four edges.
    before = {n: _box(page, n) for n in ("warm", "cold")}
    _header(page, "warm").click()
    _header(page, "cold").click(modifiers=["Shift"])
    page.wait_for_function(TWO_SELECTED)
    assert _selected(page) == ["cold", "warm"]
    page.screenshot(path=str(artifacts / "edit-02-multiselected.png"))
    page.keyboard.press("Delete")
    _wait_counts(page, "7 nodes · 6 edges")
    assert _node(page, "warm").count() == 0
    assert page.locator(".react-flow__edge").count() == 6
    page.screenshot(path=str(artifacts / "edit-03-deleted.png"))

    # 3. Ctrl+Z brings both back, edges included, exactly where they were.
    page.keyboard.press("Control+z")
    _wait_counts(page, "9 nodes · 10 edges")
    page.wait_for_selector(".react-flow__edge >> nth=9")
    _settle(page)
    for node_id, box in before.items():
        assert _box(page, node_id) == pytest.approx(box, abs=1), node_id
    assert page.locator(".react-flow__edge").count() == 10
    page.screenshot(path=str(artifacts / "edit-04-undone.png"))

    # 4. Redo by keyboard (Ctrl+Shift+Z), undo from the toolbar, redo again with Ctrl+Y.
    page.keyboard.press("Control+Shift+z")
    _wait_counts(page, "7 nodes · 6 edges")
    page.get_by_test_id("undo").click()
    _wait_counts(page, "9 nodes · 10 edges")
    page.keyboard.press("Control+y")
    _wait_counts(page, "7 nodes · 6 edges")
    assert _node(page, "cold").count() == 0
    page.screenshot(path=str(artifacts / "edit-05-redone.png"))

    # 5. A move is undoable too, and the browser's copy of the node follows the server back.
    reply_before = _box(page, "reply")
    start = _center(_header(page, "reply"))
    _mouse_drag(page, start, (start[0], start[1] + 180), steps=15)
    _settle(page)
    assert _box(page, "reply")["y"] == pytest.approx(reply_before["y"] + 180, abs=16)
    page.keyboard.press("Control+z")
    page.wait_for_function(
        "(y) => Math.abs(document.querySelector('.react-flow__node[data-id=reply]')"
        ".getBoundingClientRect().y - y) < 2",
        arg=reply_before["y"],
    )
    assert page.get_by_test_id("redo").is_enabled()

    # 6. Shift-drag draws a selection box around two nodes; Ctrl+C, Ctrl+V pastes copies with
    # new ids, the edge between them, and only the copies selected.
    points, score = _box(page, "points"), _box(page, "score")
    corner = (points["x"] - 12, points["y"] - 12)
    far = (score["x"] + score["width"] + 12, score["y"] + score["height"] + 12)
    page.keyboard.down("Shift")
    _mouse_drag(page, corner, far, steps=10)
    page.keyboard.up("Shift")
    page.wait_for_function(TWO_SELECTED)
    assert _selected(page) == ["points", "score"]
    page.screenshot(path=str(artifacts / "edit-06-box-selected.png"))
    page.keyboard.press("Control+c")
    copied = json.loads(page.evaluate("() => localStorage.getItem('auterity.clipboard')"))
    assert sorted(n["id"] for n in copied["nodes"]) == ["points", "score"]
    assert [(e["source"], e["target"]) for e in copied["edges"]] == [("points", "score")]
    assert json.loads(page.evaluate("() => navigator.clipboard.readText()")) == copied
    page.keyboard.press("Control+v")
    _wait_counts(page, "9 nodes · 7 edges")
    page.wait_for_selector('[data-testid="canvas-node-set_2"]')
    _settle(page)
    assert _selected(page) == ["set_1", "set_2"]
    assert page.get_by_test_id("rf__edge-set_1.out->set_2.in").count() == 1
    assert _box(page, "set_1")["x"] > points["x"]
    assert _box(page, "set_1")["y"] > points["y"]
    page.screenshot(path=str(artifacts / "edit-07-pasted.png"))

    # 7. Tidy up lays everything out left to right: every edge points right.
    untidy = _flow_state(page)
    page.get_by_test_id("tidy-up").click()
    page.wait_for_function(
        "(old) => window.__auterityFlow.getNodes().some((n) =>"
        " Math.abs(n.position.x - old[n.id].x) > 1 || Math.abs(n.position.y - old[n.id].y) > 1)",
        arg=untidy["nodes"],
    )
    _settle(page)
    tidy = _flow_state(page)
    assert len(tidy["edges"]) == 7
    for source, target in tidy["edges"]:
        assert tidy["nodes"][source]["x"] < tidy["nodes"][target]["x"], (source, target)
    moved = [n for n in tidy["nodes"] if tidy["nodes"][n] != untidy["nodes"][n]]
    assert len(moved) >= 4, moved
    # The copies are a part of their own, laid out below the main line.
    assert tidy["nodes"]["set_1"]["y"] > max(tidy["nodes"][n]["y"] for n in ("hook", "reply"))
    page.screenshot(path=str(artifacts / "edit-08-tidied.png"))

    # 8. A cycle between the copies shows up on both edges, coloured, with its message.
    # (A click on the empty pane first drops the selection box that covers the copies.)
    page.locator(".react-flow__pane").click(position={"x": 5, "y": 5})
    page.wait_for_function("() => !document.querySelector('.react-flow__node.selected')")
    _connect(page, "set_2", "out", "set_1", "in")
    _wait_counts(page, "9 nodes · 8 edges")
    cycle_label = page.get_by_test_id("edge-problem-set_2.out->set_1.in")
    cycle_label.wait_for(timeout=10_000)
    assert "cycle" in (cycle_label.get_attribute("title") or "")
    assert page.get_by_test_id("edge-problem-set_1.out->set_2.in").count() == 1
    assert cycle_label.get_attribute("data-severity") == "error"
    page.screenshot(path=str(artifacts / "edit-09-cycle-on-edges.png"))
    page.get_by_test_id("undo").click()
    _wait_counts(page, "9 nodes · 7 edges")
    page.get_by_test_id("edge-problem-set_1.out->set_2.in").wait_for(state="detached")

    # 9. Disconnecting a required input (click the edge, Delete) is an error on the node ...
    edge = page.get_by_test_id("rf__edge-hook.out->points.in")
    edge.locator(".react-flow__edge-interaction").click(force=True)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"rf__edge-hook.out->points.in\"]')"
        "?.classList.contains('selected')"
    )
    page.keyboard.press("Backspace")
    _wait_counts(page, "9 nodes · 6 edges")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=status-points]')?.textContent === 'error'"
    )
    problems = page.get_by_test_id("node-problems-points")
    assert "required input 'in' is not connected" in problems.inner_text()
    count = re.fullmatch(
        r"(\d+) errors? · (\d+) warnings?", page.get_by_test_id("problem-count").inner_text()
    )
    assert count is not None
    assert int(count[1]) >= 2  # points, and the pasted copy of it

    # ... and in the problems list, where clicking it selects the node and centres it.
    page.get_by_test_id("problems-button").click()
    panel = page.get_by_test_id("problems-panel")
    panel.wait_for()
    row = panel.locator('[data-testid="problem-row"][data-node="points"]').first
    assert "required input 'in' is not connected" in row.inner_text()
    assert row.get_attribute("data-severity") == "error"
    severities = panel.locator('[data-testid="problem-row"]').evaluate_all(
        "(els) => els.map((e) => e.dataset.severity)"
    )
    assert severities == sorted(severities, key=["error", "warning", "info"].index)
    page.screenshot(path=str(artifacts / "edit-10-problems.png"))
    pane_x, pane_y = _center(page.locator(".react-flow__pane"))
    away = _center(_node(page, "points"))
    assert abs(away[0] - pane_x) > 100  # the fitted view has it well left of the middle
    row.click()
    page.wait_for_function(
        "() => document.querySelector('.react-flow__node[data-id=points]')"
        "?.classList.contains('selected')"
    )
    page.wait_for_timeout(500)
    assert _selected(page) == ["points"]
    node_x, node_y = _center(_node(page, "points"))
    assert node_x == pytest.approx(pane_x, abs=30)
    assert node_y == pytest.approx(pane_y, abs=30)
    page.screenshot(path=str(artifacts / "edit-11-problem-focused.png"))

    # 10. Another tab (its own, empty graph) pastes the same two nodes from the clipboard.
    other = _open(context, builder_app.frontend_url, service, "Other tab")
    other.locator(".react-flow__pane").click(position={"x": 400, "y": 300})
    other.keyboard.press("Control+v")
    _wait_counts(other, "2 nodes · 1 edges")
    other.wait_for_selector('[data-testid="canvas-node-set_1"]')
    for node_id in ("set_1", "set_2"):
        box = _box(other, node_id)
        assert 260 <= box["x"] <= 1400
        assert 0 <= box["y"] <= 850
    other.screenshot(path=str(artifacts / "edit-12-pasted-in-other-tab.png"))

    # 11. A fragment with a node type this builder does not know is refused, with the reason.
    unknown = {"nodes": [{"id": "x", "type": "acme.teleport", "position": {"x": 0, "y": 0}}]}
    other.evaluate("(text) => navigator.clipboard.writeText(text)", json.dumps(unknown))
    other.keyboard.press("Control+v")
    notice = other.get_by_test_id("notice-text")
    notice.wait_for(timeout=10_000)
    assert "unknown node type 'acme.teleport'" in notice.inner_text()
    _wait_counts(other, "2 nodes · 1 edges")
    other.screenshot(path=str(artifacts / "edit-13-unknown-type-refused.png"))
    assert errors == []
    context.close()


def test_a_selection_survives_the_servers_late_echo(
    service: Any, builder_app: Any, browser: Any, artifacts: Path
) -> None:
    """Shift-clicking two nodes while the server is slow keeps both selected.

    Found in CI on a loaded machine: each click goes to the server, whose answer to the first
    one (only ``warm`` selected) arrived after the second click and replaced the browser's
    selection, so a Delete pressed then removed one node. Here the server's frames are held
    and handed over one at a time, and the selection is read after each.
    """
    context = browser.new_context(viewport={"width": 1400, "height": 850})
    held: list[Any] = []
    hold = [False]
    sockets: list[Any] = []

    def relay(ws: Any) -> None:
        server = ws.connect_to_server()
        sockets.append(ws)

        def from_server(message: Any) -> None:
            if hold[0]:
                held.append(message)
            else:
                ws.send(message)

        server.on_message(from_server)

    context.route_web_socket(re.compile(r".*/_event.*"), relay)
    page = _open(context, builder_app.frontend_url, service, "Slow echo")
    page.get_by_test_id("open-example").click()
    page.get_by_role("option", name="lead-scoring").click()
    _wait_counts(page, "9 nodes · 10 edges")
    _settle(page)

    hold[0] = True
    _header(page, "warm").click()
    _header(page, "cold").click(modifiers=["Shift"])
    page.wait_for_function(TWO_SELECTED)
    page.wait_for_timeout(300)  # both changes sent; the server's answers are held
    assert held, "the server answered nothing to two selections"
    hold[0] = False
    while held:
        sockets[-1].send(held.pop(0))
        page.wait_for_timeout(150)
        assert _selected(page) == ["cold", "warm"]
    page.keyboard.press("Delete")
    _wait_counts(page, "7 nodes · 6 edges")
    page.screenshot(path=str(artifacts / "edit-14-selection-kept.png"))
    context.close()
