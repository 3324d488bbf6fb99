"""Keeping a run record under DynamoDB's 400 KB item limit without losing what fits.

Per-node inputs and outputs go first, largest first, each replaced by
``{"_truncated": true, "bytes": N}`` (N: the size of its JSON). Only if that is not enough are
the run's output and error replaced the same way, and as a last resort trailing trace entries
are dropped, leaving one marker entry that says how many. ``trace_truncated`` says it happened.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from runtime.store.codec import MAX_ITEM_BYTES, pack
from runtime.store.models import RunRecord

ITEM_BUDGET = MAX_ITEM_BYTES

NODE_DATA = ("inputs", "outputs")


def marker(size: int) -> dict[str, Any]:
    return {"_truncated": True, "bytes": size}


def _is_marker(value: Any) -> bool:
    return isinstance(value, dict) and value.get("_truncated") is True


def bound_run(run: RunRecord, size_of: Callable[[RunRecord], int]) -> RunRecord:
    """``run`` itself when it fits; otherwise a copy cut down until ``size_of`` says it fits."""
    excess = size_of(run) - ITEM_BUDGET
    if excess <= 0:
        return run
    trace = [dict(entry) for entry in run.trace]
    candidates = sorted(
        (
            (len(pack(entry[name])), index, name)
            for index, entry in enumerate(trace)
            for name in NODE_DATA
            if name in entry and not _is_marker(entry[name])
        ),
        reverse=True,
    )
    for size, index, name in candidates:
        saved = size - len(pack(marker(size)))
        if excess <= 0 or saved <= 0:
            break
        trace[index][name] = marker(size)
        excess -= saved
    run = run.model_copy(update={"trace": trace, "trace_truncated": True})
    for name in ("output", "error"):
        if size_of(run) <= ITEM_BUDGET:
            return run
        size = len(pack(getattr(run, name)))
        if size > len(pack(marker(size))):
            run = run.model_copy(update={name: marker(size)})
    return _drop_tail(run, size_of)


def _drop_tail(run: RunRecord, size_of: Callable[[RunRecord], int]) -> RunRecord:
    excess = size_of(run) - ITEM_BUDGET
    if excess <= 0:
        return run
    trace = list(run.trace)
    dropped, dropped_bytes = 0, 0
    summary_room = 80  # the closing marker entry
    while trace and excess + summary_room > 0:
        size = len(pack(trace.pop())) + 1
        excess -= size
        dropped, dropped_bytes = dropped + 1, dropped_bytes + size
    trace.append({"_truncated": True, "bytes": dropped_bytes, "dropped_entries": dropped})
    return run.model_copy(update={"trace": trace})
