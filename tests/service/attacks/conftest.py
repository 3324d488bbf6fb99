"""Shared pieces of the attack tests: tenant A's private data, snapshots of it, and a real server.

Tenant A is ``acme`` and tenant B is ``acme-co`` (B's id starts with A's, so a prefix bug in the
store's keys would show). Every piece of A's private data carries the marker ``acme-only``: a
response given to anyone but A that contains it is a leak. The marker is lower-case and checked
case-insensitively; nothing B owns and no request B sends contains it.

The real server is uvicorn in a thread on 127.0.0.1 (TestClient normalises some paths and runs
requests one at a time), talking to moto's ``ThreadedMotoServer`` on 127.0.0.1. Its fixture is
reused from ``tests/store/conftest.py``: moto's server applies requests without per-item
locking, which real DynamoDB does not do, so that fixture applies DynamoDB requests one at a
time. Clients still race each other between requests, which is where conditional writes must
hold.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from runtime.service.app import create_app
from runtime.service.config import ServiceConfig
from runtime.service.idempotency import create_idempotency_table
from runtime.store import (
    Directory,
    TenantStore,
    create_bucket,
    create_table,
    make_client,
    make_s3_client,
)
from tests.service.conftest import PASSWORD, Tenant, example
from tests.store.conftest import moto_server  # noqa: F401  (re-exported fixture: locked moto)

MARK = "acme-only"
A_ID = "acme"
B_ID = "acme-co"
TOKEN_SECRET = "s" * 48

HOT_LEAD = {
    "lead": {
        "email": f"ada@{MARK}.example",
        "name": "Ada",
        "budget": 45000,
        "timeline": "this_month",
        "source": "web",
    }
}

A_LOGO = b'<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8"/></svg>'
"""A's logo; served publicly by design, so it carries no marker."""

B_LEAD = {"lead": {"email": "bob@b.example", "name": "Bob", "budget": 45000, "source": "web"}}
"""What B sends to endpoints: a valid lead without A's marker, so an echo is never a "leak"."""


def leaks(text: str) -> bool:
    """Whether a response body shows any of tenant A's private data."""
    return MARK in text.lower()


def a_graph(version: int = 1) -> dict[str, Any]:
    """A's private lead-scoring graph (id ``lead_scoring``), marked in name and description."""
    graph = example("lead-scoring")
    graph["name"] = f"{MARK.title()} lead scoring v{version}"
    graph["description"] = f"{MARK} secret routing rules, revision {version}"
    return graph


def b_graph(graph_id: str, name: str = "B payload") -> dict[str, Any]:
    """A small valid graph owned by whoever saves it; never carries A's marker."""
    graph = example("http-echo")
    graph["id"] = graph_id
    graph["name"] = name
    graph["description"] = "sent by tenant B"
    graph["nodes"][0]["config"]["auth"] = "api_key"
    return graph


@dataclass
class SeededA:
    """Ids of everything tenant A owns; B's requests aim at exactly these."""

    graph_id: str = "lead_scoring"
    versions: tuple[int, ...] = (1, 2)
    slug: str = "leads"
    run_ids: list[str] = field(default_factory=list)
    key_id: str = ""
    user: str = f"alice@{MARK}.example"
    conversation_id: str = ""
    logo_file: str = ""
    """A's current logo: public by design (the login page shows it), the bytes carry no mark."""


