"""The seam between ``flow.subgraph`` and whoever runs graphs: a node asks the bound caller.

Nodes never import the store or the service. The service binds a caller around each run
(``bound_subgraphs``); the context variable flows into every task the executor starts. Where
nothing is bound (the CLI, a test run of a draft) a sub-graph call fails with a clear error.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

MAX_DEPTH = 8
"""How deep sub-graph calls may nest: past this a call fails (a cycle the validator missed)."""


class SubgraphCall(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    graph_id: str
    version: int | None = None
    """``None``: the graph's latest saved version."""
    input: Any = None
    mode: Literal["wait", "start"] = "wait"
    node: str
    iteration: list[int] = Field(default_factory=list)


class SubgraphAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    run_id: str
    status: str
    output: Any = None
    error: str | None = None


class SubgraphCaller(Protocol):
    async def call(self, call: SubgraphCall) -> SubgraphAnswer:
        """Run (``wait``) or start (``start``) the child; raises ``NodeRunError`` to refuse."""
        ...


_bound: ContextVar[SubgraphCaller | None] = ContextVar("auterity_subgraphs", default=None)


def current_caller() -> SubgraphCaller | None:
    return _bound.get()


@contextmanager
def bound_subgraphs(caller: SubgraphCaller) -> Iterator[None]:
    """Let ``flow.subgraph`` nodes run inside (and in tasks started inside) call through it."""
    token = _bound.set(caller)
    try:
        yield
    finally:
        _bound.reset(token)
