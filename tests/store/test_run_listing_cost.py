"""Listing runs costs what it returns, not the tenant's whole history (issue 14, item 4).

On a tenant with thousands of runs, ``GET /api/v1/runs?graph_id=<unknown>`` read every run of
the tenant and filtered them (5.9 s locally). DynamoDB reports how many items a query looked
at (``ScannedCount``); these tests hold that number to the size of the answer.
"""

from __future__ import annotations

from typing import Any

import pytest

from runtime.store import TenantStore, create_table

from .conftest import TABLE
from .test_runs import record

HISTORY = 120


class ScannedCounter:
    """Wraps the DynamoDB client and adds up ``ScannedCount`` over every query page."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.scanned = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def query(self, **kwargs: Any) -> dict[str, Any]:
        page: dict[str, Any] = self._client.query(**kwargs)
        self.scanned += int(page.get("ScannedCount", 0))
        return page


@pytest.fixture
def counted(acme: TenantStore, monkeypatch: pytest.MonkeyPatch) -> ScannedCounter:
    for i in range(HISTORY):
        status = "failed" if i % 40 == 0 else "succeeded"
        acme.put_run(record(acme, graph_id="orders", status=status))
    counter = ScannedCounter(acme._table.client)
    monkeypatch.setattr(acme._table, "client", counter)
    return counter


def test_an_unknown_graph_reads_nothing(acme: TenantStore, counted: ScannedCounter) -> None:
    assert acme.list_runs(graph_id="nobody") == []
    assert counted.scanned == 0


def test_a_status_filter_reads_only_runs_with_that_status(
    acme: TenantStore, counted: ScannedCounter
) -> None:
    failed = acme.list_runs(status="failed", limit=50)
    assert len(failed) == HISTORY // 40
    assert counted.scanned == len(failed)


def test_a_graph_and_status_filter_reads_only_its_runs(
    acme: TenantStore, counted: ScannedCounter
) -> None:
    acme.put_run(record(acme, graph_id="billing", status="failed"))
    failed = acme.list_runs(graph_id="billing", status="failed")
    assert [r.graph_id for r in failed] == ["billing"]
    assert counted.scanned == 1


def test_pages_follow_each_other_without_gaps(acme: TenantStore, counted: ScannedCounter) -> None:
    seen: list[str] = []
    before: str | None = None
    while True:
        page = acme.list_runs(graph_id="orders", limit=50, before=before)
        seen += [r.run_id for r in page]
        if len(page) < 50:
            break
        before = page[-1].run_id
    assert len(seen) == len(set(seen)) == HISTORY
    assert seen == sorted(seen, reverse=True)
    assert counted.scanned <= HISTORY + 3 * 5  # each page reads at most a few extra


def test_a_status_change_moves_the_run_between_status_keys(acme: TenantStore) -> None:
    run = acme.put_run(record(acme, graph_id="orders", status="queued"))
    assert [r.run_id for r in acme.list_runs(status="queued")] == [run.run_id]
    acme.update_run(run.run_id, status="succeeded", output={"ok": True})
    assert acme.list_runs(status="queued") == []
    assert [r.run_id for r in acme.list_runs(graph_id="orders", status="succeeded")] == [run.run_id]


def test_runs_of_a_table_made_before_the_indexes_are_found_after_an_upgrade(
    client: Any, acme: TenantStore
) -> None:
    """A table from an older release: indexes dropped, runs without index keys."""
    runs = [acme.put_run(record(acme, graph_id="orders", status="failed")) for _ in range(3)]
    for name in ("runs_by_graph", "runs_by_status", "runs_by_graph_status"):
        client.update_table(
            TableName=TABLE, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": name}}]
        )
    for run in runs:
        client.update_item(
            TableName=TABLE,
            Key={"PK": {"S": "TENANT#acme#RUNS"}, "SK": {"S": f"RUN#{run.run_id}"}},
            UpdateExpression="REMOVE RUN_GRAPH, RUN_STATUS, RUN_GRAPH_STATUS",
        )
    create_table(client, TABLE)
    listed = acme.list_runs(graph_id="orders", status="failed")
    assert [r.run_id for r in listed] == [r.run_id for r in reversed(runs)]


def test_another_tenant_s_runs_never_share_an_index_key(
    acme: TenantStore, acme_co: TenantStore
) -> None:
    acme.put_run(record(acme, graph_id="orders", status="failed"))
    assert acme_co.list_runs(graph_id="orders") == []
    assert acme_co.list_runs(status="failed") == []
