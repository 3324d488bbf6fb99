"""Usage records: append-only, each write a new item. (The audit trail: ``runtime.store.audit``.)"""

from __future__ import annotations

from datetime import UTC

from runtime.store.errors import InvalidInput
from runtime.store.ids import time_ordered_id, to_utc
from runtime.store.models import UsageRecord
from runtime.store.scoped import Scoped, model_from


class RecordOps(Scoped):
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
