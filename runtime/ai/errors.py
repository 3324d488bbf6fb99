"""Failures of model calls: one provider's (which the router may fall back from) and final ones.

A final failure is a ``NodeRunError`` that is not retryable: the router has already spent the
call's whole retry budget across providers, so a node-level retry would only multiply attempts.
"""

from __future__ import annotations

from typing import Literal

from runtime.core.errors import NodeRunError

FailureKind = Literal[
    "rate_limited",
    "server_error",
    "timeout",
    "connection",
    "refusal",
    "invalid_output",
    "truncated",
    "auth",
    "not_found",
    "bad_request",
]

FALLBACK_KINDS: frozenset[FailureKind] = frozenset(
    {
        "rate_limited",
        "server_error",
        "timeout",
        "connection",
        "refusal",
        "invalid_output",
        "truncated",
        "auth",
        "not_found",
    }
)
"""Worth trying another provider. ``bad_request`` is not: the request itself is wrong."""


class ProviderFailure(Exception):
    """One provider could not answer, after its SDK's own (bounded) retries."""

    def __init__(
        self,
        kind: FailureKind,
        message: str,
        *,
        status: int | None = None,
        attempts: int = 1,
        output_tokens: int = 0,
        input_tokens: int = 0,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.status = status
        self.attempts = attempts
        self.input_tokens = input_tokens
        self.output_tokens = output_tokens
        """Tokens the provider reported before failing (a refusal, invalid JSON): billed."""

    @property
    def fallback(self) -> bool:
        return self.kind in FALLBACK_KINDS

    def describe(self) -> str:
        status = f" (HTTP {self.status})" if self.status else ""
        times = f" after {self.attempts} attempts" if self.attempts > 1 else ""
        return f"{self.kind}{status}{times}: {self.message}"


class AiError(NodeRunError):
    """A model call failed for good; the message says why, provider by provider."""

    retryable = False
    code = "ai_failed"


class AllProvidersFailed(AiError):
    code = "ai_unavailable"


class BudgetExceeded(AiError):
    code = "budget_exceeded"


class NoRoute(AiError):
    """No configured, allowed and affordable model for this call."""

    code = "no_model"
