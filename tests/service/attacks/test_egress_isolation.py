"""Issue 13.1: a tenant's egress allow-list must not reach the platform's own insides.

Before the fix a second tenant's admin allow-listed ``127.0.0.1`` and a test run of a manual
graph POSTed DynamoDB API calls to the service's own AWS endpoint: GetItem returned the
``acme`` admin's item with its password hash, Query returned A's API key hashes, and PutItem
could plant a key in any tenant. Here the exact attack runs through the real app under uvicorn,
against the real (moto) DynamoDB endpoint the service itself uses, on loopback.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from runtime.core.egress import OPEN_ENV
from runtime.service.app import create_app
from runtime.service.server import serve_config
from runtime.store import TenantSettings, make_s3_client
from tests.service.attacks.conftest import (
    A_ID,
    Backend,
    Live,
    _listening_socket,
    make_tenant,
    raw_items,
    start_uvicorn,
)

ADMIN = "admin@example.com"
SPECIAL_USE = [
    "127.0.0.1",
    "localhost",
    "169.254.169.254",
    "metadata.google.internal",
    "0.0.0.0/0",
    "::/0",
]
"""Every entry the issue saw accepted."""


def dynamodb_call(endpoint: str, target: str, body: dict[str, Any]) -> dict[str, Any]:
    """A manual graph whose HTTP node speaks the DynamoDB JSON protocol to ``endpoint``."""
    headers = {
        "X-Amz-Target": f"DynamoDB_20120810.{target}",
        "Content-Type": "application/x-amz-json-1.0",
        "Authorization": (
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/dynamodb/aws4_request,"
            " SignedHeaders=content-type;host;x-amz-target, Signature=" + "0" * 64
        ),
    }
    return {
        "id": "probe",
        "name": "Probe",
        "nodes": [
            {"id": "start", "type": "trigger.manual"},
            {
                "id": "steal",
                "type": "http.request",
                "config": {
                    "method": "POST",
                    "url": f"{endpoint}/",
                    "headers": headers,
                    "body": body,
                    "fail_on_status": False,
                    "response": "text",
                },
            },
        ],
        "edges": [{"source": "start", "target": "steal"}],
    }


def attacks(table: str) -> dict[str, dict[str, Any]]:
    """The issue's three calls, aimed at tenant A (``acme``)."""
    pk = {"S": f"TENANT#{A_ID}#"}
    return {
        "GetItem": {"TableName": table, "Key": {"PK": pk, "SK": {"S": f"USER#{ADMIN}"}}},
        "Query": {
            "TableName": table,
            "KeyConditionExpression": "PK = :p AND begins_with(SK, :k)",
            "ExpressionAttributeValues": {":p": pk, ":k": {"S": "APIKEY#"}},
        },
        "PutItem": {
            "TableName": table,
            "Item": {"PK": pk, "SK": {"S": "APIKEY#planted"}, "role": {"S": "admin"}},
        },
    }


def secrets_of_a(table: str, client: Any) -> list[str]:
    """A's password hash and API key hashes, as stored: none may appear in B's runs."""
    found: list[str] = []
    for item in raw_items(client, table, A_ID):
        if "password" in item:
            found.append(json.loads(item["password"]["S"])["hash"])
        if "secret_sha256" in item:
            found.append(item["secret_sha256"]["S"])
    assert len(found) >= 2, found  # the admin's hash and the admin key's hash at least
    return found


def run_probe(http: httpx.Client, auth: dict[str, str], graph: dict[str, Any]) -> dict[str, Any]:
    ran = http.post("/api/v1/runs", json={"graph": graph, "input": {}}, headers=auth)
    assert ran.status_code == 201, ran.text
    record: dict[str, Any] = ran.json()
    return record


def assert_blocked(record: dict[str, Any], reason: str, secrets: list[str]) -> None:
    """The HTTP node failed with the guard's reason, and nothing of A's came back."""
    text = json.dumps(record)
    for secret in secrets:
        assert secret not in text, "A's secret reached B's run"
    assert "TENANT#" not in json.dumps(record.get("output")), "B's run returned DynamoDB items"
    assert record["status"] == "failed", text[:2000]
    assert record["error"]["node"] == "steal"
    assert reason in record["error"]["message"], record["error"]["message"]


