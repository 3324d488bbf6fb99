from __future__ import annotations

from typing import Any

import pytest

from runtime.store import Conflict, InvalidInput, NotFound, TenantStore
from runtime.store.access import Table
from runtime.store.deployments import HISTORY_LIMIT
from runtime.store.keys import TenantKeys

from .conftest import TABLE, make_graph, passed


@pytest.fixture
def store(acme: TenantStore) -> TenantStore:
    acme.create_graph(make_graph(), author="a")
    for base in (1, 2):
        acme.save_graph(make_graph(name=f"v{base + 1}"), base_version=base, author="a")
    return acme


def test_deploy_rollback_undeploy(store: TenantStore) -> None:
    first = store.deploy("orders", passed(store, "orders", 3), by="ann")
    assert (first.slug, first.graph_id, first.version, first.deployed_by) == (
        "orders",
        "orders",
        3,
        "ann",
    )
    assert [(c.version, c.action) for c in first.history] == [(3, "deploy")]
    back = store.rollback("orders", passed(store, "orders", 1), by="bob")
    assert back.version == 1
    assert [(c.version, c.action, c.by) for c in back.history] == [
        (3, "deploy", "ann"),
        (1, "rollback", "bob"),
    ]
    assert store.get_deployment("orders") == back
    assert store.list_deployments() == [back]
    store.undeploy("orders")
    assert store.list_deployments() == []
    with pytest.raises(NotFound, match="deployment 'orders'"):
        store.get_deployment("orders")
    with pytest.raises(NotFound):
        store.undeploy("orders")


def test_deploy_needs_an_existing_version(store: TenantStore) -> None:
    with pytest.raises(NotFound, match="version 4"):
        store.deploy("orders", passed(store, "orders", 4), by="a")
    with pytest.raises(NotFound, match="graph 'missing'"):
        store.deploy("orders", passed(store, "missing", 1), by="a")
    with pytest.raises(InvalidInput, match="slug"):
        store.deploy("Bad Slug", passed(store, "orders", 1), by="a")
    assert store.list_deployments() == []


def test_rollback_goes_only_to_an_earlier_version(store: TenantStore) -> None:
    store.deploy("orders", passed(store, "orders", 2), by="a")
    for version in (2, 3, 0):
        with pytest.raises(InvalidInput):
            store.rollback_target("orders", version)
    for version in (2, 3):
        with pytest.raises(InvalidInput):
            store.rollback("orders", passed(store, "orders", version), by="a")
    with pytest.raises(NotFound):
        store.rollback_target("nope", 1)
    with pytest.raises(NotFound):
        store.rollback("nope", passed(store, "orders", 1), by="a")
    assert store.rollback_target("orders", 1) == store.get_deployment("orders")
    assert store.rollback("orders", passed(store, "orders", 1), by="a").version == 1


def test_a_slug_serves_one_graph(store: TenantStore) -> None:
    store.create_graph(make_graph("billing"), author="a")
    store.deploy("orders", passed(store, "orders", 1), by="a")
    with pytest.raises(Conflict, match="undeploy"):
        store.deploy("orders", passed(store, "billing", 1), by="a")
    assert store.deploy("billing", passed(store, "billing", 1), by="a").graph_id == "billing"


def test_deploy_is_conditional_on_what_was_read(store: TenantStore, client: Any) -> None:
    """A writer that read revision r loses to one that wrote r+1 in between."""
    store.deploy("orders", passed(store, "orders", 1), by="a")
    table = Table(client, TABLE)
    key = TenantKeys("acme").deployment("orders")
    stale = table.get(key)
    assert stale is not None
    store.deploy("orders", passed(store, "orders", 2), by="b")
    with pytest.raises(Conflict):
        store._write(key, "orders", passed(store, "orders", 3), "c", "deploy", stale)
    assert store.get_deployment("orders").version == 2


def test_history_is_bounded(store: TenantStore) -> None:
    for i in range(HISTORY_LIMIT + 5):
        store.deploy("orders", passed(store, "orders", 1 + i % 3), by="a")
    deployment = store.get_deployment("orders")
    assert len(deployment.history) == HISTORY_LIMIT
    assert deployment.history[-1].version == deployment.version


def test_deploy_racing_a_delete_is_undone(store: TenantStore, client: Any) -> None:
    """The graph was tombstoned after our version check: the deploy takes itself back."""
    store.deploy("orders", passed(store, "orders", 1), by="a")
    table = Table(client, TABLE)
    table.update(TenantKeys("acme").graph_head("orders"), set_fields={"deleting": "tok"})
    with pytest.raises(NotFound):
        store._write(
            TenantKeys("acme").deployment("orders"),
            "orders",
            passed(store, "orders", 2),
            "b",
            "deploy",
            table.get(TenantKeys("acme").deployment("orders")),
        )
    assert store.get_deployment("orders").version == 1
