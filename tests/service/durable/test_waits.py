"""Callbacks, timers, timeouts, cancel and redrive of durable runs, through the API."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from runtime.core.egress import EgressPlatform
from runtime.service.config import ServiceConfig
from runtime.store import Directory, TenantSettings
from tests.service.conftest import Tenant
from tests.service.durable.test_approvals import audit_actions, deploy, settle
from tests.store.conftest import free_port


@pytest.fixture
def config() -> ServiceConfig:
    return ServiceConfig(
        token_secret="t" * 48,
        max_run_seconds=5,
        sweeper=True,
        sweep_seconds=0.2,
        sleep_limit_seconds=0.5,
        egress=EgressPlatform.configure(open=["127.0.0.1/32"]),
    )


def start(client: TestClient, slug: str, body: dict[str, Any]) -> str:
    answered = client.post(f"/t/acme/{slug}", json=body)
    assert answered.status_code == 202, answered.text
    return str(answered.json()["run_id"])


def local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_a_callback_resumes_the_run_and_a_durable_delay_follows(
    client: TestClient, acme: Tenant, aws: Any
) -> None:
    deploy(client, acme, "callback-and-delay", "sign")
    run_id = start(client, "sign", {"contract": "C-7"})
    run = settle(client, acme, run_id, {"waiting"})
    url = next(t for t in run["trace"] if t["node"] == "link")["outputs"]["out"]["callback"]
    assert f"/w/acme/{run_id}/signed/callback?sig=" in url

    forged = local(url)[:-4] + "0000"
    assert client.post(forged, json={"signer": "Eve"}).status_code == 404
    answered = client.post(local(url), json={"signer": "Ada"})
    assert answered.status_code == 200, answered.text
    assert answered.json()["status"] == "answered"

    # The delay of 1 s is longer than the sleep limit: the run waits on a timer, holding nothing.
    kinds: dict[str, str] = {}
    for _ in range(500):  # up to 10 s on a loaded machine; the timer stays listed once fired
        waits = client.get(f"/api/v1/runs/{run_id}/waits", headers=acme.auth).json()
        kinds = {w["node"]: w["kind"] for w in waits}
        if "later" in kinds:
            break
        time.sleep(0.02)
    assert kinds == {"signed": "callback", "later": "timer"}
    done = settle(client, acme, run_id, {"succeeded", "failed"})
    assert done["status"] == "succeeded", done
    assert done["output"]["body"] == {"signed_by": "Ada"}
    statuses = {t["node"]: t["status"] for t in done["trace"]}
    assert statuses == {
        "hook": "ok", "link": "ok", "signed": "ok", "later": "ok", "done": "ok",
        "reply_done": "ok", "expired": "skipped", "reply_expired": "skipped",
    }  # fmt: skip

    replayed = client.post(local(url), json={"signer": "Eve"})
    assert replayed.status_code == 409
    assert audit_actions(aws, "acme").count("wait.refused") == 1


def test_nobody_answers_in_time_and_the_timeout_branch_runs(
    client: TestClient, acme: Tenant
) -> None:
    deploy(client, acme, "quick-timeout", "quick")
    run_id = start(client, "quick", {})
    done = settle(client, acme, run_id, {"succeeded", "failed"})
    assert done["output"]["body"]["outcome"] == "expired"
    waits = client.get(f"/api/v1/runs/{run_id}/waits", headers=acme.auth).json()
    assert [(w["status"], w["decided_by"]) for w in waits] == [("timed_out", "timer")]


def test_a_waiting_run_is_cancelled_and_its_wait_with_it(client: TestClient, acme: Tenant) -> None:
    deploy(client, acme, "discount-approval", "discount")
    run_id = start(client, "discount", {"customer": "Ada", "discount": 15})
    settle(client, acme, run_id, {"waiting"})
    cancelled = client.post(f"/api/v1/runs/{run_id}/cancel", headers=acme.auth)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert client.get("/api/v1/inbox", headers=acme.auth).json() == []
    late = client.post(
        f"/api/v1/inbox/{run_id}/review/decision",
        json={"decision": "approve", "form": {"note": "x"}},
        headers=acme.auth,
    )
    assert late.status_code == 409
    again = client.post(f"/api/v1/runs/{run_id}/cancel", headers=acme.auth)
    assert again.status_code == 409
    assert settle(client, acme, run_id, {"cancelled"})["status"] == "cancelled"


class FlakyErp:
    """``/crm`` answers; ``/erp`` fails its first call with a 500, then answers."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        flaky = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length") or 0))
                flaky.calls.append(self.path)
                failing = self.path == "/erp" and flaky.calls.count("/erp") == 1
                body = json.dumps({"id": self.path.strip("/")}).encode()
                self.send_response(500 if failing else 200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.send_header("connection", "close")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def flaky() -> Iterator[FlakyErp]:
    served = FlakyErp()
    yield served
    served.server.shutdown()
    served.server.server_close()


def test_a_failed_run_is_redriven_from_its_failed_step(
    client: TestClient, acme: Tenant, aws: Any, flaky: FlakyErp
) -> None:
    Directory(aws, "auterity").tenant("acme").update_settings(
        TenantSettings(egress_allow=["127.0.0.1"])
    )
    deploy(client, acme, "two-calls", "register")
    failed = client.post("/t/acme/register", json={"name": "Ada", "base": flaky.base})
    assert failed.status_code == 502
    run_id = failed.headers["x-auterity-run-id"]
    assert settle(client, acme, run_id, {"failed"})["error"]["node"] == "erp"

    redriven = client.post(f"/api/v1/runs/{run_id}/redrive", headers=acme.auth)
    assert redriven.status_code == 200, redriven.text
    run = redriven.json()
    assert run["status"] == "succeeded"
    assert run["redrives"] == 1
    assert run["output"]["body"] == {"id": "erp"}
    assert flaky.calls == ["/crm", "/erp", "/erp"]  # crm finished before: not called again
    assert client.post(f"/api/v1/runs/{run_id}/redrive", headers=acme.auth).status_code == 409
