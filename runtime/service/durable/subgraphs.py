"""``flow.subgraph`` calls, served by the service: the child is a run of the same tenant.

Depth and cycles are checked against the chain of graphs above the calling run (kept in its
durable state), so a cycle through several graphs that validation cannot see (each graph is
valid alone) still stops at its first repeat, naming the chain.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from runtime.core.errors import NodeRunError
from runtime.core.subgraphs import MAX_DEPTH, SubgraphAnswer, SubgraphCall
from runtime.store import NotFound, RunRecord, RunState

if TYPE_CHECKING:
    from runtime.service.state import ServiceState

Execute = Callable[..., Awaitable[RunRecord]]
"""``run_recording.execute_and_record`` (passed in: it is the module that binds this caller)."""


class ChildOf(BaseModel):
    """What a child run keeps of its parent (``run_recording.Parent``)."""

    parent_run_id: str
    depth: int
    call_chain: list[str]


class ServiceSubgraphs:
    def __init__(self, state: ServiceState, store: Any, run: RunState, execute: Execute) -> None:
        self.state = state
        self.store = store
        self.run = run
        self.execute = execute

    async def call(self, call: SubgraphCall) -> SubgraphAnswer:
        chain = [*self.run.call_chain, self.run.graph_id]
        if call.graph_id in chain:
            cycle = " -> ".join([*chain[chain.index(call.graph_id) :], call.graph_id])
            raise NodeRunError(f"sub-graph cycle: {cycle}")
        if len(chain) > MAX_DEPTH:
            raise NodeRunError(f"sub-graphs nest deeper than {MAX_DEPTH}: {' -> '.join(chain)}")
        parent = ChildOf(parent_run_id=self.run.run_id, depth=len(chain), call_chain=chain)
        kwargs: dict[str, Any] = {
            "graph_id": call.graph_id,
            "version": call.version,
            "event": call.input,
            "trigger": "subgraph",
            "slug": None,
            "actor": f"run:{self.run.run_id}",
            "parent": parent,
        }
        if call.mode == "start":
            run_id = self.store.new_run_id()
            try:  # refuse a graph that does not exist now, not in a task nobody watches
                await run_in_threadpool(self.store.get_graph, call.graph_id, call.version)
            except NotFound:
                raise NodeRunError(self._missing(call)) from None
            self.state.spawn(self.execute(self.state, self.store, run_id=run_id, **kwargs))
            return SubgraphAnswer(run_id=run_id, status="queued")
        try:
            record = await self.execute(self.state, self.store, **kwargs)
        except NotFound:
            raise NodeRunError(self._missing(call)) from None
        if record.status == "waiting":
            raise NodeRunError(
                f"sub-graph {call.graph_id!r} run {record.run_id} waits (for a person, a callback"
                " or a timer); call a graph that waits with mode 'start'"
            )
        error = (record.error or {}).get("message")
        return SubgraphAnswer(
            run_id=record.run_id, status=record.status, output=record.output, error=error
        )

    @staticmethod
    def _missing(call: SubgraphCall) -> str:
        version = f" v{call.version}" if call.version else ""
        return f"sub-graph {call.graph_id!r}{version} does not exist in this workspace"
