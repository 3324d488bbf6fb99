"""Audit events and usage records: append-only, each write a new item."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from itertools import islice
from typing import Any

from runtime.store.errors import InvalidInput
from runtime.store.ids import time_ordered_id, to_utc, utc_now
from runtime.store.keys import EVENTS
from runtime.store.models import AuditEvent, AuditOutcome, UsageRecord
from runtime.store.scoped import Scoped, model_from

MAX_LIST = 1000


class RecordOps(Scoped):
    def record_audit(
        self,
        *,
        actor: str,
        action: str,
        target: str,
        details: dict[str, Any] | None = None,
        outcome: AuditOutcome = "attempted",
    ) -> AuditEvent:
        event = AuditEvent(
            event_id=time_ordered_id(),
            at=utc_now(),
            actor=actor,
            action=action,
            target=target,
            details=details or {},
            outcome=outcome,
        )
        key = self._keys.audit_event(event.event_id)
        self._table.put_new({"PK": key.pk, "SK": key.sk, **event.model_dump(mode="json")})
        return event

    def list_audit(self, limit: int = 100) -> list[AuditEvent]:
        """Newest first."""
        if not 1 <= limit <= MAX_LIST:
            raise InvalidInput(f"limit must be between 1 and {MAX_LIST}, not {limit}")
        items = self._table.query(
            self._keys.audit, prefix=EVENTS, newest_first=True, page_size=limit
        )
        return [model_from(AuditEvent, fields) for fields in islice(items, limit)]

    def iter_audit(self) -> Iterator[AuditEvent]:
        """The whole trail, oldest first, read page by page (for reviews and exports)."""
        for fields in self._table.query(self._keys.audit, prefix=EVENTS):
            yield model_from(AuditEvent, fields)

    def record_usage(self, usage: UsageRecord) -> None:
        """Filed under the UTC month of ``usage.at``, whatever offset it was written with."""
        at = to_utc(usage.at)
        if at is None:
            raise InvalidInput(f"usage time {usage.at!r} is not an ISO-8601 timestamp")
        utc = at.astimezone(UTC).isoformat(timespec="microseconds")
        key = self._keys.usage_record(utc, time_ordered_id())
        self._table.put_new({"PK": key.pk, "SK": key.sk, **usage.model_dump(mode="json")})

    def list_usage(self, month: str) -> list[UsageRecord]:
        """Oldest first, for one UTC calendar month such as ``"2026-11"``."""
        prefix = self._keys.usage_month(month)
        items = self._table.query(self._keys.usage, prefix=prefix)
        return [model_from(UsageRecord, fields) for fields in items]