@pytest.mark.parametrize("entry", SPECIAL_USE)
def test_put_settings_refuses_special_use_allow_list_entries(live: Live, entry: str) -> None:
    with live.http() as http:
        before = http.get("/api/v1/settings", headers=live.b.auth).json()
        refused = http.put(
            "/api/v1/settings", json={**before, "egress_allow": [entry]}, headers=live.b.auth
        )
        assert refused.status_code == 422, refused.text
        error = refused.json()["error"]
        assert error["code"] == "invalid"
        assert "egress_allow" in error["message"], error
        assert entry in error["message"], error
        assert http.get("/api/v1/settings", headers=live.b.auth).json() == before


@pytest.mark.parametrize("target", ["GetItem", "Query", "PutItem"])
def test_allow_listed_loopback_never_reaches_the_aws_endpoint(live: Live, target: str) -> None:
    """B's settings hold ``127.0.0.1`` (saved before the fix): the run is still refused."""
    live.store(live.b.id).update_settings(TenantSettings(egress_allow=["127.0.0.1"]))
    table = live.table
    secrets = secrets_of_a(table, live.dynamodb)
    before = raw_items(live.dynamodb, table, A_ID)
    endpoint = live.dynamodb.meta.endpoint_url
    with live.http() as http:
        record = run_probe(
            http, live.b.auth, dynamodb_call(endpoint, target, attacks(table)[target])
        )
    assert_blocked(record, "is the platform's AWS endpoint; no setting can open it", secrets)
    assert raw_items(live.dynamodb, table, A_ID) == before


class _Hello(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        body = b'{"hello": "loopback"}'
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def hello() -> Iterator[str]:
    """An ordinary service of the operator's on loopback: the positive control."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def opened(backend: Backend, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Any, Any]]:
    """The app as local development serves it, with the operator opening loopback for egress.

    The egress policy is what ``auterity serve`` builds from the environment and its port.
    """
    monkeypatch.setenv(OPEN_ENV, "127.0.0.0/8")
    sock = _listening_socket()
    port = sock.getsockname()[1]
    egress = serve_config("127.0.0.1", port).egress
    assert egress.open, "the operator's open list was not read"
    config = backend.config.model_copy(update={"egress": egress})
    s3 = make_s3_client(endpoint_url=backend.endpoint, region="us-east-1")
    app = create_app(config, backend.dynamodb, s3=s3)
    running = start_uvicorn(app, sock)
    url = f"http://127.0.0.1:{running.port}"
    try:
        with httpx.Client(base_url=url, timeout=30) as http:
            make_tenant(http, backend.directory, A_ID)
            b = make_tenant(http, backend.directory, "acme-co")
            yield url, http, b
    finally:
        running.stop()


def test_operator_opened_loopback_still_denies_the_platform_endpoints(
    backend: Backend, opened: tuple[str, Any, Any], hello: str
) -> None:
    url, http, b = opened
    settings = http.get("/api/v1/settings", headers=b.auth).json()
    for entry in ("169.254.169.254", "metadata.google.internal", "0.0.0.0/0", "::/0", "::1"):
        refused = http.put(
            "/api/v1/settings", json={**settings, "egress_allow": [entry]}, headers=b.auth
        )
        assert refused.status_code == 422, (entry, refused.text)
    saved = http.put(
        "/api/v1/settings", json={**settings, "egress_allow": ["127.0.0.1"]}, headers=b.auth
    )
    assert saved.status_code == 200, saved.text
    # Positive control: an operator's loopback service is reachable once opened and listed.
    control = {
        "id": "hello",
        "nodes": [
            {"id": "start", "type": "trigger.manual"},
            {"id": "call", "type": "http.request", "config": {"method": "POST", "url": hello}},
        ],
        "edges": [{"source": "start", "target": "call"}],
    }
    record = run_probe(http, b.auth, control)
    assert record["status"] == "succeeded", record
    assert record["output"]["body"] == {"hello": "loopback"}
    table = backend.config.table_name
    secrets = secrets_of_a(table, backend.dynamodb)
    before = raw_items(backend.dynamodb, table, A_ID)
    for target, body in attacks(table).items():
        probe = dynamodb_call(backend.endpoint, target, body)
        assert_blocked(run_probe(http, b.auth, probe), "the platform's AWS endpoint", secrets)
    assert raw_items(backend.dynamodb, table, A_ID) == before
    own = dynamodb_call(url, "GetItem", attacks(table)["GetItem"])
    assert_blocked(run_probe(http, b.auth, own), "the service's own address", secrets)
