"""The one clock every timestamp we write comes from."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> str:
    """Always with microseconds and an explicit offset, so stored timestamps sort as strings."""
    return datetime.now(UTC).isoformat(timespec="microseconds")
