"""Runs: one item each, newest first by id, status moving only forward."""

from __future__ import annotations

import time
from dataclasses import MISSING, fields
from itertools import islice
from typing import Any, get_args

from runtime.engine.trace import NodeTrace
from runtime.store import codec
from runtime.store.access import ConditionFailed
from runtime.store.errors import Conflict, InvalidInput, NotFound
from runtime.store.ids import time_ordered_id
from runtime.store.keys import (
    GRAPH_ID,
    RECORD_ID,
    RUN_GRAPH,
    RUN_GRAPH_STATUS,
    RUN_STATUS,
    RUNS,
    checked,
    run_index_values,
)
from runtime.store.models import RunRecord, RunStatus
from runtime.store.runsize import ITEM_BUDGET, bound_run
from runtime.store.scoped import Scoped, model_from
from runtime.store.table import RUN_INDEXES

_ACTIVE = frozenset({"succeeded", "failed", "cancelled", "timed_out"})
MOVES: dict[str, frozenset[str]] = {
    "queued": _ACTIVE | {"running", "waiting"},
    "running": _ACTIVE | {"waiting"},
    "waiting": _ACTIVE | {"running"},
    "succeeded": frozenset(),
    "failed": frozenset(),
    "cancelled": frozenset(),
    "timed_out": frozenset(),
}
"""What a run in each status may become: a durable run goes back and forth between running and
waiting; the terminal statuses are final (a redrive alone starts a failed run again)."""
REDRIVABLE = frozenset({"failed", "timed_out"})
assert set(MOVES) == set(get_args(RunStatus))

MAX_LIST = 1000
RUN_INDEX_OF = {attr: (name, attr) for name, attr in RUN_INDEXES.items()}
"""Partition key attribute -> the index (name, attribute) ``Table.query`` reads."""
ROUNDS = 10

TRACE_DEFAULTS: dict[str, Any] = {
    f.name: f.default_factory() if f.default is MISSING else f.default  # type: ignore[operator]
    for f in fields(NodeTrace)
    if f.default is not MISSING or f.default_factory is not MISSING
}
"""What a trace entry holds unless it says otherwise: left out of stored items, put back on read.

Most entries are a plain success (no error, not handled, top level), so this is a tenth of a
run's item, paid on every endpoint request in DynamoDB capacity and time.
"""


_ENTRY_KEYS = frozenset(f.name for f in fields(NodeTrace)) - TRACE_DEFAULTS.keys()


def _compact(entry: dict[str, Any]) -> dict[str, Any]:
    if not entry.keys() >= _ENTRY_KEYS:  # not a node's entry (e.g. the truncation marker)
        return entry
    return {
        k: v
        for k, v in entry.items()
        if k not in TRACE_DEFAULTS
        or v != TRACE_DEFAULTS[k]
        or type(v) is not type(TRACE_DEFAULTS[k])
    }


def _expand(entry: dict[str, Any]) -> dict[str, Any]:
    if not entry.keys() >= _ENTRY_KEYS:
        return entry
    return {**TRACE_DEFAULTS, **entry}


def _record(fields: dict[str, Any]) -> RunRecord:
    if fields.get("trace"):
        fields = {**fields, "trace": [_expand(entry) for entry in fields["trace"]]}
    return model_from(RunRecord, fields)


