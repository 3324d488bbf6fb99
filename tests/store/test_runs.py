from __future__ import annotations

import itertools
import json
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from runtime.store import Conflict, InvalidInput, NotFound, RunRecord, TenantStore, codec
from runtime.store.run_records import MOVES
from runtime.store.runsize import ITEM_BUDGET

from .conftest import TABLE

STATUSES = list(MOVES)
FUTURE = int(time.time()) + 86_400


def record(store: TenantStore, **changes: Any) -> RunRecord:
    fields: dict[str, Any] = {
        "run_id": store.new_run_id(),
        "graph_id": "orders",
        "version": 1,
        "slug": "orders",
        "status": "queued",
        "trigger": "http",
        "started_at": "2026-11-05T10:00:00+00:00",
        "expires_at": FUTURE,
        **changes,
    }
    return RunRecord.model_validate(fields)


def stored_size(client: Any, run_id: str) -> int:
    key = codec.to_item({"PK": "TENANT#acme#RUNS", "SK": f"RUN#{run_id}"})
    item = client.get_item(TableName=TABLE, Key=key)["Item"]
    return codec.item_size(item)


def test_run_ids_are_unique_and_time_ordered(acme: TenantStore) -> None:
    ids = [acme.new_run_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)


def test_put_get_and_duplicate(acme: TenantStore) -> None:
    run = record(acme, output={"S": "tricky", "n": 1.0, "d": "2026-01-05T10:00:00.000000"})
    assert acme.put_run(run) == run
    assert acme.get_run(run.run_id) == run
    with pytest.raises(Conflict, match="already exists"):
        acme.put_run(run)
    with pytest.raises(NotFound, match="run 'zzz'"):
        acme.get_run("zzz")
    with pytest.raises(InvalidInput):
        acme.put_run(run.model_copy(update={"run_id": "a#b"}))


def test_update_fills_in_the_outcome_and_keeps_the_rest(acme: TenantStore) -> None:
    run = acme.put_run(record(acme))
    running = acme.update_run(run.run_id, status="running")
    assert running.status == "running"
    done = acme.update_run(
        run.run_id,
        status="succeeded",
        finished_at="2026-11-05T10:00:01+00:00",
        duration_ms=12.5,
        output={"ok": True},
        trace=[{"node": "a", "outputs": {"x": 1}}],
    )
    assert done == run.model_copy(
        update={
            "status": "succeeded",
            "finished_at": "2026-11-05T10:00:01+00:00",
            "duration_ms": 12.5,
            "output": {"ok": True},
            "trace": [{"node": "a", "outputs": {"x": 1}}],
        }
    )
    assert acme.get_run(run.run_id) == done


@pytest.mark.parametrize(("before", "after"), list(itertools.product(STATUSES, STATUSES)))
def test_status_only_moves_forward(acme: TenantStore, before: str, after: str) -> None:
    run = acme.put_run(record(acme, status=before))
    if after in MOVES[before]:
        assert acme.update_run(run.run_id, status=after).status == after  # type: ignore[arg-type]
    else:
        with pytest.raises(Conflict, match=f"is {before}"):
            acme.update_run(run.run_id, status=after)  # type: ignore[arg-type]
        assert acme.get_run(run.run_id).status == before


