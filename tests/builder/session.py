"""Browser steps shared by the builder's e2e modules: logging in and opening a new graph."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from builder import routes

HYDRATED = "() => window.__auterityFlow !== undefined"


def wait_for_path(page: Any, path: str, timeout: int = 30_000) -> None:
    page.wait_for_url(re.compile(re.escape(path) + r"/?(\?.*)?$"), timeout=timeout)


def log_in(page: Any, base_url: str, service: Any) -> None:
    """Type the login with the keyboard (Tab between fields, Enter submits)."""
    page.goto(base_url + routes.LOGIN)
    tenant = page.get_by_test_id("login-tenant")
    tenant.wait_for(timeout=60_000)
    tenant.click()
    page.keyboard.type(service.tenant)
    page.keyboard.press("Tab")
    page.keyboard.type(service.email)
    page.keyboard.press("Tab")
    page.keyboard.type(service.password)
    page.keyboard.press("Enter")
    wait_for_path(page, routes.GRAPHS)
    page.get_by_test_id("header-role").wait_for()


def new_graph(page: Any, base_url: str, name: str) -> str:
    """Create an empty graph from the Graphs page; returns its id once the editor is ready."""
    page.goto(base_url + routes.GRAPHS)
    page.get_by_test_id("new-graph").first.click()
    field = page.get_by_test_id("new-graph-name")
    field.wait_for()
    field.fill(name)
    field.press("Enter")
    page.wait_for_url(re.compile(r"/graphs/[A-Za-z0-9_-]+/?$"), timeout=30_000)
    page.wait_for_selector(".react-flow__pane", timeout=60_000)
    page.wait_for_function(HYDRATED, timeout=60_000)
    return str(page.url.rstrip("/").rsplit("/", 1)[-1])


# --- canvas and inspector gestures (mouse and keyboard, as a person would) ---------------------


def handle(page: Any, node_id: str, kind: str, port: str) -> Any:
    """A node's port handle; ``kind`` is ``source`` (output) or ``target`` (input)."""
    return page.locator(
        f'.react-flow__node[data-id="{node_id}"] .react-flow__handle.{kind}[data-handleid="{port}"]'
    )


def center(locator: Any) -> tuple[float, float]:
    box = locator.bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def mouse_drag(page: Any, start: tuple[float, float], end: tuple[float, float], steps: int) -> None:
    page.mouse.move(*start)
    page.mouse.down()
    for i in range(1, steps + 1):
        page.mouse.move(
            start[0] + (end[0] - start[0]) * i / steps, start[1] + (end[1] - start[1]) * i / steps
        )
    page.mouse.up()


def connect(
    page: Any, source: str, source_port: str, target: str, target_port: str, steps: int = 12
) -> None:
    """Draw an edge with the mouse, from an output handle to an input handle."""
    start = center(handle(page, source, "source", source_port))
    end = center(handle(page, target, "target", target_port))
    mouse_drag(page, start, end, steps=steps)


def drop(page: Any, node_type: str, x: int, y: int, node_id: str | None = None) -> None:
    """HTML5 drag from the palette onto the canvas at ``(x, y)`` in the pane; with ``node_id``,
    wait until that node is on the canvas."""
    pane = page.locator(".react-flow__pane")
    page.get_by_test_id(f"palette-{node_type}").drag_to(pane, target_position={"x": x, "y": y})
    if node_id is not None:
        page.wait_for_selector(f'[data-testid="canvas-node-{node_id}"]')


def open_node(page: Any, node_id: str) -> None:
    """Click the node's header; the inspector shows that node."""
    page.locator(f'[data-testid="canvas-node-{node_id}"] > div').first.click()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=inspector]')"
        f"?.textContent.includes('· {node_id}')"
    )


def wait_status(page: Any, node_id: str, status: str, timeout: int = 10_000) -> None:
    """Wait until the node's badge reads ``status`` (``valid``, ``error``, ``ran ok``...)."""
    page.wait_for_function(
        "([id, want]) => document.querySelector(`[data-testid=status-${id}]`)?.textContent"
        " === want",
        arg=[node_id, status],
        timeout=timeout,
    )


def retype(page: Any, test_id: str, text: str) -> None:
    """Click a field, select all it holds and type ``text`` over it."""
    page.get_by_test_id(test_id).click()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type(text)


def save(page: Any, message: str) -> None:
    """Ctrl+S opens the save dialog; type the message, Enter saves."""
    page.keyboard.press("Control+s")
    field = page.get_by_test_id("save-message")
    field.wait_for()
    field.fill(message)
    field.press("Enter")
    field.wait_for(state="detached")


def create_api_key(
    page: Any, service: Any, name: str, shot: Callable[[], None] | None = None
) -> str:
    """Create an API key in Settings and return its secret.

    Checks the secret is shown once: it names the tenant, and after "Done" it is nowhere on
    the page. ``shot`` takes a screenshot while the secret is shown.
    """
    page.get_by_test_id("nav-settings").click()
    wait_for_path(page, routes.SETTINGS)
    field = page.get_by_test_id("key-name")
    field.wait_for()
    field.fill(name)
    field.press("Enter")
    secret_box = page.get_by_test_id("new-secret")
    secret_box.wait_for()
    secret = str(secret_box.inner_text()).strip()
    assert secret.startswith(f"aut_{service.tenant}_")
    if shot is not None:
        shot()
    page.get_by_test_id("secret-done").click()
    secret_box.wait_for(state="detached")
    assert secret not in page.content()
    return secret
