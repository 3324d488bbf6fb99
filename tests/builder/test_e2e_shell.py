"""The app shell against the real service, in headless Chromium with real keyboard and mouse.

One walk through what a new user does: log in, meet the empty state, create a graph, add a
node, save with a message, rename, read the history, save again, diff, restore, import the
echo example, deploy it, create an API key, call the endpoint with the shown curl's URL and
that key, find the run and its trace, reload (still logged in), log out. A second test
saves from another client first and checks the editor shows the conflict instead of
overwriting. Screenshots of each step land in the artifacts directory.
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
from tests.builder.session import HYDRATED, create_api_key, log_in, new_graph, wait_for_path
from tests.builder.session import save as _save

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "http-echo.graph.json"
SHOTS = "shell"


def _shot(page: Any, artifacts: Path, name: str) -> None:
    folder = artifacts / SHOTS
    folder.mkdir(exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"))


@pytest.fixture
def page(browser: Any, artifacts: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh tab; if the test fails, its last screen is saved as ``failed-<test>.png``."""
    tab = browser.new_page(viewport={"width": 1366, "height": 860})
    failures = request.session.testsfailed
    try:
        yield tab
    finally:
        if request.session.testsfailed > failures or sys.exc_info()[0] is not None:
            _shot(tab, artifacts, f"failed-{request.node.name}")
        tab.close()


def _node_count(page: Any) -> int:
    return int(page.locator(".react-flow__node").count())


def _pick(page: Any, trigger_test_id: str, option: str) -> None:
    """A Radix select, by mouse: open it, click the option."""
    page.get_by_test_id(trigger_test_id).click()
    page.get_by_role("option", name=option, exact=True).click()