class RunOps(Scoped):
    def new_run_id(self) -> str:
        return time_ordered_id()

    def _fields(self, run: RunRecord) -> dict[str, Any]:
        """The item's attributes; fields left at their defaults are not written.

        Reading fills them in again, and every attribute costs DynamoDB work on each run.
        """
        key = self._keys.run(run.run_id)
        fields = run.model_dump(mode="json", exclude_defaults=True)
        if "trace" in fields:
            fields["trace"] = [_compact(entry) for entry in fields["trace"]]
        index = run_index_values(key.pk, run.graph_id, run.status)
        return {"PK": key.pk, "SK": key.sk, **fields, **index}

    def _size(self, run: RunRecord) -> int:
        return codec.item_size(codec.to_item(self._fields(run)))

    def put_run(self, run: RunRecord) -> RunRecord:
        """Returns the record as stored, which may have a truncated trace."""
        checked(RECORD_ID, run.run_id, "run id")
        item = codec.to_item(self._fields(run))
        stored = run
        if codec.item_size(item) > ITEM_BUDGET:  # rare: encode again only when cut down
            stored = bound_run(run, self._size)
            item = codec.to_item(self._fields(stored))
        try:
            self._table.put_new_item(item)
        except ConditionFailed:
            raise Conflict(f"run '{run.run_id}' already exists") from None
        return stored

    def update_run(
        self,
        run_id: str,
        *,
        status: RunStatus,
        finished_at: str | None = None,
        duration_ms: float | None = None,
        output: Any = None,
        error: dict[str, Any] | None = None,
        trace: list[dict[str, Any]] | None = None,
        redrive: bool = False,
    ) -> RunRecord:
        """Fields left as None keep their stored value.

        ``redrive`` starts a failed (or timed out) run again: only to ``running``, and it
        counts in ``redrives``.
        """
        key = self._keys.run(run_id)
        if status not in MOVES:
            raise InvalidInput(f"status {status!r} is not a run status")
        if redrive and status != "running":
            raise InvalidInput("a redriven run becomes running")
        earlier = sorted(REDRIVABLE if redrive else (s for s in MOVES if status in MOVES[s]))
        changes: dict[str, Any] = {"status": status}
        for name, value in (
            ("finished_at", finished_at),
            ("duration_ms", duration_ms),
            ("output", output),
            ("error", error),
        ):
            if value is not None:
                changes[name] = value
        if trace is not None:
            changes.update(trace=trace, trace_truncated=False)
        for _ in range(ROUNDS):
            fields = self._table.get(key)
            if fields is None:
                raise NotFound(f"run '{run_id}'")
            current = _record(fields)
            if current.status not in earlier:
                raise Conflict(f"run '{run_id}' is {current.status}; it cannot become {status}")
            if redrive:
                changes.update(redrives=current.redrives + 1, finished_at=None, error=None)
            updated = bound_run(
                RunRecord.model_validate({**current.model_dump(), **changes}), self._size
            )
            before, after = current.model_dump(mode="json"), updated.model_dump(mode="json")
            set_fields = {k: v for k, v in after.items() if k == "status" or before[k] != v}
            if "trace" in set_fields:
                set_fields["trace"] = [_compact(entry) for entry in set_fields["trace"]]
            set_fields.update(run_index_values(key.pk, updated.graph_id, status))
            placeholders = {f":status__{i}": s for i, s in enumerate(earlier)}
            try:
                stored = self._table.update(
                    key,
                    set_fields=set_fields,
                    condition=f"#status IN ({', '.join(placeholders)})",
                    values=placeholders,
                )
            except ConditionFailed:
                continue  # moved on since we read it: look again
            return _record(stored)
        raise Conflict(f"run '{run_id}' is changing too fast; retry")

    def get_run(self, run_id: str) -> RunRecord:
        """Expired runs are not found, even before DynamoDB's TTL gets round to deleting them."""
        fields = self._table.get(self._keys.run(run_id))
        if fields is None or fields["expires_at"] <= time.time():
            raise NotFound(f"run '{run_id}'")
        return _record(fields)

    def list_runs(
        self,
        *,
        graph_id: str | None = None,
        status: RunStatus | None = None,
        limit: int = 50,
        before: str | None = None,
    ) -> list[RunRecord]:
        """Newest first, ``limit`` at most, older than run ``before`` when given (a page cursor).

        A filter by graph or status reads that graph's or status's own index key, so the
        cost is what is returned, whatever the rest of the tenant's history holds. Expired
        runs that DynamoDB's TTL has not deleted yet are skipped.
        """
        if not 1 <= limit <= MAX_LIST:
            raise InvalidInput(f"limit must be between 1 and {MAX_LIST}, not {limit}")
        if graph_id is not None:
            checked(GRAPH_ID, graph_id, "graph id")
        below = self._keys.run(before).sk if before is not None else None
        index_keys = run_index_values(self._keys.runs, graph_id or "", status or "")
        pk, index = self._keys.runs, None
        if graph_id is not None and status is not None:
            pk, index = index_keys[RUN_GRAPH_STATUS], RUN_INDEX_OF[RUN_GRAPH_STATUS]
        elif graph_id is not None:
            pk, index = index_keys[RUN_GRAPH], RUN_INDEX_OF[RUN_GRAPH]
        elif status is not None:
            pk, index = index_keys[RUN_STATUS], RUN_INDEX_OF[RUN_STATUS]
        items = self._table.query(
            pk,
            prefix=None if below else RUNS,
            below=below,
            newest_first=True,
            filter_expression="#expires_at > :expires_at",
            values={":expires_at": int(time.time())},
            page_size=limit + 5,
            index=index,
        )
        return [_record(fields) for fields in islice(items, limit)]
