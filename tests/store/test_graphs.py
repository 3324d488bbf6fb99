from __future__ import annotations

from typing import Any

import pytest

from runtime.core.canonical import graph_hash
from runtime.store import Conflict, InvalidInput, NotFound, TenantStore, codec
from runtime.store.keys import TenantKeys

from .conftest import TABLE, make_graph, passed


def raw_get(client: Any, pk: str, sk: str) -> dict[str, Any] | None:
    item = client.get_item(TableName=TABLE, Key=codec.to_item({"PK": pk, "SK": sk})).get("Item")
    return None if item is None else codec.from_item(item)


def raw_put(client: Any, fields: dict[str, Any]) -> None:
    client.put_item(TableName=TABLE, Item=codec.to_item(fields))


def partition(client: Any, pk: str) -> list[dict[str, Any]]:
    response = client.query(
        TableName=TABLE,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": pk}},
    )
    return [codec.from_item(i) for i in response["Items"]]


def hand_written_version(client: Any, tenant: str, graph_id: str, version: int, name: str) -> None:
    """What a save that crashed between its two writes leaves behind."""
    keys = TenantKeys(tenant)
    head = raw_get(client, *keys.graph_head(graph_id))
    assert head is not None
    graph = make_graph(graph_id, name)
    key = keys.graph_version(graph_id, version)
    raw_put(
        client,
        {
            "PK": key.pk,
            "SK": key.sk,
            "graph_id": graph_id,
            "version": version,
            "epoch": head["epoch"],
            "name": name,
            "graph": graph.model_dump(mode="json"),
            "message": "crashed",
            "author": "crash@x.io",
            "created_at": "2026-11-01T00:00:00+00:00",
            "hash": graph_hash(graph),
        },
    )


def test_create_then_get(acme: TenantStore) -> None:
    graph = make_graph()
    created = acme.create_graph(graph, author="ann@x.io", message="first")
    assert (created.version, created.author, created.message) == (1, "ann@x.io", "first")
    assert created.hash == graph_hash(graph)
    assert acme.get_graph("orders") == created
    assert acme.get_graph("orders", 1) == created
    assert acme.get_graph("orders").graph == graph
    [head] = acme.list_graphs()
    assert (head.graph_id, head.name, head.version, head.updated_by) == (
        "orders",
        "Orders",
        1,
        "ann@x.io",
    )


def test_create_twice_conflicts(acme: TenantStore) -> None:
    acme.create_graph(make_graph(), author="a")
    with pytest.raises(Conflict) as caught:
        acme.create_graph(make_graph(name="Other"), author="b")
    assert caught.value.current_version == 1
    assert acme.get_graph("orders").graph.name == "Orders"


def test_save_advances_and_stale_save_conflicts_without_overwriting(acme: TenantStore) -> None:
    acme.create_graph(make_graph(), author="a")
    v2 = acme.save_graph(make_graph(name="Two"), base_version=1, author="b", message="m")
    assert v2.version == 2
    with pytest.raises(Conflict) as caught:
        acme.save_graph(make_graph(name="Stale"), base_version=1, author="c")
    assert caught.value.current_version == 2
    assert acme.get_graph("orders") == v2
    assert acme.get_graph("orders", 1).graph.name == "Orders"
    assert [h.version for h in acme.list_graphs()] == [2]


def test_versions_newest_first(acme: TenantStore) -> None:
    acme.create_graph(make_graph(), author="a", message="one")
    for base in (1, 2):
        acme.save_graph(
            make_graph(name=f"v{base + 1}"),
            base_version=base,
            author="a",
            message=f"save {base + 1}",
        )
    infos = acme.list_versions("orders")
    assert [(i.version, i.message) for i in infos] == [(3, "save 3"), (2, "save 2"), (1, "one")]
    assert infos[0].hash == acme.get_graph("orders", 3).hash
    assert not hasattr(infos[0], "graph")


def test_missing_things_are_not_found(acme: TenantStore) -> None:
    with pytest.raises(NotFound, match="graph 'nope'"):
        acme.get_graph("nope")
    with pytest.raises(NotFound):
        acme.save_graph(make_graph("nope"), base_version=1, author="a")
    with pytest.raises(NotFound):
        acme.list_versions("nope")
    with pytest.raises(NotFound):
        acme.delete_graph("nope")
    acme.create_graph(make_graph(), author="a")
    for version in (0, 2, -1):
        with pytest.raises(NotFound, match="version"):
            acme.get_graph("orders", version)
    assert acme.list_graphs()[0].graph_id == "orders"


def test_bad_graph_ids_are_invalid(acme: TenantStore) -> None:
    with pytest.raises(InvalidInput):
        acme.get_graph("a#b")


def test_graph_too_large_for_one_item_is_refused(acme: TenantStore) -> None:
    with pytest.raises(InvalidInput, match="too large"):
        acme.create_graph(make_graph(blob="x" * 500_000), author="a")
    assert acme.list_graphs() == []


def test_delete_removes_head_and_versions_and_the_id_can_be_reused(
    acme: TenantStore, client: Any
) -> None:
    acme.create_graph(make_graph(), author="a")
    acme.save_graph(make_graph(name="Two"), base_version=1, author="a")
    acme.delete_graph("orders")
    assert acme.list_graphs() == []
    assert partition(client, "TENANT#acme#GRAPH#orders") == []
    with pytest.raises(NotFound):
        acme.get_graph("orders")
    again = acme.create_graph(make_graph(name="Again"), author="b")
    assert again.version == 1
    assert acme.get_graph("orders").graph.name == "Again"


