"""One durable run's keeper: puts the run on record when it first acts, holds its lease, ends it.

A run costs nothing extra until a node that acts is about to run (``runtime.engine.checkpoint``):
then the run record (``running``) and its state (the trigger event, this process as owner) are
written, and from then on its checkpoints, each batch renewing the lease. A heartbeat renews it
while a long node runs; when the lease cannot be renewed (the run was cancelled from another
process, or this one stalled past its lease and another took over) the walk here is stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from starlette.concurrency import run_in_threadpool

from runtime.core.clock import utc_now
from runtime.engine.checkpoint import Checkpoints
from runtime.engine.trace import TRACE, NodeTrace, NodeWait, RunResult
from runtime.store import RunRecord, RunState, Wait
from runtime.store.errors import Conflict
from runtime.store.run_state import LeaseLost
from runtime.store.slices import RunStateStore, RunStore, WaitStore

if TYPE_CHECKING:
    from runtime.engine.executor import RunHandle
    from runtime.service.state import ServiceState

log = logging.getLogger(__name__)

ANSWERED = frozenset({"approved", "rejected", "answered", "timed_out"})
"""A wait in one of these has its node's outputs: the run can go on."""


def fresh(wait: Wait) -> bool:
    """An answer no resume has taken up yet: its run should be resumed."""
    return wait.status in ANSWERED and not wait.consumed


class DurableStore(RunStore, RunStateStore, WaitStore, Protocol):
    """What keeping a durable run touches: its record, state, checkpoints and waits."""


@dataclass
class RunKeeper:
    state: ServiceState
    store: DurableStore
    run: RunState
    on_record: bool = False
    """The run record exists already (a queued run, a resumed one)."""
    durable: bool = False
    """The run's state is stored (a resumed run's is)."""
    handle: RunHandle | None = None
    lost: bool = False
    """The lease was lost: another process runs it now, or it was cancelled."""
    unkept: bool = False
    """The run could not be made durable (its event is too large for an item)."""
    _beat: asyncio.Task[None] | None = field(default=None, repr=False)

    @property
    def lease(self) -> int:
        return self.state.config.lease_seconds

    def checkpoints(self, done: list[NodeTrace] | None = None) -> Checkpoints:
        return Checkpoints(self.flush, done or (), resumed=self.durable)

    async def flush(self, batch: list[NodeTrace]) -> None:
        if self.unkept:
            return
        if not self.durable:
            if not await run_in_threadpool(self.store.fits_run_state, self.run):
                # Its trigger event alone is too big for an item: it runs as runs always did,
                # unkept (a crash loses it; its caller retries with an idempotency key).
                log.warning("run %s is not durable: its event is too large", self.run.run_id)
                self.unkept = True
                return
            await run_in_threadpool(self._begin)
            self.durable = True
        if batch:
            entries = TRACE.dump_python(batch, mode="json")
            await run_in_threadpool(
                self.store.save_checkpoints,
                self.run.run_id,
                self.state.instance,
                entries,
                self.lease,
                self.run.expires_at,
            )
        if self._beat is None:
            self._beat = asyncio.ensure_future(self._heartbeat())

    def _begin(self) -> None:
        run = self.run
        if not self.on_record:
            self.store.put_run(
                RunRecord(
                    run_id=run.run_id,
                    graph_id=run.graph_id,
                    version=run.version,
                    slug=run.slug,
                    status="running",
                    trigger=run.trigger,
                    started_at=run.started_at,
                    expires_at=run.expires_at,
                    idempotency_key=run.idempotency_key,
                    parent_run_id=run.parent_run_id,
                )
            )
            self.on_record = True
        owned = run.model_copy(
            update={"owner": self.state.instance, "lease_until": int(time.time()) + self.lease}
        )
        self.store.put_run_state(owned)

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self.lease / 3)
            try:
                await run_in_threadpool(
                    self.store.renew_lease, self.run.run_id, self.state.instance, self.lease
                )
            except LeaseLost:
                self.lost = True
                if self.handle is not None:
                    self.handle.cancel()
                return

    async def close(self) -> None:
        if self._beat is not None:
            self._beat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._beat
            self._beat = None

    async def end(self, result: RunResult, record: RunRecord) -> RunRecord:
        """Store how the run ended (or that it waits); the record as stored."""
        await self.close()
        return await run_in_threadpool(self._end, result, record)

    def _end(self, result: RunResult, record: RunRecord) -> RunRecord:
        store, run_id = self.store, record.run_id
        if not self.on_record:
            return store.put_run(record)
        if result.status == "waiting":
            for wait in result.waits:
                store.put_wait(self._wait(wait, result))
        try:
            stored = store.update_run(
                run_id,
                status=record.status,
                finished_at=record.finished_at if record.status != "waiting" else None,
                duration_ms=record.duration_ms,
                output=record.output,
                error=record.error,
                trace=record.trace,
            )
        except Conflict:  # cancelled while it ran: the cancel's record stands
            return store.get_run(run_id)
        if self.durable and record.status == "succeeded":
            store.drop_run_state(run_id)  # raw data nobody will read again
        elif self.durable:
            store.release_run(run_id, self.state.instance)
        if record.status == "waiting":
            # An answer may have come while other branches were still walking here.
            waits = store.list_waits(run_id=run_id, status=None)
            if any(fresh(w) for w in waits):
                self.state.wake(store.tenant_id, run_id)
        return stored

    def _wait(self, wait: NodeWait, result: RunResult) -> Wait:
        request = wait.request
        entry = next(
            (t for t in result.trace if t.node == wait.node and t.iteration == wait.iteration),
            None,
        )
        return Wait(
            run_id=self.run.run_id,
            graph_id=self.run.graph_id,
            version=self.run.version,
            node=wait.node,
            node_type=entry.type if entry else "",
            iteration=wait.iteration,
            kind=request.kind,
            title=request.title,
            details=request.details,
            input=wait.input,
            created_at=utc_now(),
            until=request.until,
            on_timeout=request.on_timeout,
            expires_at=self.run.expires_at,
        )
