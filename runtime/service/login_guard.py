"""Throttling of password guessing: per account and per source, with backoff and a lockout.

Both counters live in DynamoDB (``runtime.store.login_attempts``), so every process and every
Lambda instance sees the same counts. An attempt is counted before its password is checked;
a blocked counter answers 429 with ``Retry-After`` without checking any password.

- per account (tenant + email, whether or not either exists): ``ACCOUNT_FREE`` attempts cost
  nothing, then each attempt blocks the next for 1, 2, 4 ... seconds (at most
  ``MAX_BACKOFF``); the ``LOCK_AFTER``-th failure locks the account until an admin lifts it
  (``POST /auth/unlock``) or it has had ``ACCOUNT_WINDOW`` seconds without attempts;
- per source address: ``SOURCE_FREE`` failures within ``SOURCE_WINDOW`` cost nothing, then the
  same doubling backoff up to ``MAX_SOURCE_BACKOFF``; a success gives its attempt back.

Failed logins and lockouts go to the tenant's audit trail when the tenant exists (an unknown
tenant has no trail: they are logged). Refusals while blocked are not audited one by one: the
failure that caused the block already is, and an attacker could otherwise fill the trail.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from runtime.service.errors import ApiError
from runtime.store.login_attempts import Blocked, LoginAttempts, account_key, source_key
from runtime.store.slices import AuditStore

ACCOUNT_FREE = 3
LOCK_AFTER = 10
MAX_BACKOFF = 300
ACCOUNT_WINDOW = 24 * 3600
SOURCE_FREE = 20
MAX_SOURCE_BACKOFF = 900
SOURCE_WINDOW = 3600

clock: Callable[[], float] = time.time
"""The guard's time (tests move it instead of sleeping)."""
log = logging.getLogger("auterity.auth")


def account_delay(attempt: int) -> int:
    """Seconds the ``attempt``-th attempt on an account blocks the next one for."""
    if attempt <= ACCOUNT_FREE:
        return 0
    if attempt >= LOCK_AFTER:
        return ACCOUNT_WINDOW
    return int(min(2 ** (attempt - ACCOUNT_FREE - 1), MAX_BACKOFF))


def source_delay(attempt: int) -> int:
    if attempt <= SOURCE_FREE:
        return 0
    return int(min(2 ** (attempt - SOURCE_FREE - 1), MAX_SOURCE_BACKOFF))


def _refusal(blocked: Blocked, locked: bool) -> ApiError:
    if locked:
        message = "too many failed logins: this account is locked until an admin unlocks it"
        code = "account_locked"
    else:
        message = f"too many failed logins; try again in {blocked.retry_after} s"
        code = "too_many_attempts"
    return ApiError(429, code, message, headers={"Retry-After": str(blocked.retry_after)})


@dataclass
class Attempt:
    """One login attempt, counted on both counters (see :func:`begin`)."""

    attempts: LoginAttempts
    tenant: str
    email: str
    source: str
    account_count: int

    def succeeded(self) -> None:
        self.attempts.clear(account_key(self.tenant, self.email))
        self.attempts.give_back(source_key(self.source))

    def failed(self, trail: AuditStore | None) -> None:
        details = {"source": self.source, "failures": self.account_count}
        if trail is None:
            log.info("failed login for unknown tenant %r from %s", self.tenant, self.source)
            return
        actor = f"source:{self.source}"
        trail.record_audit(
            actor=actor,
            action="auth.login_failed",
            target=self.email,
            details=details,
            outcome="failed",
        )
        if self.account_count == LOCK_AFTER:
            trail.record_audit(
                actor=actor,
                action="auth.locked",
                target=self.email,
                details=details,
                outcome="succeeded",
            )


def begin(attempts: LoginAttempts, tenant: str, email: str, source: str) -> Attempt:
    """Count an attempt, or raise the 429 that refuses it while a counter is blocked."""
    now = clock()
    account = account_key(tenant, email)
    counted = attempts.count(account, now, ACCOUNT_WINDOW)
    if isinstance(counted, Blocked):
        raise _refusal(counted, locked=counted.failures >= LOCK_AFTER)
    by_source = attempts.count(source_key(source), now, SOURCE_WINDOW)
    if isinstance(by_source, Blocked):
        raise _refusal(by_source, locked=False)
    # Block the next attempt now, before this one's password is checked: a parallel burst
    # then meets the block instead of waiting for this attempt's answer.
    if delay := account_delay(counted):
        attempts.block(account, now + delay)
    if delay := source_delay(by_source):
        attempts.block(source_key(source), now + delay)
    return Attempt(attempts, tenant, email.strip().lower(), source, counted)


def unlock(attempts: LoginAttempts, tenant_id: str, email: str) -> None:
    """Lift a lockout (and any backoff) of one account of the tenant."""
    attempts.clear(account_key(tenant_id, email))