def seed_a(http: httpx.Client | TestClient, a: Tenant, store: TenantStore) -> SeededA:
    """Give A a graph with two versions, a deployment, runs, a second key, settings, a user."""
    seeded = SeededA()
    created = http.post(
        "/api/v1/graphs", json={"graph": a_graph(1), "message": f"{MARK} v1"}, headers=a.auth
    )
    assert created.status_code == 201, created.text
    saved = http.put(
        "/api/v1/graphs/lead_scoring",
        json={"graph": a_graph(2), "base_version": 1, "message": f"{MARK} v2"},
        headers=a.auth,
    )
    assert saved.status_code == 200, saved.text
    deployed = http.post(
        "/api/v1/deployments", json={"slug": "leads", "graph_id": "lead_scoring"}, headers=a.auth
    )
    assert deployed.status_code == 201, deployed.text
    ran = http.post("/t/acme/leads", json=HOT_LEAD, headers=a.key)
    assert ran.status_code == 200, ran.text
    seeded.run_ids.append(ran.headers["x-auterity-run-id"])
    manual = http.post(
        "/api/v1/graphs/lead_scoring/run", json={"input": {"body": HOT_LEAD}}, headers=a.auth
    )
    assert manual.status_code == 200, manual.text
    seeded.run_ids.append(manual.json()["run_id"])
    key = http.post(
        "/api/v1/api-keys", json={"name": f"{MARK} robot", "role": "viewer"}, headers=a.auth
    )
    assert key.status_code == 201, key.text
    seeded.key_id = key.json()["key"]["key_id"]
    settings = http.get("/api/v1/settings", headers=a.auth).json()
    settings["egress_allow"] = [f"api.{MARK}.example"]
    updated = http.put("/api/v1/settings", json=settings, headers=a.auth)
    assert updated.status_code == 200, updated.text
    store.create_user(seeded.user, PASSWORD, "viewer")
    asked = http.post(  # a pending deploy approval of v2 (SOC2 change control)
        "/api/v1/approvals", json={"graph_id": "lead_scoring", "version": 2}, headers=a.auth
    )
    assert asked.status_code == 201, asked.text
    chat = http.post(  # no AI provider: the closest template, in a conversation of A's admin
        "/api/v1/ai/generate-graph",
        json={"description": f"{MARK} score dealership leads"},
        headers=a.auth,
    )
    assert chat.status_code == 200, chat.text
    seeded.conversation_id = chat.json()["conversation_id"]
    brand = {"product_name": "Acme", "custom_domain": f"flow.{MARK}.example", "revision": 0}
    branded = http.put("/api/v1/brand", json=brand, headers=a.auth)
    assert branded.status_code == 200, branded.text
    logo = http.put(
        "/api/v1/brand/assets/logo",
        content=A_LOGO,
        headers={**a.auth, "content-type": "image/svg+xml"},
    )
    assert logo.status_code == 200, logo.text
    seeded.logo_file = logo.json()["logo_url"].rsplit("/", 1)[-1]
    # Positive control: A itself sees its marked data, so ``leaks`` can detect a leak at all.
    assert leaks(http.get("/api/v1/graphs/lead_scoring", headers=a.auth).text)
    return seeded


def raw_items(client: Any, table: str, tenant_id: str) -> list[dict[str, Any]]:
    """Every item in a tenant's key space, exactly as DynamoDB holds it (secrets included)."""
    items: list[dict[str, Any]] = []
    for page in client.get_paginator("scan").paginate(
        TableName=table,
        FilterExpression="begins_with(PK, :p)",
        ExpressionAttributeValues={":p": {"S": f"TENANT#{tenant_id}#"}},
        ConsistentRead=True,
    ):
        items.extend(page["Items"])
    items.sort(key=lambda item: (item["PK"]["S"], item["SK"]["S"]))
    loaded: list[dict[str, Any]] = json.loads(json.dumps(items, sort_keys=True))
    return loaded


def snapshot(store: TenantStore, client: Any, table: str) -> dict[str, Any]:
    """Everything a tenant owns, through the store and as raw items of its key space."""
    graphs = {}
    for head in store.list_graphs():
        versions = store.list_versions(head.graph_id)
        graphs[head.graph_id] = {
            "head": head.model_dump(),
            "versions": [v.model_dump() for v in versions],
            "bodies": [
                store.get_graph(head.graph_id, v.version).model_dump(mode="json") for v in versions
            ],
        }
    return {
        "graphs": graphs,
        "deployments": [d.model_dump() for d in store.list_deployments()],
        "runs": [r.model_dump(mode="json") for r in store.list_runs(limit=1000)],
        "settings": store.get_settings().model_dump(),
        "brand": store.get_brand().model_dump(mode="json"),
        "api_keys": [k.model_dump() for k in store.list_api_keys()],
        "users": [u.model_dump() for u in store.list_users()],
        "audit": [e.model_dump() for e in store.list_audit(1000)],
        "raw": raw_items(client, table, store.tenant_id),
    }


# --- a real server -------------------------------------------------------------------------


