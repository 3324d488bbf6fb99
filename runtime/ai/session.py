"""Which router and ledger a model call uses: the app's side of ``runtime.core.llm.session``.

The service binds a session (the process's router plus a ledger over the tenant's store)
around each run with ``bound_session``. Anywhere nothing is bound (the CLI, a script) the
process default applies: providers from the environment and an in-memory ledger; the core
finds it through the ``auterity.model_session`` entry point, which names ``default_session``.

This module imports nothing at run time beyond the standard library, because the service
imports it on its cold-start path; the router loads with the first session.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from runtime.ai.router import Router
    from runtime.ai.usage import UsageLedger
    from runtime.core.llm.messages import CallSite, LlmReply, LlmRequest, StreamEvent
    from runtime.core.llm.policy import AiPolicy


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


_default: list[AiSession] = []


def default_session() -> AiSession:
    if not _default:
        # Cold start: the service imports this module; the router loads with the first call.
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


async def close_default_session() -> None:
    """Close the default router's SDK clients made on the running loop (end of a CLI run)."""
    if _default:
        await _default[0].router.aclose()
