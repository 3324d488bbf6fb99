"""Issue 13.1 from the command line: ``--allow 127.0.0.1`` never reaches the AWS endpoint.

Whoever runs ``auterity run`` is the operator, so ``--allow`` opens what it allows; the AWS
endpoint the process itself is configured with (``AWS_ENDPOINT_URL``) stays closed all the
same. The endpoint is moto's real HTTP server on 127.0.0.1 holding a secret item; a graph
POSTs the DynamoDB GetItem of the issue to it. A loopback echo server is the positive control:
the same ``--allow`` reaches it, so the refusal is the deny list's doing.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from runtime.store import create_table, make_client
from tests.security.cli import run_cli
from tests.store.conftest import moto_server  # noqa: F401  (re-exported fixture)

SECRET = "scrypt-hash-of-the-demo-admin"
AMZ_AUTH = (
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/dynamodb/aws4_request,"
    " SignedHeaders=content-type;host;x-amz-target, Signature=" + "0" * 64
)
AWS_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_DEFAULT_REGION": "us-east-1"}  # fmt: skip


def probe(url: str, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    return {
        "id": "probe",
        "nodes": [
            {"id": "start", "type": "trigger.manual"},
            {
                "id": "steal",
                "type": "http.request",
                "config": {"method": "POST", "url": url, "headers": headers, "body": body,
                           "response": "text"},
            },
        ],
        "edges": [{"source": "start", "target": "steal"}],
    }  # fmt: skip


class _Echo(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        sent = self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(200)
        self.send_header("content-type", "text/plain")
        self.send_header("content-length", str(len(sent)))
        self.end_headers()
        self.wfile.write(sent)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def echo() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_cli_allow_loopback_does_not_reach_the_aws_endpoint(
    moto_server: str,  # noqa: F811
    echo: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in AWS_ENV.items():
        monkeypatch.setenv(name, value)
    client = make_client(endpoint_url=moto_server, region="us-east-1")
    create_table(client, "auterity-cli")
    key = {"PK": {"S": "TENANT#demo#"}, "SK": {"S": "USER#admin@demo.local"}}
    client.put_item(TableName="auterity-cli", Item={**key, "password": {"S": SECRET}})
    headers = {
        "X-Amz-Target": "DynamoDB_20120810.GetItem",
        "Content-Type": "application/x-amz-json-1.0",
        "Authorization": AMZ_AUTH,
    }
    body = {"TableName": "auterity-cli", "Key": key}
    env = {**AWS_ENV, "AWS_ENDPOINT_URL": moto_server}

    control = tmp_path / "control.graph.json"
    control.write_text(json.dumps(probe(echo, {"hello": "echo"}, {})), encoding="utf-8")
    ran = run_cli("run", str(control), "--allow", "127.0.0.1", "--json", env=env)
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout)["output"]["body"] == '{"hello": "echo"}'

    attack = tmp_path / "attack.graph.json"
    attack.write_text(json.dumps(probe(f"{moto_server}/", body, headers)), encoding="utf-8")
    ran = run_cli("run", str(attack), "--allow", "127.0.0.1", "--json", env=env)
    assert SECRET not in ran.stdout + ran.stderr, "the CLI run read the AWS endpoint's item"
    assert ran.returncode == 1, ran.stdout
    error = json.loads(ran.stdout)["error"]
    assert error["node"] == "steal"
    assert "is the platform's AWS endpoint; no setting can open it" in error["message"]
