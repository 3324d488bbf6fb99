"""What every provider shares: SDK clients per event loop, attempt counting, error mapping.

The SDKs do the retrying (with their own backoff and ``Retry-After`` handling); the router only
decides how many retries each provider gets, so the total never exceeds the call's budget. To
report how many HTTP attempts a call really made, every SDK client sends through an HTTP client
whose request hook counts into a per-call context variable.
"""

from __future__ import annotations

import asyncio
import weakref
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from contextvars import ContextVar
from types import ModuleType
from typing import Any

from runtime.ai.config import ProviderConfig
from runtime.ai.errors import ProviderFailure
from runtime.core.llm.messages import LlmRequest, ProviderReply

_attempts: ContextVar[list[int] | None] = ContextVar("auterity_ai_attempts", default=None)


async def count_attempt(request: Any) -> None:
    """Httpx request hook: one more HTTP attempt for the call running in this context."""
    box = _attempts.get()
    if box is not None:
        box[0] += 1


class AttemptCounter:
    """``with AttemptCounter() as counted: ...; counted.value`` — attempts made inside."""

    def __init__(self) -> None:
        self._box = [0]
        self._token: Any = None

    def __enter__(self) -> AttemptCounter:
        self._token = _attempts.set(self._box)
        return self

    def __exit__(self, *exc: object) -> None:
        _attempts.reset(self._token)

    @property
    def value(self) -> int:
        return self._box[0]


def failure_from(exc: BaseException, sdk: ModuleType, attempts: int) -> ProviderFailure:
    """An SDK exception as a provider failure the router can decide on.

    Both SDKs share the exception hierarchy (they are generated from the same template).
    """
    attempts = max(attempts, 1)
    if isinstance(exc, sdk.APITimeoutError):
        return ProviderFailure("timeout", "the request timed out", attempts=attempts)
    if isinstance(exc, sdk.APIConnectionError):
        return ProviderFailure("connection", f"could not connect: {exc}", attempts=attempts)
    if isinstance(exc, sdk.APIStatusError):
        status = int(exc.status_code)
        message = _status_message(exc)
        if status == 429:
            kind = "rate_limited"
        elif status == 408:
            kind = "timeout"
        elif status >= 500:
            kind = "server_error"
        elif status in (401, 403):
            kind = "auth"
        elif status == 404:
            kind = "not_found"
        else:
            kind = "bad_request"
        return ProviderFailure(kind, message, status=status, attempts=attempts)  # type: ignore[arg-type]
    if isinstance(exc, sdk.APIResponseValidationError):
        return ProviderFailure("invalid_output", "the response was malformed", attempts=attempts)
    if isinstance(exc, sdk.APIError):
        return ProviderFailure("truncated", f"the response broke off: {exc}", attempts=attempts)
    return ProviderFailure(
        "truncated", f"the response broke off: {type(exc).__name__}: {exc}", attempts=attempts
    )


def _status_message(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return str(inner["message"])[:300]
    return str(getattr(exc, "message", exc))[:300]


class Provider(ABC):
    """One configured provider. Stateless per call; SDK clients are cached per event loop."""

    sdk_name: str

    def __init__(self, config: ProviderConfig) -> None:
        self.config = config
        self.name = config.name
        # An SDK client's connection pool belongs to the loop it first ran on; a new loop (a
        # Lambda invocation's asyncio.run, a test) gets its own clients.
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, Any]] = (
            weakref.WeakKeyDictionary()
        )

    def client(self, max_retries: int) -> Any:
        loop = asyncio.get_running_loop()
        per_loop = self._clients.get(loop)
        if per_loop is None:
            per_loop = self._clients[loop] = {}
        client = per_loop.get(max_retries)
        if client is None:
            base = per_loop.get(-1)
            if base is None:
                base = per_loop[-1] = self.new_client()
            # with_options shares the base client's HTTP connection pool.
            client = per_loop[max_retries] = base.with_options(max_retries=max_retries)
        return client

    async def aclose(self) -> None:
        """Close the clients made on the running loop (their pools die with the loop)."""
        per_loop = self._clients.pop(asyncio.get_running_loop(), None)
        base = (per_loop or {}).get(-1)
        if base is not None:
            await base.close()  # the with_options copies share its HTTP client

    @abstractmethod
    def new_client(self) -> Any:
        """The SDK's async client, with retries off (``client()`` sets them per call)."""

    @abstractmethod
    async def complete(
        self, request: LlmRequest, model: str, *, max_retries: int, per_attempt_s: float
    ) -> ProviderReply:
        """One answer; raises ``ProviderFailure``."""

    @abstractmethod
    def stream(
        self, request: LlmRequest, model: str, *, max_retries: int, per_attempt_s: float
    ) -> AsyncIterator[str | ProviderReply]:
        """Text deltas, then the complete ``ProviderReply``; raises ``ProviderFailure``."""
