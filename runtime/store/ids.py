"""Time-ordered ids and UTC timestamps: the sort keys that make "newest first" a plain Query."""

from __future__ import annotations

import secrets
import threading
import time
from datetime import UTC, datetime

_lock = threading.Lock()
_last_ns = 0


def time_ordered_id() -> str:
    """32 hex digits: nanoseconds since the epoch, then 64 random bits.

    The fixed-width time part makes string order equal creation order (until the year 2554);
    within one process it is strictly increasing even when the clock stalls, and the random part
    keeps ids from different processes apart.
    """
    global _last_ns
    with _lock:
        now = max(time.time_ns(), _last_ns + 1)
        _last_ns = now
    return f"{now:016x}{secrets.token_hex(8)}"


def to_utc(value: str) -> datetime | None:
    """An ISO-8601 string as an aware UTC datetime (naive means UTC), or None if unreadable."""
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
