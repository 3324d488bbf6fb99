"""Which router and ledger a model call uses: bound per run by whoever runs the graph.

The executor knows nothing about AI, and a node only sees its ``NodeContext``. The service binds
a session (the process's router plus a ledger over the tenant's store) around each run with
``bound_session``; the context variable flows into every task the executor starts. Anywhere
nothing is bound (the CLI, a Lambda bundle) the process default applies: providers from the
environment and an in-memory ledger.

This module imports nothing at run time beyond the standard library, because the service
imports it on its cold-start path; the router loads with the first session.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from runtime.ai.messages import CallSite, LlmReply, LlmRequest, StreamEvent
    from runtime.ai.policy import AiPolicy
    from runtime.ai.router import Router
    from runtime.ai.usage import UsageLedger


@dataclass(slots=True)
class AiSession:
    router: Router
    ledger: UsageLedger

    async def complete(self, request: LlmRequest, policy: AiPolicy, site: CallSite) -> LlmReply:
        return await self.router.complete(request, policy=policy, site=site, ledger=self.ledger)

    def stream(
        self, request: LlmRequest, policy: AiPolicy, site: CallSite
    ) -> AsyncIterator[StreamEvent]:
        return self.router.stream(request, policy=policy, site=site, ledger=self.ledger)


SessionFactory = Callable[[], AiSession]
_bound: ContextVar[SessionFactory | None] = ContextVar("auterity_ai_session", default=None)
_default: list[AiSession] = []


def default_session() -> AiSession:
    if not _default:
        from runtime.ai.config import AiConfig
        from runtime.ai.router import Router
        from runtime.ai.usage import MemoryLedger

        _default.append(AiSession(Router(AiConfig.from_env()), MemoryLedger()))
    return _default[0]


def set_default_session(session: AiSession | None) -> None:
    """Replace the process default (None: build it from the environment again when needed)."""
    _default.clear()
    if session is not None:
        _default.append(session)


def current_session() -> AiSession:
    factory = _bound.get()
    return default_session() if factory is None else factory()


@contextmanager
def bound_session(session: AiSession | SessionFactory) -> Iterator[None]:
    """Use ``session`` for the model calls made inside (and in tasks started inside).

    A factory is called only when a node actually calls a model, so a run without AI nodes
    never loads the router.
    """
    factory = session if callable(session) else lambda: session
    token = _bound.set(factory)
    try:
        yield
    finally:
        _bound.reset(token)


async def close_default_session() -> None:
    """Close the default router's SDK clients made on the running loop (end of a CLI run)."""
    if _default:
        await _default[0].router.aclose()