def test_delete_is_refused_while_deployed(acme: TenantStore) -> None:
    acme.create_graph(make_graph(), author="a")
    acme.deploy("orders-api", passed(acme, "orders", 1), by="a")
    with pytest.raises(Conflict, match="orders-api"):
        acme.delete_graph("orders")
    # The refusal leaves the graph fully usable.
    assert acme.get_graph("orders").version == 1
    assert acme.save_graph(make_graph(), base_version=1, author="a").version == 2
    acme.undeploy("orders-api")
    acme.delete_graph("orders")
    assert acme.list_graphs() == []


def test_crashed_save_is_rolled_forward_by_the_next_read(acme: TenantStore, client: Any) -> None:
    acme.create_graph(make_graph(), author="a")
    acme.save_graph(make_graph(name="Two"), base_version=1, author="a")
    hand_written_version(client, "acme", "orders", 3, "Three")
    assert raw_get(client, "TENANT#acme#", "GRAPH#orders")["version"] == 2  # type: ignore[index]

    current = acme.get_graph("orders")
    assert (current.version, current.graph.name, current.author) == (3, "Three", "crash@x.io")
    head = raw_get(client, "TENANT#acme#", "GRAPH#orders")
    assert head is not None
    assert (head["version"], head["name"], head["updated_by"]) == (3, "Three", "crash@x.io")
    assert acme.list_graphs()[0].version == 3


def test_crashed_save_is_rolled_forward_by_the_next_save(acme: TenantStore, client: Any) -> None:
    acme.create_graph(make_graph(), author="a")
    hand_written_version(client, "acme", "orders", 2, "Two")
    with pytest.raises(Conflict) as caught:
        acme.save_graph(make_graph(name="Mine"), base_version=1, author="b")
    assert caught.value.current_version == 2
    assert acme.get_graph("orders", 2).graph.name == "Two"  # not overwritten
    assert acme.save_graph(make_graph(name="Mine"), base_version=2, author="b").version == 3


def test_crashed_create_is_completed_not_wedged(acme: TenantStore, client: Any) -> None:
    keys = TenantKeys("acme")
    key = keys.graph_head("orders")
    raw_put(
        client,
        {
            "PK": key.pk,
            "SK": key.sk,
            "graph_id": "orders",
            "version": 0,
            "name": "Orders",
            "updated_at": "2026-11-01T00:00:00+00:00",
            "updated_by": "a",
            "epoch": "e1",
        },
    )
    # Head written, version 1 not: the graph does not exist yet ...
    assert acme.list_graphs() == []
    with pytest.raises(NotFound):
        acme.get_graph("orders")
    # ... and creating it again completes the interrupted create.
    assert acme.create_graph(make_graph(), author="b").version == 1

    raw_put(client, {**raw_get(client, *keys.graph_head("orders")), "version": 0})  # type: ignore[dict-item]
    assert acme.get_graph("orders").version == 1  # head 0 + version 1: rolled forward


def test_left_over_version_of_a_deleted_graph_is_not_resurrected(
    acme: TenantStore, client: Any
) -> None:
    acme.create_graph(make_graph(), author="a")
    key = TenantKeys("acme").graph_version("orders", 2)
    raw_put(
        client,
        {  # from an earlier incarnation of the same id (different epoch)
            "PK": key.pk,
            "SK": key.sk,
            "graph_id": "orders",
            "version": 2,
            "epoch": "old",
            "name": "Ghost",
            "graph": make_graph(name="Ghost").model_dump(mode="json"),
            "message": "",
            "author": "ghost",
            "created_at": "2020-01-01T00:00:00+00:00",
            "hash": "x",
        },
    )
    assert acme.get_graph("orders").version == 1
    saved = acme.save_graph(make_graph(name="Real"), base_version=1, author="a")
    assert (saved.version, acme.get_graph("orders", 2).graph.name) == (2, "Real")


def test_interrupted_delete_hides_the_graph_and_can_be_finished(
    acme: TenantStore, client: Any
) -> None:
    acme.create_graph(make_graph(), author="a")
    acme.save_graph(make_graph(), base_version=1, author="a")
    head = raw_get(client, "TENANT#acme#", "GRAPH#orders")
    raw_put(client, {**head, "deleting": "tok"})  # type: ignore[dict-item]
    client.delete_item(
        TableName=TABLE, Key=codec.to_item({"PK": "TENANT#acme#GRAPH#orders", "SK": "V#00000001"})
    )
    assert acme.list_graphs() == []
    with pytest.raises(NotFound):
        acme.get_graph("orders")
    with pytest.raises(NotFound):
        acme.save_graph(make_graph(), base_version=2, author="a")
    acme.delete_graph("orders")  # finishes the job
    assert partition(client, "TENANT#acme#GRAPH#orders") == []
    assert raw_get(client, "TENANT#acme#", "GRAPH#orders") is None


def test_create_over_an_interrupted_delete_starts_afresh(acme: TenantStore, client: Any) -> None:
    acme.create_graph(make_graph(), author="a")
    acme.save_graph(make_graph(), base_version=1, author="a")
    head = raw_get(client, "TENANT#acme#", "GRAPH#orders")
    raw_put(client, {**head, "deleting": "tok"})  # type: ignore[dict-item]
    fresh = acme.create_graph(make_graph(name="Fresh"), author="b")
    assert fresh.version == 1
    assert [v.version for v in acme.list_versions("orders")] == [1]
