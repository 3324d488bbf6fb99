"""Checkpoints: what a durable run has finished, so a resumed walk replays it instead of rerunning.

A checkpoint is the node's trace entry as it finished (``ok``, a failure its error port handled,
``pinned``, ``disabled``); its outputs are what the walk fires again on replay. A node that
failed the run, was cancelled or is waiting has none, so it runs again when the run is resumed or
redriven.

When they are written is the cost of durability. A node that acts on the world (anything that
awaits: an HTTP call, a model, a delay, a wait) is checkpointed as soon as it finishes, and every
finished node before it is written first, so a crash never makes it act twice. A node that only
computes (an ``inline`` node type: set, if, merge...) is buffered and written with the next one
that acts, or when the run ends: computing it again after a crash gives the same outputs and
nobody outside can tell. So a graph that never acts costs no checkpoint writes at all, and a
graph that calls one API costs one batch before and one after the call.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

from runtime.engine.trace import NodeTrace

Position = tuple[str, tuple[int, ...]]
"""A node and its iteration path inside for-each bodies: one checkpoint each."""

Flush = Callable[[list[NodeTrace]], Awaitable[None]]
"""Writes a batch of finished entries durably (the store does it with conditional writes)."""


def position(entry: NodeTrace) -> Position:
    return entry.node, tuple(entry.iteration)


class Checkpoints:
    """One run's checkpoints: the ones it resumed with, and the ones it writes as it goes."""

    def __init__(
        self, flush: Flush, done: Iterable[NodeTrace] = (), *, resumed: bool = False
    ) -> None:
        self._flush = flush
        self._done: dict[Position, NodeTrace] = {position(e): e for e in done}
        self._pending: list[NodeTrace] = []
        self.durable = resumed
        """Whether the run is on record already (a resumed one is): the first node that acts
        makes it so, even with nothing finished before it."""
        self.written = 0
        """Entries written by this walk (not counting the ones it resumed with)."""

    def replay(self, node: str, iteration: tuple[int, ...]) -> NodeTrace | None:
        return self._done.get((node, iteration))

    async def before_acting(self) -> None:
        """A node that acts is about to run: everything finished before it becomes durable."""
        if self._pending or not self.durable:
            await self.flush(force=True)

    async def finished(self, entry: NodeTrace, *, acts: bool) -> None:
        self._done[position(entry)] = entry
        self._pending.append(entry)
        if acts:
            await self.flush()

    async def flush(self, *, force: bool = False) -> None:
        """Write what is buffered (``force``: even nothing, to put the run on record)."""
        batch, self._pending = self._pending, []
        if batch or force:
            await self._flush(batch)
            self.durable = True
            self.written += len(batch)