@dataclass
class Live:
    """uvicorn serving the app on 127.0.0.1, over moto's real HTTP endpoint."""

    url: str
    host: str
    port: int
    app: FastAPI
    dynamodb: Any
    table: str
    directory: Directory
    a: Tenant
    b: Tenant

    def store(self, tenant_id: str) -> TenantStore:
        return self.directory.tenant(tenant_id)

    def http(self, timeout: float = 30, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=timeout, **kwargs)


def _listening_socket() -> socket.socket:
    # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY only on sockets that say they are TCP,
    # and without it every keep-alive response waits ~40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@dataclass
class Uvicorn:
    server: uvicorn.Server
    thread: threading.Thread
    port: int

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        assert not self.thread.is_alive(), "uvicorn did not stop"


def start_uvicorn(app: FastAPI, sock: socket.socket | None = None) -> Uvicorn:
    """Serve ``app`` on ``sock`` (bound first when the app must know its own port)."""
    sock = sock or _listening_socket()
    port: int = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        lifespan="off",
        ws="none",
        http="h11",
        log_level="warning",
        access_log=False,
        timeout_keep_alive=30,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive(), "uvicorn exited while starting"
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    return Uvicorn(server, thread, port)


@dataclass
class Backend:
    """Fresh tables on moto's HTTP server, with the service config that names them."""

    endpoint: str
    config: ServiceConfig
    dynamodb: Any
    directory: Directory

    def new_client(self) -> Any:
        """Another production-configured client (``make_client``) for the same endpoint."""
        return make_client(endpoint_url=self.endpoint, region="us-east-1")


@pytest.fixture
def backend(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Backend]:  # noqa: F811
    """Fake credentials, fresh tables (so tests share nothing), quiet moto request logs."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    # moto's werkzeug server logs every request at INFO: thousands of lines in a failure report.
    werkzeug = logging.getLogger("werkzeug")
    monkeypatch.setattr(werkzeug, "level", max(werkzeug.level, logging.WARNING))
    suffix = uuid.uuid4().hex[:12]
    config = ServiceConfig(
        table_name=f"auterity-{suffix}",
        idempotency_table_name=f"auterity-idem-{suffix}",
        assets_bucket=f"auterity-assets-{suffix}",
        token_secret=TOKEN_SECRET,
        max_run_seconds=5,
    )
    dynamodb = make_client(endpoint_url=moto_server, region="us-east-1")
    try:
        create_table(dynamodb, config.table_name)
        create_idempotency_table(dynamodb, config.idempotency_table_name)
        create_bucket(
            make_s3_client(endpoint_url=moto_server, region="us-east-1"), config.assets_bucket
        )
        yield Backend(moto_server, config, dynamodb, Directory(dynamodb, config.table_name))
    finally:
        dynamodb.close()


def make_tenant(http: Any, directory: Directory, tenant_id: str) -> Tenant:
    """Create a tenant with an admin user and an admin API key, and log the admin in."""
    directory.create_tenant(tenant_id, tenant_id.title())
    store = directory.tenant(tenant_id)
    store.create_user("admin@example.com", PASSWORD, "admin")
    _, secret = store.create_api_key("ci", "admin")
    login = http.post(
        "/api/v1/auth/login",
        json={"tenant": tenant_id, "email": "admin@example.com", "password": PASSWORD},
    )
    assert login.status_code == 200, login.text
    return Tenant(tenant_id, login.json()["token"], secret)


@pytest.fixture
def live(backend: Backend) -> Iterator[Live]:
    """The app under uvicorn over ``backend``, with tenants ``acme`` and ``acme-co``."""
    s3 = make_s3_client(endpoint_url=backend.endpoint, region="us-east-1")
    app = create_app(backend.config, backend.dynamodb, s3=s3)
    running = start_uvicorn(app)
    url = f"http://127.0.0.1:{running.port}"
    try:
        with httpx.Client(base_url=url, timeout=30) as http:
            a = make_tenant(http, backend.directory, A_ID)
            b = make_tenant(http, backend.directory, B_ID)
        yield Live(
            url, "127.0.0.1", running.port, app, backend.dynamodb, backend.config.table_name,
            backend.directory, a, b,
        )  # fmt: skip
    finally:
        running.stop()
