"""Walking a run of a stored version with its checkpoints (``runtime.service.durable``).

Every run of a stored version goes through ``walk_kept``; only a run that acts on the world
pays for durability (``runtime.engine.checkpoint``). The run's links to answer its waits
(``runtime.service.durable.links``) are in ``{{ run.links }}`` for any node to send.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol

from runtime.core.llm.session import bound_session
from runtime.core.subgraphs import SubgraphCaller, bound_subgraphs
from runtime.engine.trace import NodeTrace, RunResult
from runtime.service.durable import links
from runtime.service.durable.keeper import DurableStore, RunKeeper
from runtime.store.run_state import LeaseLost
from runtime.store.slices import UsageStore

if TYPE_CHECKING:
    from runtime.service.run_recording import Prepared
    from runtime.service.state import ServiceState


class KeptStore(DurableStore, UsageStore, Protocol):
    """Walk a durable run: its record, state and waits, and the model calls it charges."""


async def walk_kept(
    state: ServiceState,
    store: KeptStore,
    prepared: Prepared,
    keeper: RunKeeper,
    *,
    pins: dict[str, dict[str, Any]] | None = None,
    done: list[NodeTrace] | None = None,
    subgraphs: SubgraphCaller | None = None,
) -> RunResult | None:
    """Walk the run with its checkpoints; ``None`` when another process owns it now.

    ``subgraphs`` serves the run's ``flow.subgraph`` calls.
    """
    run = keeper.run
    plan = prepared.executor.plan
    info = {"links": links.for_run(state, store.tenant_id, run.run_id, plan)}
    with bound_session(lambda: state.ai_session(store)), _calls(subgraphs):
        handle = prepared.executor.start(
            run.event,
            run_id=run.run_id,
            options=prepared.options,
            pins=pins,
            checkpoints=keeper.checkpoints(done) if prepared.version else None,
            started_at=run.started_at,
            run_info=info,
        )
    keeper.handle = handle
    state.running[run.run_id] = handle
    try:
        return await handle.result()
    except LeaseLost:
        await keeper.close()
        return None


@contextmanager
def _calls(subgraphs: SubgraphCaller | None) -> Iterator[None]:
    if subgraphs is None:
        yield
        return
    with bound_subgraphs(subgraphs):
        yield


@contextmanager
def holding(state: ServiceState, run_id: str) -> Iterator[bool]:
    """Mark the run as this process's from walking it to storing how it ended.

    Yields whether it was free here: a second resume of it (an answer and the sweeper at
    once) then does nothing rather than race the first on the run's record.
    """
    if run_id in state.running:
        yield False
        return
    state.running[run_id] = None
    try:
        yield True
    finally:
        state.running.pop(run_id, None)
