"""Audited changes: an ``attempted`` event before the change, its outcome after.

The attempt is written first so that no change can take effect without a trace (if the
attempt cannot be written, nothing changes). The outcome tells a reader of the trail whether
the attempt took effect; if the outcome itself cannot be written, the change stands and the
trail shows an attempt without an outcome, which a reviewer treats as "check the record".
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from runtime.service.auth import Principal
from runtime.store import StoreError
from runtime.store.slices import AuditStore

T = TypeVar("T")
log = logging.getLogger("auterity.audit")


def audited(
    principal: Principal,
    trail: AuditStore,
    action: str,
    target: str,
    change: Callable[[], T],
    *,
    details: dict[str, Any] | None = None,
) -> T:
    """Run ``change`` as ``principal``, between its attempt and its outcome on ``trail``."""
    attempt = trail.record_audit(
        actor=principal.actor, action=action, target=target, details=details
    )
    try:
        result = change()
    except Exception as exc:
        _outcome(trail, principal, action, target, attempt.event_id, exc)
        raise
    _outcome(trail, principal, action, target, attempt.event_id, None)
    return result


def _outcome(
    trail: AuditStore,
    principal: Principal,
    action: str,
    target: str,
    attempt_id: str,
    error: Exception | None,
) -> None:
    details: dict[str, Any] = {"attempt": attempt_id}
    if error is not None:
        details["error"] = f"{type(error).__name__}: {error}"[:300]
    try:
        trail.record_audit(
            actor=principal.actor,
            action=action,
            target=target,
            details=details,
            outcome="succeeded" if error is None else "failed",
        )
    except StoreError:
        log.warning("audit outcome of %s on %s not recorded", action, target, exc_info=True)
