"""``kill -9`` of the service in the middle of a run: the next process finishes the run, and no
step that finished before the kill runs again.

A real ``auterity serve`` process over moto's server; the graph calls two HTTP APIs served
here. The second call is held until the first process is killed, so the kill lands exactly
while a step is in flight, after another one finished.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from runtime.local.processes import wait_for_http
from runtime.store import Directory, TenantSettings, create_table, make_client
from tests.store.conftest import free_port, moto_server  # noqa: F401  (fixture)

GRAPH = Path(__file__).parents[2] / "fixtures" / "graphs" / "durable" / "two-calls.graph.json"
ROOT = Path(__file__).parents[3]
AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


class Apis:
    """Two APIs that record each call with its ``Idempotency-Key``; ``/erp`` holds its first."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None]] = []
        self.first_erp_arrived = threading.Event()
        self.lock = threading.Lock()
        apis = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                self.rfile.read(length)
                with apis.lock:
                    apis.calls.append((self.path, self.headers.get("idempotency-key")))
                    first_erp = self.path == "/erp" and not apis.first_erp_arrived.is_set()
                if first_erp:
                    apis.first_erp_arrived.set()
                    time.sleep(30)  # the service is killed meanwhile; nobody reads this answer
                body = json.dumps({"id": f"{self.path.strip('/')}-1"}).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def apis() -> Iterator[Apis]:
    served = Apis()
    yield served
    served.server.shutdown()
    served.server.server_close()


def start_service(endpoint: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        **AWS_ENV,
        "AWS_ENDPOINT_URL": endpoint,
        "AUTERITY_TOKEN_SECRET": "crash-test-secret-" + "x" * 40,
        "AUTERITY_SWEEPER": "1",
        "AUTERITY_LEASE_SECONDS": "2",
        "AUTERITY_EGRESS_OPEN": "127.0.0.1/32",
    }
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "runtime.cli", "serve", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    wait_for_http(f"http://127.0.0.1:{port}/healthz", 60, process=process)
    return process


def test_a_run_killed_mid_step_is_finished_by_the_next_process_without_repeating_a_step(
    moto_server: str,  # noqa: F811
    apis: Apis,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in AWS_ENV.items():
        monkeypatch.setenv(name, value)
    client = make_client(endpoint_url=moto_server, region="us-east-1")
    create_table(client, "auterity")
    directory = Directory(client, "auterity")
    directory.create_tenant("acme", "Acme")
    store = directory.tenant("acme")
    store.update_settings(TenantSettings(egress_allow=["127.0.0.1"]))
    _, key = store.create_api_key("ci", "admin")
    headers = {"X-API-Key": key}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "service.log"

    first = start_service(moto_server, port, log)
    try:
        graph = json.loads(GRAPH.read_text())
        assert httpx.post(
            f"{base}/api/v1/graphs", json={"graph": graph}, headers=headers
        ).is_success
        deployed = httpx.post(
            f"{base}/api/v1/deployments",
            json={"slug": "register", "graph_id": "two_calls"},
            headers=headers,
        )
        assert deployed.status_code == 201, deployed.text
        accepted = httpx.post(
            f"{base}/t/acme/register?async=1", json={"name": "Ada", "base": apis.base}
        )
        assert accepted.status_code == 202, accepted.text
        run_id = accepted.json()["run_id"]
        assert apis.first_erp_arrived.wait(30), log.read_text()
    finally:
        first.kill()  # SIGKILL: no shutdown, no cleanup
        first.wait(10)

    second = start_service(moto_server, port, log)
    try:
        run: dict[str, Any] = {}
        for _ in range(300):
            run = httpx.get(f"{base}/api/v1/runs/{run_id}", headers=headers).json()
            if run["status"] in ("succeeded", "failed"):
                break
            time.sleep(0.1)
    finally:
        second.kill()
        second.wait(10)

    assert run["status"] == "succeeded", (run, log.read_text()[-3000:])
    assert run["output"]["body"] == {"id": "erp-1"}
    paths = [path for path, _ in apis.calls]
    assert paths.count("/crm") == 1, apis.calls  # finished before the kill: never again
    assert paths.count("/erp") == 2, apis.calls  # in flight at the kill: called again...
    erp_keys = {key for path, key in apis.calls if path == "/erp"}
    assert len(erp_keys) == 1  # ...with the same idempotency key
    assert None not in erp_keys
    assert [t["node"] for t in run["trace"]] == ["hook", "crm", "erp", "reply"]
    assert all(t["status"] == "ok" for t in run["trace"])
