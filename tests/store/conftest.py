"""moto-backed fixtures: two tenants whose ids share a prefix (``acme`` and ``acme-co``), so
every test that uses both also checks that the ``#`` after the tenant id does its job."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from moto import mock_aws
from moto.dynamodb.responses import DynamoHandler
from moto.server import ThreadedMotoServer

from runtime.core.graph import Edge, Graph, Node
from runtime.service.gate import pass_gate
from runtime.store import Directory, TenantStore, create_table, make_client
from runtime.store.gatepass import GatePassed

TABLE = "auterity"


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials, and no endpoint override that could send a test somewhere real."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def client(aws_env: None) -> Iterator[Any]:
    with mock_aws():
        dynamodb = make_client(region="us-east-1")
        create_table(dynamodb, TABLE)
        yield dynamodb


@pytest.fixture
def directory(client: Any) -> Directory:
    return Directory(client, TABLE)


@pytest.fixture
def acme(directory: Directory) -> TenantStore:
    directory.create_tenant("acme", "Acme Motors", "automotive")
    return directory.tenant("acme")


@pytest.fixture
def acme_co(directory: Directory) -> TenantStore:
    directory.create_tenant("acme-co", "Acme Co", "finance")
    return directory.tenant("acme-co")


def make_graph(graph_id: str = "orders", name: str = "Orders", **metadata: Any) -> Graph:
    """A small valid graph: deployments pass the deploy gate, which compiles it."""
    return Graph(
        id=graph_id,
        name=name,
        nodes=[
            Node(id="hook", type="trigger.webhook", config={}),
            Node(id="shape", type="http.respond", config={"status": 200, "body": {"total": 1.5}}),
        ],
        edges=[Edge(source="hook", target="shape")],
        metadata=metadata,
    )


@pytest.fixture
def graph() -> Callable[..., Graph]:
    return make_graph


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def moto_server() -> Iterator[str]:
    """A real HTTP endpoint, for what ``mock_aws`` cannot do: threads and botocore's retries.

    DynamoDB applies each request atomically; moto's threaded server does not lock, so here
    requests are applied one at a time. Clients still race each other *between* requests,
    which is exactly where the store's conditional writes have to hold.
    """
    lock = threading.Lock()
    apply = DynamoHandler.call_action

    def atomically(handler: DynamoHandler) -> Any:
        with lock:
            return apply(handler)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DynamoHandler, "call_action", atomically)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        try:
            yield f"http://{host}:{port}"
        finally:
            server.stop()


def passed(store: TenantStore, graph_id: str, version: int) -> GatePassed:
    """The deploy gate's evidence for one version: what the store's deployment writes take."""
    return pass_gate(store, graph_id, version)
