"""The seam between AI nodes and the model router: a node asks whatever session is bound.

Nodes and the engine never import the router (it belongs to the app, ``runtime.ai``). Whoever
runs a graph binds a session around the run with ``bound_session``; the context variable flows
into every task the executor starts. Where nothing is bound (a script, the CLI) the app's
default session is found through the ``auterity.model_session`` entry point that
``pyproject.toml`` declares, so the arrow still runs from the app down to the nodes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from importlib.metadata import entry_points
from typing import Protocol

from runtime.core.llm.messages import CallSite, LlmReply, LlmRequest, StreamEvent
from runtime.core.llm.policy import AiPolicy

ENTRY_POINT_GROUP = "auterity.model_session"


class ModelSession(Protocol):
    """A router and the ledger its calls are charged to (``runtime.ai.session.AiSession``)."""

    async def complete(self, request: LlmRequest, policy: AiPolicy, site: CallSite) -> LlmReply: ...

    def stream(
        self, request: LlmRequest, policy: AiPolicy, site: CallSite
    ) -> AsyncIterator[StreamEvent]: ...


SessionFactory = Callable[[], ModelSession]
_bound: ContextVar[SessionFactory | None] = ContextVar("auterity_ai_session", default=None)


class NoModelSession(RuntimeError):
    """Nothing bound a session and no installed package provides a default one."""


@cache
def _default_factory() -> SessionFactory:
    found = sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name)
    if not found:
        raise NoModelSession(
            "no model router: bind one with bound_session() or install auterity with the 'ai'"
            " extra (pip install -e '.[ai]')"
        )
    factory: SessionFactory = found[0].load()
    return factory


def current_session() -> ModelSession:
    factory = _bound.get()
    return (_default_factory() if factory is None else factory)()


@contextmanager
def bound_session(session: ModelSession | SessionFactory) -> Iterator[None]:
    """Use ``session`` for the model calls made inside (and in tasks started inside).

    A factory is called only when a node actually calls a model, so a run without AI nodes
    never loads the router.
    """
    factory: SessionFactory = session if callable(session) else lambda: session
    token = _bound.set(factory)
    try:
        yield
    finally:
        _bound.reset(token)
