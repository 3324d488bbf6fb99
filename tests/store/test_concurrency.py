"""Fifty writers save the same graph from the same base version at the same moment, each with
its own client against a real HTTP endpoint: exactly one wins, the rest get ``Conflict``."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from runtime.store import Conflict, Directory, GraphVersion, TenantStore, create_table, make_client

from .conftest import make_graph

WRITERS = 50


@pytest.fixture
def table(aws_env: None, moto_server: str) -> tuple[str, str]:
    name = f"t{uuid.uuid4().hex}"
    client = make_client(endpoint_url=moto_server, region="us-east-1")
    try:
        create_table(client, name)
        directory = Directory(client, name)
        directory.create_tenant("acme", "Acme")
        store = directory.tenant("acme")
        store.create_graph(make_graph(), author="setup")
        store.save_graph(make_graph(name="base"), base_version=1, author="setup")
    finally:
        client.close()
    return moto_server, name


def test_fifty_concurrent_saves_one_winner(table: tuple[str, str]) -> None:
    endpoint, name = table
    clients = [make_client(endpoint_url=endpoint, region="us-east-1") for _ in range(WRITERS)]
    start = threading.Barrier(WRITERS)

    def save(index: int) -> GraphVersion | Conflict:
        store = TenantStore(clients[index], "acme", name)
        start.wait()
        try:
            return store.save_graph(
                make_graph(name=f"writer {index}"), base_version=2, author=f"w{index}"
            )
        except Conflict as exc:
            return exc

    try:
        with ThreadPoolExecutor(WRITERS) as pool:
            results: list[Any] = list(pool.map(save, range(WRITERS)))
        winners = [r for r in results if isinstance(r, GraphVersion)]
        losers = [r for r in results if isinstance(r, Conflict)]
        assert len(winners) == 1, results
        assert len(losers) == WRITERS - 1
        assert {c.current_version for c in losers} == {3}

        store = TenantStore(clients[0], "acme", name)
        [winner] = winners
        head = store.get_graph("orders")
        assert (head.version, head.graph.name, head.author) == (3, winner.graph.name, winner.author)
        assert [h.version for h in store.list_graphs()] == [3]
        assert [v.version for v in store.list_versions("orders")] == [3, 2, 1]
        assert store.get_graph("orders", 2).graph.name == "base"
        assert store.get_graph("orders", 1).graph.name == "Orders"
    finally:
        for client in clients:
            client.close()
