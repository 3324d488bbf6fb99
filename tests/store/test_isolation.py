"""Two tenants, ``acme`` and ``acme-co`` (one id a prefix of the other), holding the same graph
ids, slugs, run ids and emails: everything done through one never sees or touches the other."""

from __future__ import annotations

import time
from typing import Any

import pytest

from runtime.store import (
    Directory,
    NotFound,
    RunRecord,
    TenantSettings,
    TenantStore,
    UsageRecord,
)

from .conftest import make_graph, passed

RUN_ID = "0000000000000001aaaaaaaaaaaaaaaa"
EMAIL = "ann@example.com"


def seed(store: TenantStore) -> str:
    """The same ids in every tenant, with contents that say whose they are."""
    mark = store.tenant_id
    store.create_graph(make_graph(name=f"{mark} v1"), author=mark)
    store.save_graph(make_graph(name=f"{mark} v2"), base_version=1, author=mark)
    store.create_graph(make_graph("billing", name=f"{mark} billing"), author=mark)
    store.deploy("orders", passed(store, "orders", 2), by=mark)
    store.put_run(
        RunRecord(
            run_id=RUN_ID,
            graph_id="orders",
            version=2,
            status="queued",
            trigger="http",
            started_at="2026-11-05T10:00:00+00:00",
            expires_at=int(time.time()) + 3600,
            output={"owner": mark},
        )
    )
    store.create_user(EMAIL, f"{mark} password", "admin")
    _, secret = store.create_api_key(f"{mark} key")
    store.update_settings(TenantSettings(egress_allow=[f"{mark}.example.com"]))
    store.record_audit(actor=mark, action="seed", target="all")
    store.record_usage(UsageRecord(at="2026-11-05T10:00:00+00:00", kind=mark, quantity=1))
    return secret


def snapshot(store: TenantStore) -> list[str]:
    return sorted(store.export_lines())


def tenant_items(client: Any, prefix: str) -> list[Any]:
    items = client.scan(TableName="auterity")["Items"]
    return sorted(
        (i for i in items if i["PK"]["S"].startswith(prefix)), key=lambda i: str(sorted(i.items()))
    )


@pytest.fixture
def pair(directory: Directory) -> dict[str, tuple[TenantStore, str]]:
    stores = {}
    for tenant_id in ("acme", "acme-co"):
        directory.create_tenant(tenant_id, tenant_id)
        store = directory.tenant(tenant_id)
        stores[tenant_id] = (store, seed(store))
    return stores


@pytest.mark.parametrize(("me", "other"), [("acme", "acme-co"), ("acme-co", "acme")])
def test_reads_see_only_their_own_tenant(
    pair: dict[str, tuple[TenantStore, str]], me: str, other: str
) -> None:
    store, secret = pair[me]
    _, other_secret = pair[other]
    assert store.get_graph("orders").graph.name == f"{me} v2"
    assert store.get_graph("orders", 1).graph.name == f"{me} v1"
    assert {h.name for h in store.list_graphs()} == {f"{me} v2", f"{me} billing"}
    assert {v.author for v in store.list_versions("orders")} == {me}
    assert store.get_deployment("orders").deployed_by == me
    assert [d.deployed_by for d in store.list_deployments()] == [me]
    assert store.get_run(RUN_ID).output == {"owner": me}
    assert [r.output for r in store.list_runs()] == [{"owner": me}]
    assert store.authenticate(EMAIL, f"{me} password") is not None
    assert store.authenticate(EMAIL, f"{other} password") is None
    assert [u.email for u in store.list_users()] == [EMAIL]
    assert store.verify_api_key(secret) is not None
    assert store.verify_api_key(other_secret) is None
    assert [k.name for k in store.list_api_keys()] == [f"{me} key"]
    assert store.get_settings().egress_allow == [f"{me}.example.com"]
    assert [e.actor for e in store.list_audit()] == [me]
    assert [u.kind for u in store.list_usage("2026-11")] == [me]
    assert all(f'"TENANT#{me}#' in line for line in store.export_lines())


@pytest.mark.parametrize(("me", "other"), [("acme", "acme-co"), ("acme-co", "acme")])
def test_writes_never_touch_the_other_tenant(
    pair: dict[str, tuple[TenantStore, str]], client: Any, me: str, other: str
) -> None:
    store, _ = pair[me]
    other_store, _ = pair[other]
    before = snapshot(other_store)
    raw_before = tenant_items(client, f"TENANT#{other}#")

    store.save_graph(make_graph(name="changed"), base_version=2, author=me)
    store.deploy("orders", passed(store, "orders", 3), by=me)
    store.rollback("orders", passed(store, "orders", 1), by=me)
    store.undeploy("orders")
    store.delete_graph("orders")
    store.delete_graph("billing")
    store.update_run(RUN_ID, status="running")
    store.update_run(RUN_ID, status="cancelled", output="stopped")
    for key in store.list_api_keys():
        store.revoke_api_key(key.key_id)
    store.delete_user(EMAIL)
    store.update_settings(store.get_settings().model_copy(update={"public_endpoints": False}))
    store.record_audit(actor=me, action="more", target="all")
    store.record_usage(UsageRecord(at="2026-11-06T10:00:00+00:00", kind=me, quantity=2))
    store.create_graph(make_graph(name="new"), author=me)
    for missing in (lambda: store.get_user(EMAIL), lambda: store.get_deployment("orders")):
        with pytest.raises(NotFound):
            missing()

    assert snapshot(other_store) == before
    assert tenant_items(client, f"TENANT#{other}#") == raw_before
    assert other_store.get_graph("orders").graph.name == f"{other} v2"
    assert other_store.get_run(RUN_ID).status == "queued"
