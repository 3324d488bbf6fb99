"""Resuming a durable run, redriving a failed one, cancelling one under way.

Resuming (an answer came, a timer fell due, the process that ran it died) and redriving (a
failed run, from its failed step) are the same thing: claim the run's lease, replay its
checkpoints and the answers to its waits, and walk on from there in this process.
"""

from __future__ import annotations

import contextlib
from typing import Protocol

from starlette.concurrency import run_in_threadpool

from runtime.core.clock import utc_now
from runtime.engine.trace import TRACE, NodeTrace
from runtime.service.durable.keeper import ANSWERED, DurableStore, RunKeeper, fresh
from runtime.service.durable.subgraphs import ServiceSubgraphs
from runtime.service.durable.walking import KeptStore, holding, walk_kept
from runtime.service.run_recording import execute_and_record, prepare, record_for
from runtime.service.state import ServiceState, VersionStore
from runtime.store import NotFound, RunRecord, Wait
from runtime.store.errors import Conflict
from runtime.store.run_state import LeaseLost
from runtime.store.slices import AuditStore

ACTIVE = frozenset({"queued", "running", "waiting"})


class ResumeStore(KeptStore, VersionStore, AuditStore, Protocol):
    """Resume a run: everything walking it needs, and the stored version it runs."""


def answered_entries(waits: list[Wait]) -> list[NodeTrace]:
    """Each answered wait as the checkpoint of its node: the resumed walk fires its outputs."""
    entries = []
    for wait in waits:
        if wait.status not in ANSWERED or wait.outputs is None:
            continue
        entries.append(
            NodeTrace(
                node=wait.node,
                type=wait.node_type,
                status="ok",
                iteration=list(wait.iteration),
                inputs={"in": wait.input},
                outputs=dict(wait.outputs),
                attempts=1,
            )
        )
    return entries


def _done(store: DurableStore, run_id: str) -> list[NodeTrace]:
    """The run's checkpoints and its answered waits; the fresh answers are taken up here."""
    stored = TRACE.validate_python(store.checkpoints(run_id))
    waits = store.list_waits(run_id=run_id, status=None)
    store.consume_waits(run_id, [w for w in waits if fresh(w)])
    return stored + answered_entries(waits)


async def resume(
    state: ServiceState, store: ResumeStore, run_id: str, *, redrive: bool = False
) -> RunRecord | None:
    """Take the run over and walk it on from its checkpoints; ``None`` if it is not ours to.

    A run walked in this process right now is left alone (it looks at its answers when it
    stops); another process's is left to it while its lease lasts.
    """
    with holding(state, run_id) as free:
        if not free:
            return None
        return await _resume(state, store, run_id, redrive)


async def _resume(
    state: ServiceState, store: ResumeStore, run_id: str, redrive: bool
) -> RunRecord | None:
    try:
        run = await run_in_threadpool(
            store.claim_run, run_id, state.instance, state.config.lease_seconds
        )
    except (LeaseLost, NotFound):
        return None
    record = await run_in_threadpool(store.get_run, run_id)
    if redrive:
        record = await run_in_threadpool(
            lambda: store.update_run(run_id, status="running", redrive=True)
        )
    elif record.status not in ACTIVE:
        await run_in_threadpool(store.release_run, run_id, state.instance)
        return record
    elif record.status != "running":
        record = await run_in_threadpool(lambda: store.update_run(run_id, status="running"))
    prepared = await run_in_threadpool(prepare, state, store, run.graph_id, run.version)
    done = await run_in_threadpool(_done, store, run_id)
    keeper = RunKeeper(state, store, run, on_record=True, durable=True)
    calls = ServiceSubgraphs(state, store, run, execute_and_record)
    result = await walk_kept(state, store, prepared, keeper, done=done, subgraphs=calls)
    if result is None:
        return None
    ended = record_for(
        result,
        graph_id=run.graph_id,
        version=run.version,
        slug=run.slug,
        trigger=run.trigger,
        started_at=run.started_at,
        expires_at=run.expires_at,
        labels=prepared.labels,
        parent_run_id=run.parent_run_id,
    )
    return await keeper.end(result, ended)


async def cancel(state: ServiceState, store: ResumeStore, run_id: str, *, by: str) -> RunRecord:
    """Stop a queued, running or waiting run wherever it runs; ``Conflict`` if it ended."""
    record = await run_in_threadpool(store.get_run, run_id)
    if record.status not in ACTIVE:
        raise Conflict(f"run '{run_id}' is {record.status}; only a run under way can be cancelled")
    failure = {"node": "", "message": f"run was cancelled by {by}", "type": "Cancelled"}

    def stop() -> RunRecord:
        stopped = store.update_run(run_id, status="cancelled", finished_at=utc_now(), error=failure)
        store.cancel_run_state(run_id)  # no process may write a checkpoint of it any more
        for wait in store.list_waits(run_id=run_id, status="pending"):
            with contextlib.suppress(Conflict):  # answered meanwhile: cancelled all the same
                store.answer_wait(
                    run_id, wait.node, tuple(wait.iteration), status="cancelled", outputs={}, by=by
                )
        store.record_audit(
            actor=by,
            action="run.cancel",
            target=record.graph_id,
            details={"run_id": run_id},
            outcome="succeeded",
        )
        return stopped

    stopped = await run_in_threadpool(stop)
    handle = state.running.get(run_id)
    if handle is not None:
        handle.cancel()
    return stopped
