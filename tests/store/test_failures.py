"""Throttling and crashes between the writes of one operation: the caller gets ``Throttled``
and the data stays consistent, never half-written as far as any reader can tell."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse  # type: ignore[import-untyped]
from botocore.exceptions import (  # type: ignore[import-untyped]
    ClientError,
    EndpointConnectionError,
)
from moto.core.botocore_stubber import MockRawResponse

from runtime.store import (
    NotFound,
    RunRecord,
    StoreError,
    TenantStore,
    Throttled,
    create_table,
    make_client,
)
from runtime.store.table import MAX_RETRIES, THROTTLE_CODES

from .conftest import TABLE, make_graph, passed

WRITES = {"put_item", "update_item", "delete_item"}


class Flaky:
    """A real client whose chosen calls fail the way DynamoDB fails them."""

    def __init__(self, real: Any, *, fail: Callable[[str, int], bool], code: str) -> None:
        self.real, self.fail, self.code = real, fail, code
        self.writes = 0

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.real, name)

        def call(**kwargs: Any) -> Any:
            if name in WRITES:
                self.writes += 1
            if self.fail(name, self.writes):
                error = {"Error": {"Code": self.code, "Message": "Rate of requests exceeded"}}
                raise ClientError(error, name)
            return method(**kwargs)

        return call


def flaky_store(client: Any, *, nth_write: int, code: str = "ThrottlingException") -> TenantStore:
    fail = lambda name, writes: name in WRITES and writes == nth_write  # noqa: E731
    return TenantStore(Flaky(client, fail=fail, code=code), "acme", TABLE)


def assert_consistent(store: TenantStore, graph_id: str = "orders") -> int | None:
    """Whatever is visible is complete: the head's version and every listed version load."""
    heads = {h.graph_id: h for h in store.list_graphs()}
    try:
        current = store.get_graph(graph_id)
    except NotFound:
        assert graph_id not in heads or heads[graph_id].version >= 1
        return None
    versions = [v.version for v in store.list_versions(graph_id)]
    assert versions == list(range(current.version, 0, -1))
    for version in versions:
        assert store.get_graph(graph_id, version).version == version
    assert {h.graph_id: h.version for h in store.list_graphs()}[graph_id] == current.version
    return current.version


@pytest.mark.parametrize("code", sorted(THROTTLE_CODES))
def test_throttling_codes_become_throttled(acme: TenantStore, client: Any, code: str) -> None:
    reads = TenantStore(Flaky(client, fail=lambda name, _: True, code=code), "acme", TABLE)
    with pytest.raises(Throttled):
        reads.get_graph("orders")
    with pytest.raises(Throttled):
        flaky_store(client, nth_write=1, code=code).create_graph(make_graph(), author="a")
    assert acme.list_graphs() == []


def test_other_client_errors_are_store_errors_not_throttles(client: Any) -> None:
    store = TenantStore(
        Flaky(client, fail=lambda *_: True, code="AccessDeniedException"), "acme", TABLE
    )
    with pytest.raises(StoreError, match="AccessDenied") as caught:
        store.list_graphs()
    assert not isinstance(caught.value, Throttled)
    with pytest.raises(StoreError, match="does not exist"):
        TenantStore(client, "acme", "missing-table").list_graphs()


