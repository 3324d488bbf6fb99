"""Browser steps shared by the builder's e2e modules: logging in and opening a new graph."""

from __future__ import annotations

import re
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