def test_the_condition_not_the_read_enforces_forward_only(
    acme: TenantStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another writer finishes the run between our read and our write: our write must fail."""
    run = acme.put_run(record(acme, status="running"))
    stale = acme._table.get(acme._keys.run(run.run_id))
    acme.update_run(run.run_id, status="cancelled")
    real_get = acme._table.get
    calls = iter([stale])
    monkeypatch.setattr(
        acme._table,
        "get",
        lambda key, **kw: next(calls, None) or real_get(key, **kw),
    )
    with pytest.raises(Conflict, match="is cancelled"):
        acme.update_run(run.run_id, status="succeeded", output="late")
    assert acme.get_run(run.run_id).output is None


def test_update_of_a_missing_run(acme: TenantStore) -> None:
    with pytest.raises(NotFound):
        acme.update_run(acme.new_run_id(), status="running")


def test_list_newest_first_with_filters_and_limit(acme: TenantStore) -> None:
    runs = [
        acme.put_run(record(acme, graph_id=g, status=s))
        for g, s in [
            ("orders", "succeeded"),
            ("billing", "failed"),
            ("orders", "failed"),
            ("orders", "succeeded"),
            ("billing", "succeeded"),
        ]
    ]
    newest_first = [r.run_id for r in reversed(runs)]
    assert [r.run_id for r in acme.list_runs()] == newest_first
    assert [r.run_id for r in acme.list_runs(limit=2)] == newest_first[:2]
    assert [r.run_id for r in acme.list_runs(graph_id="orders")] == [
        runs[3].run_id,
        runs[2].run_id,
        runs[0].run_id,
    ]
    assert [r.run_id for r in acme.list_runs(status="failed")] == [runs[2].run_id, runs[1].run_id]
    assert [r.run_id for r in acme.list_runs(graph_id="orders", status="succeeded", limit=1)] == [
        runs[3].run_id,
    ]
    with pytest.raises(InvalidInput):
        acme.list_runs(limit=0)


def test_expired_runs_are_hidden_before_ttl_deletes_them(acme: TenantStore) -> None:
    old = acme.put_run(record(acme, expires_at=int(time.time()) - 1))
    live = acme.put_run(record(acme))
    assert [r.run_id for r in acme.list_runs()] == [live.run_id]
    with pytest.raises(NotFound):
        acme.get_run(old.run_id)


def test_small_traces_are_kept_whole(acme: TenantStore) -> None:
    trace = [{"node": f"n{i}", "inputs": {"x": "y" * 1000}, "outputs": {}} for i in range(50)]
    stored = acme.put_run(record(acme, trace=trace))
    assert stored.trace == trace
    assert not stored.trace_truncated


def test_huge_node_data_is_truncated_largest_first(acme: TenantStore, client: Any) -> None:
    trace = [
        {"node": f"n{i}", "inputs": {"blob": "x" * (60_000 + i)}, "outputs": {"small": i}}
        for i in range(20)
    ]
    stored = acme.put_run(record(acme, status="succeeded", trace=trace, output={"ok": 1}))
    assert stored.trace_truncated
    assert stored.output == {"ok": 1}
    cut = [i for i, e in enumerate(stored.trace) if e["inputs"].get("_truncated")]
    assert cut == list(range(20 - len(cut), 20))  # the largest went first ...
    assert 0 < len(cut) < 20  # ... and only as many as needed
    for i in cut:
        assert stored.trace[i]["inputs"] == {
            "_truncated": True,
            "bytes": len(codec.pack(trace[i]["inputs"])),
        }
    assert stored.trace[0]["inputs"] == trace[0]["inputs"]
    assert [e["outputs"] for e in stored.trace] == [e["outputs"] for e in trace]
    assert acme.get_run(stored.run_id) == stored
    assert stored_size(client, stored.run_id) <= ITEM_BUDGET < 400 * 1024


def test_huge_output_and_endless_traces_still_fit(acme: TenantStore, client: Any) -> None:
    trace = [{"node": f"n{i}", "status": "ok", "inputs": {}, "outputs": {}} for i in range(20_000)]
    stored = acme.put_run(record(acme, output="o" * 1_000_000, trace=trace))
    assert stored.trace_truncated
    assert stored.output == {"_truncated": True, "bytes": 1_000_002}
    assert stored.trace[-1]["_truncated"] is True
    assert stored.trace[-1]["dropped_entries"] + len(stored.trace) - 1 == 20_000
    assert stored_size(client, stored.run_id) <= ITEM_BUDGET


def test_update_with_a_huge_trace_is_bounded_too(acme: TenantStore, client: Any) -> None:
    run = acme.put_run(record(acme))
    trace = [{"node": f"n{i}", "outputs": {"blob": "z" * 100_000}} for i in range(10)]
    done = acme.update_run(run.run_id, status="succeeded", trace=trace)
    assert done.trace_truncated
    assert stored_size(client, run.run_id) <= ITEM_BUDGET


def test_moto_enforces_the_item_limit_we_stay_under(client: Any) -> None:
    """Without the bound, such a record would be refused outright."""
    item = codec.to_item({"PK": "TENANT#acme#RUNS", "SK": "RUN#x", "trace": "x" * 410_000})
    with pytest.raises(ClientError, match="size"):
        client.put_item(TableName=TABLE, Item=item)


def test_trace_entries_are_stored_without_their_defaults_and_read_back_whole(
    acme: TenantStore, client: Any
) -> None:
    from runtime.engine.trace import TRACE, NodeFailure, NodeTrace
    from runtime.store.run_records import TRACE_DEFAULTS

    plain, failed = TRACE.dump_python(
        [
            NodeTrace(node="hook", type="trigger.webhook", status="ok", attempts=1),
            NodeTrace(
                node="call",
                type="http.request",
                status="failed",
                error=NodeFailure(node="call", message="boom", type="NodeError"),
                handled=True,
                iteration=[2],
                attempts=3,
            ),
        ],
        mode="json",
    )
    marker = {"_truncated": True, "bytes": 10, "dropped_entries": 1}
    run = record(acme, status="succeeded", trace=[plain, failed, marker])
    acme.put_run(run)
    key = codec.to_item({"PK": "TENANT#acme#RUNS", "SK": f"RUN#{run.run_id}"})
    stored = json.loads(client.get_item(TableName=TABLE, Key=key)["Item"]["trace"]["S"])
    assert stored[0] == {"node": "hook", "type": "trigger.webhook", "status": "ok", "attempts": 1}
    assert stored[1]["handled"] is True
    assert stored[1]["iteration"] == [2]
    back = acme.get_run(run.run_id).trace
    assert back[0] == {**TRACE_DEFAULTS, **stored[0]}
    assert back[0] == TRACE.dump_python(TRACE.validate_python([plain]), mode="json")[0]
    assert back[1] == failed
    assert back[2] == marker
    assert acme.get_run(run.run_id) == run