def _api_login(service: Any) -> httpx.Client:
    """A second client of the service (another person, another tab): its own session."""
    answer = httpx.post(
        service.url + "/api/v1/auth/login",
        json={"tenant": service.tenant, "email": service.email, "password": service.password},
        trust_env=False,
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return httpx.Client(
        base_url=service.url + "/api/v1",
        headers={"Authorization": f"Bearer {answer.json()['token']}"},
        trust_env=False,
        timeout=30,
    )


def test_shell_walkthrough(service: Any, builder_app: Any, page: Any, artifacts: Path) -> None:
    base = builder_app.frontend_url.rstrip("/")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # 1. A visit without a session goes to the login page; logging in is all keyboard.
    page.goto(base + routes.GRAPHS)
    wait_for_path(page, routes.LOGIN)
    page.get_by_test_id("login-tenant").wait_for(timeout=60_000)
    _shot(page, artifacts, "01-login")
    page.get_by_test_id("login-tenant").click()
    page.keyboard.type(service.tenant)
    page.keyboard.press("Tab")
    page.keyboard.type(service.email)
    page.keyboard.press("Tab")
    page.keyboard.type("wrong password")
    page.keyboard.press("Enter")
    assert (
        "Wrong organisation, email or password" in page.get_by_test_id("login-error").inner_text()
    )
    log_in(page, base, service)
    expect(page.get_by_test_id("header-tenant")).to_have_text("Acme Motors")
    expect(page.get_by_test_id("header-email")).to_have_text(service.email)
    expect(page.get_by_test_id("header-role")).to_have_text("admin")

    # 2. No graphs yet: the empty state says what to do.
    empty = page.get_by_test_id("empty-state")
    empty.wait_for()
    assert "Create your first graph" in empty.inner_text()
    _shot(page, artifacts, "02-empty-state")

    # 3. Create a graph: the editor opens on it, saved as version 1.
    graph_id = new_graph(page, base, "Lead intake")
    assert graph_id.startswith("lead_intake_")
    expect(page.get_by_test_id("doc-version")).to_have_text("v1")
    assert page.get_by_test_id("unsaved").count() == 0

    # 4. One node from the palette (a click adds it mid-canvas): now there are unsaved
    #    changes, and leaving the page would ask first.
    page.get_by_test_id("palette-trigger.webhook").click()
    page.wait_for_selector('[data-testid="canvas-node-webhook_1"]')
    page.get_by_test_id("unsaved").wait_for()
    prevented = page.evaluate(
        "() => { const e = new Event('beforeunload', {cancelable: true});"
        " window.dispatchEvent(e); return e.defaultPrevented; }"
    )
    assert prevented, "beforeunload must ask while there are unsaved changes"
    _shot(page, artifacts, "03-unsaved")

    # 5. Save with a message (Ctrl+S opens the dialog, Enter saves).
    _save(page, "Add the webhook trigger")
    expect(page.get_by_test_id("doc-version")).to_have_text("v2")
    expect(page.get_by_test_id("doc-version")).to_have_text("v2")
    assert page.get_by_test_id("unsaved").count() == 0
    assert not page.evaluate(
        "() => { const e = new Event('beforeunload', {cancelable: true});"
        " window.dispatchEvent(e); return e.defaultPrevented; }"
    )
    _shot(page, artifacts, "04-saved")

    # 6. Rename from the graphs list (a new version; the id stays).
    page.get_by_test_id("nav-graphs").click()
    wait_for_path(page, routes.GRAPHS)
    row = page.get_by_test_id(f"graph-row-{graph_id}")
    row.wait_for()
    page.get_by_test_id(f"graph-menu-{graph_id}").click()
    page.get_by_role("menuitem", name="Rename").click()
    field = page.get_by_test_id("rename-name")
    field.fill("Lead intake (web)")
    field.press("Enter")
    page.get_by_text("Renamed to 'Lead intake (web)'").wait_for()
    row.get_by_text("Lead intake (web)").wait_for()
    assert "v3" in row.inner_text()
    _shot(page, artifacts, "05-renamed")

    # 7. Back in the editor, the history lists every version with its message.
    row.get_by_role("link", name="Lead intake (web)").click()
    wait_for_path(page, routes.editor(graph_id))
    page.wait_for_selector('[data-testid="canvas-node-webhook_1"]')
    page.get_by_test_id("open-history").click()
    versions = page.get_by_test_id("version-row")
    versions.nth(2).wait_for()
    texts = [versions.nth(i).inner_text() for i in range(versions.count())]
    assert "v1" in texts[2]
    assert "Created" in texts[2]
    assert "Add the webhook trigger" in texts[1]
    assert service.email in texts[1]
    assert "Renamed to Lead intake (web)" in texts[0]
    _shot(page, artifacts, "06-history")

    # 8. Save again, then diff v1 -> v4: both nodes added, the name changed.
    page.get_by_test_id("palette-transform.set").click()
    page.wait_for_selector('[data-testid="canvas-node-set_1"]')
    _save(page, "Add a set step")
    expect(page.get_by_test_id("doc-version")).to_have_text("v4")
    page.get_by_test_id("version-row").nth(3).wait_for()
    _pick(page, "diff-from", "v1")
    _pick(page, "diff-to", "v4")
    page.get_by_test_id("show-diff").click()
    summary = page.get_by_test_id("diff-summary")
    summary.wait_for()
    assert "v1 → v4" in summary.inner_text()
    assert "2 nodes added" in summary.inner_text()
    rows = page.get_by_test_id("diff-row").all_inner_texts()
    assert any("webhook_1" in r and "added" in r for r in rows), rows
    assert any("set_1" in r and "added" in r for r in rows), rows
    assert any("name changed" in r for r in rows), rows
    _shot(page, artifacts, "07-diff")

    # 9. Restore v1: its (empty) canvas comes back as unsaved work; saving makes version 5.
    page.get_by_test_id("restore-v1").click()
    page.get_by_test_id("restored").wait_for()
    page.wait_for_function("() => document.querySelectorAll('.react-flow__node').length === 0")
    page.get_by_test_id("unsaved").wait_for()
    _shot(page, artifacts, "08-restored")
    _save(page, "")
    expect(page.get_by_test_id("doc-version")).to_have_text("v5")
    page.get_by_test_id("version-row").first.get_by_text("Restored version 1").wait_for()

    # 10. On the Graphs page: export (a download of the saved graph), duplicate, and delete
    #     the copy after confirming; then import the echo example, which opens in the editor.
    page.get_by_test_id("nav-graphs").click()
    wait_for_path(page, routes.GRAPHS)
    page.get_by_test_id(f"graph-row-{graph_id}").wait_for()
    with page.expect_download() as download:
        page.get_by_test_id(f"graph-menu-{graph_id}").click()
        page.get_by_role("menuitem", name="Export").click()
    assert download.value.suggested_filename == f"{graph_id}.graph.json"
    exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert exported["id"] == graph_id
    # Version 5 is version 1 restored, as it was: empty, and with its first name.
    assert exported["name"] == "Lead intake"
    assert exported["nodes"] == []
    expect(page.get_by_role("menu")).to_have_count(0)
    page.get_by_test_id(f"graph-menu-{graph_id}").click()
    page.get_by_role("menuitem", name="Duplicate").click()
    copy_row = page.locator("[data-testid^=graph-row-]", has_text="Lead intake (copy)")
    copy_row.wait_for()
    copy_id = copy_row.get_attribute("data-testid").removeprefix("graph-row-")
    assert copy_id != graph_id
    expect(page.get_by_role("menu")).to_have_count(0)
    page.get_by_test_id(f"graph-menu-{copy_id}").click()
    page.get_by_role("menuitem", name="Delete").click()
    page.get_by_test_id("delete-confirm").wait_for()
    _shot(page, artifacts, "09a-delete-confirm")
    page.get_by_test_id("delete-confirm").click()
    copy_row.wait_for(state="detached")
    page.get_by_test_id(f"graph-row-{graph_id}").wait_for()
    page.locator("input[type=file]").set_input_files(str(EXAMPLE))
    page.wait_for_url(re.compile(r"/graphs/http_echo/?$"), timeout=30_000)
    page.wait_for_selector('[data-testid="canvas-node-reply"]', timeout=30_000)
    page.wait_for_function(HYDRATED)

    # 11. Deploy: the endpoint URL, the curl and the deployed version are shown.
    page.get_by_test_id("open-deploy").click()
    slug = page.get_by_test_id("deploy-slug")
    slug.wait_for()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=deploy-slug]')?.value === 'http-echo'"
    )
    page.get_by_test_id("deploy").click()
    url_box = page.get_by_test_id("deploy-url")
    url_box.wait_for(timeout=30_000)
    url = url_box.inner_text()
    assert url == f"{service.url}/t/{service.tenant}/http-echo"
    curl = page.get_by_test_id("deploy-curl").inner_text()
    assert url in curl
    assert "X-API-Key" in curl
    expect(page.get_by_test_id("deployed-version")).to_have_text("serving version 1")
    _shot(page, artifacts, "09-deployed")

    # 11b. Move the trigger (mouse), save version 2, deploy it, then roll back to version 1.
    header = page.locator('[data-testid="canvas-node-hook"] > div').first
    box = header.bounding_box()
    assert box is not None
    start = (box["x"] + 30, box["y"] + box["height"] / 2)
    page.mouse.move(*start)
    page.mouse.down()
    for i in range(1, 11):
        page.mouse.move(start[0], start[1] + 12 * i)
    page.mouse.up()
    page.get_by_test_id("unsaved").wait_for()
    page.get_by_test_id("deploy").click()
    expect(page.get_by_test_id("deploy-error")).to_contain_text("save first")
    _save(page, "Move the trigger down")
    expect(page.get_by_test_id("doc-version")).to_have_text("v2")
    expect(page.get_by_test_id("deploy")).to_have_text("Deploy version 2")
    page.get_by_test_id("deploy").click()
    expect(page.get_by_test_id("deployed-version")).to_have_text("serving version 2")
    page.get_by_test_id("rollback-version").click()
    options = page.get_by_role("option")
    expect(options).to_have_count(1)  # only earlier versions
    options.first.click()
    page.get_by_test_id("rollback").click()
    expect(page.get_by_test_id("deployed-version")).to_have_text("serving version 1")
    expect(page.get_by_test_id("deploy-live")).to_contain_text("rollback v1")
    _shot(page, artifacts, "09b-rolled-back")

    # 12. An API key from Settings, shown once.
    secret = create_api_key(
        page, service, "e2e curl", shot=lambda: _shot(page, artifacts, "10-key-created")
    )
    page.get_by_test_id("key-row").first.wait_for()

    # 13. The curl, as the page showed it, answers 200 with the echo.
    answer = httpx.post(
        url,
        json={"message": "hello from e2e"},
        headers={"X-API-Key": secret},
        trust_env=False,
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["echo"] == {"message": "hello from e2e"}

    # 14. The run is in the history with its per-node trace.
    page.get_by_test_id("nav-runs").click()
    wait_for_path(page, routes.RUNS)
    run_row = page.get_by_test_id("run-row").first
    run_row.wait_for()
    assert "http_echo" in run_row.inner_text()
    assert "succeeded" in run_row.inner_text()
    run_row.get_by_role("button").first.click()
    detail = page.get_by_test_id("run-detail")
    detail.wait_for()
    trace = page.get_by_test_id("trace-row")
    trace.nth(1).wait_for()
    nodes = trace.all_inner_texts()
    assert [n.split()[0] for n in nodes] == ["hook", "reply"], nodes
    assert "hello from e2e" in detail.inner_text()
    _shot(page, artifacts, "11-run-trace")
    page.keyboard.press("Escape")
    detail.wait_for(state="detached")
    _pick(page, "runs-status-filter", "failed")
    page.get_by_text("No runs match these filters").wait_for()
    _pick(page, "runs-status-filter", "succeeded")
    page.get_by_test_id("run-row").first.wait_for()

    # 15. A reload keeps the session; logging out ends it.
    page.reload()
    page.wait_for_function(
        "(email) => document.querySelector('[data-testid=header-email]')?.textContent === email",
        arg=service.email,
        timeout=30_000,
    )
    wait_for_path(page, routes.RUNS)
    _shot(page, artifacts, "12-reloaded")
    page.get_by_test_id("logout").click()
    wait_for_path(page, routes.LOGIN)
    page.goto(base + routes.RUNS)
    page.wait_for_url(re.compile(r"/login/?\?next=/runs$"))
    _shot(page, artifacts, "13-logged-out")

    # 16. Logging in from there returns to the page that asked for it.
    page.get_by_test_id("login-tenant").click()
    page.keyboard.type(service.tenant)
    page.keyboard.press("Tab")
    page.keyboard.type(service.email)
    page.keyboard.press("Tab")
    page.keyboard.type(service.password)
    page.keyboard.press("Enter")
    wait_for_path(page, routes.RUNS)
    page.get_by_test_id("run-row").first.wait_for()
    assert not errors, errors


def test_save_conflict_is_shown_not_overwritten(
    service: Any, builder_app: Any, page: Any, artifacts: Path
) -> None:
    base = builder_app.frontend_url.rstrip("/")
    page.set_viewport_size({"width": 768, "height": 1024})  # a tablet, portrait
    log_in(page, base, service)
    graph_id = new_graph(page, base, "Contested")
    page.get_by_test_id("palette-trigger.webhook").click()
    page.wait_for_selector('[data-testid="canvas-node-webhook_1"]')

    # Someone else saves version 2 first, from another client.
    with _api_login(service) as other:
        current = other.get(f"/graphs/{graph_id}").json()
        theirs = {**current["graph"], "name": "Contested (theirs)"}
        saved = other.put(
            f"/graphs/{graph_id}",
            json={"graph": theirs, "base_version": current["version"], "message": "theirs"},
        )
        assert saved.status_code == 200, saved.text

    # Leaving with unsaved changes asks first; staying keeps them.
    page.get_by_test_id("nav-runs").click()
    page.get_by_test_id("leave-confirm").wait_for()
    _shot(page, artifacts, "20-leave-guard")
    page.get_by_role("button", name="Stay").click()
    assert page.get_by_test_id("unsaved").is_visible()

    _save(page, "mine")
    dialog = page.get_by_test_id("conflict-dialog")
    dialog.wait_for()
    assert "Version 2 was saved after you opened version 1" in dialog.inner_text()
    _shot(page, artifacts, "21-conflict")
    with _api_login(service) as other:
        stored = other.get(f"/graphs/{graph_id}").json()
    assert stored["version"] == 2
    assert stored["graph"]["name"] == "Contested (theirs)"
    assert stored["graph"]["nodes"] == [], "the conflicting save must not overwrite theirs"

    page.get_by_test_id("conflict-load").click()
    dialog.wait_for(state="detached")
    page.get_by_text("Contested (theirs)").first.wait_for()
    expect(page.get_by_test_id("doc-version")).to_have_text("v2")
    assert _node_count(page) == 0
    assert page.get_by_test_id("unsaved").count() == 0
    _shot(page, artifacts, "22-loaded-theirs")

    # Deploying a graph that cannot run says why, node by node (here: there is no trigger).
    page.get_by_test_id("open-deploy").click()
    page.get_by_test_id("deploy").click()
    expect(page.get_by_test_id("deploy-error")).to_contain_text("cannot be deployed")
    page.get_by_test_id("deploy-problem").first.wait_for()
    _shot(page, artifacts, "23-deploy-refused")