def test_unreachable_endpoint_is_throttled(
    acme: TenantStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable(**_: Any) -> Any:
        raise EndpointConnectionError(endpoint_url="http://127.0.0.1:1")

    monkeypatch.setattr(acme._table.client, "get_item", unreachable)
    with pytest.raises(Throttled, match="unreachable"):
        acme.get_graph("orders")


@pytest.mark.parametrize("nth", [1, 2])
def test_save_interrupted_at_each_write(acme: TenantStore, client: Any, nth: int) -> None:
    acme.create_graph(make_graph(), author="a")
    with pytest.raises(Throttled):
        flaky_store(client, nth_write=nth).save_graph(
            make_graph(name="Two"), base_version=1, author="b"
        )
    # Version first, head second: either nothing happened or version 2 is complete.
    assert assert_consistent(acme) == (1 if nth == 1 else 2)
    assert acme.get_graph("orders").graph.name == ("Orders" if nth == 1 else "Two")


def test_save_interrupted_before_the_head_moves_is_never_seen_half_done(
    acme: TenantStore, client: Any
) -> None:
    acme.create_graph(make_graph(), author="a")
    with pytest.raises(Throttled):
        flaky_store(client, nth_write=2).save_graph(
            make_graph(name="Two"), base_version=1, author="b"
        )
    # Before anyone reads through the head, listings still show the last complete version.
    assert [h.version for h in acme.list_graphs()] == [1]
    assert acme.get_graph("orders", 1).graph.name == "Orders"
    # A retry of the same save learns that version 2 exists instead of overwriting it.
    with pytest.raises(Exception, match="version 2") as caught:
        acme.save_graph(make_graph(name="Two"), base_version=1, author="b")
    assert getattr(caught.value, "current_version", None) == 2


@pytest.mark.parametrize("nth", [1, 2, 3])
def test_create_interrupted_at_each_write(acme: TenantStore, client: Any, nth: int) -> None:
    with pytest.raises(Throttled):
        flaky_store(client, nth_write=nth).create_graph(make_graph(), author="a")
    visible = assert_consistent(acme)
    assert visible == (1 if nth == 3 else None)
    if visible is None:  # trying again completes it
        assert acme.create_graph(make_graph(), author="a").version == 1
    assert assert_consistent(acme) == 1


@pytest.mark.parametrize("nth", [1, 2, 3, 4])
def test_delete_interrupted_at_each_write(acme: TenantStore, client: Any, nth: int) -> None:
    acme.create_graph(make_graph(), author="a")
    acme.save_graph(make_graph(), base_version=1, author="a")
    # writes: tombstone, delete V#1, delete V#2, delete head
    with pytest.raises(Throttled):
        flaky_store(client, nth_write=nth).delete_graph("orders")
    assert assert_consistent(acme) == (2 if nth == 1 else None)
    acme.delete_graph("orders")
    assert assert_consistent(acme) is None
    assert (
        client.scan(
            TableName=TABLE,
            FilterExpression="begins_with(PK, :p)",
            ExpressionAttributeValues={":p": {"S": "TENANT#acme#GRAPH#"}},
        )["Items"]
        == []
    )


def test_single_write_operations_leave_nothing_on_throttle(acme: TenantStore, client: Any) -> None:
    acme.create_graph(make_graph(), author="a")
    flaky = flaky_store(client, nth_write=1)
    with pytest.raises(Throttled):
        flaky.deploy("orders", passed(flaky, "orders", 1), by="a")
    assert acme.list_deployments() == []
    run = acme.put_run(
        RunRecord(
            run_id=acme.new_run_id(),
            graph_id="orders",
            version=1,
            status="running",
            trigger="manual",
            started_at="t",
            expires_at=4102444800,
        )
    )
    with pytest.raises(Throttled):
        flaky_store(client, nth_write=1).update_run(run.run_id, status="succeeded", output=1)
    assert acme.get_run(run.run_id) == run


def test_make_client_retries_in_standard_mode(aws_env: None) -> None:
    client = make_client(endpoint_url="http://127.0.0.1:9", region="eu-west-1")
    assert client.meta.config.retries == {"mode": "standard", "total_max_attempts": MAX_RETRIES + 1}
    assert client.meta.endpoint_url == "http://127.0.0.1:9"
    assert client.meta.region_name == "eu-west-1"
    client.close()


def test_make_client_leaves_the_endpoint_to_boto3(
    aws_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8042")
    client = make_client()
    assert client.meta.endpoint_url == "http://127.0.0.1:8042"
    client.close()


def throttle_response(request: Any) -> AWSResponse:
    body = json.dumps(
        {
            "__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
            "message": "The level of configured provisioned throughput for the table was exceeded.",
        }
    ).encode()
    headers = {"x-amzn-RequestId": "test", "Content-Type": "application/x-amz-json-1.0"}
    return AWSResponse(request.url, 400, headers, MockRawResponse(body))


@pytest.mark.parametrize(("throttles", "succeeds"), [(2, True), (MAX_RETRIES + 1, False)])
def test_botocore_retries_throttles_before_the_store_gives_up(
    aws_env: None,
    moto_server: str,
    monkeypatch: pytest.MonkeyPatch,
    throttles: int,
    succeeds: bool,
) -> None:
    delays: list[float] = []
    monkeypatch.setattr("botocore.endpoint.time", SimpleNamespace(sleep=delays.append))
    client = make_client(endpoint_url=moto_server, region="us-east-1")
    table = f"t{uuid.uuid4().hex}"
    create_table(client, table)
    attempts: list[str] = []

    def maybe_throttle(request: Any, **_: Any) -> AWSResponse | None:
        attempts.append(request.url)
        return throttle_response(request) if len(attempts) <= throttles else None

    client.meta.events.register("before-send.dynamodb.PutItem", maybe_throttle)
    store = TenantStore(client, "acme", table)
    try:
        if succeeds:
            store.record_audit(actor="a", action="b", target="c")
            assert len(store.list_audit()) == 1
            assert len(attempts) == throttles + 2  # queued (after the throttles), then sealed
        else:
            with pytest.raises(Throttled):
                store.record_audit(actor="a", action="b", target="c")
            assert len(attempts) == MAX_RETRIES + 1
        assert len(delays) == min(throttles, MAX_RETRIES)
    finally:
        client.close()
