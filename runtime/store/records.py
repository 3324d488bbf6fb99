"""Audit events and usage records: append-only, each write a new item.

Audit events form a hash chain per tenant. An append reads the newest event, creates its own
at the next sequence number only if nobody has (a conditional put), then moves the head item
on. A writer that loses the race reads the new end and tries again; so concurrent writers
interleave, never fork.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Iterator
from datetime import UTC
from itertools import islice
from typing import Any

from runtime.store.access import ConditionFailed
from runtime.store.chain import GENESIS, ChainReport, event_hash, verify_chain
from runtime.store.errors import InvalidInput, StoreError, Throttled
from runtime.store.ids import time_ordered_id, to_utc, utc_now
from runtime.store.keys import EVENTS
from runtime.store.models import AuditEvent, AuditOutcome, UsageRecord
from runtime.store.scoped import Scoped, model_from

MAX_LIST = 1000
MAX_APPEND_ATTEMPTS = 100


def _end_of(exc: ConditionFailed, seq: int) -> tuple[int, str]:
    """The winner's event, returned by the failed put: the chain's end as far as we know."""
    winner = exc.fields or {}
    return int(winner.get("seq", seq + 1)), str(winner.get("hash", ""))


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
        """Append an event to the tenant's chain (metadata only: never sensitive values)."""
        seq, prev = self._chain_end()
        for attempt in range(MAX_APPEND_ATTEMPTS):
            event = AuditEvent(
                event_id=time_ordered_id(),
                at=utc_now(),
                actor=actor,
                action=action,
                target=target,
                details=details or {},
                outcome=outcome,
                seq=seq + 1,
                prev_hash=prev,
            )
            fields = event.model_dump(mode="json")
            event.hash = fields["hash"] = event_hash(fields)
            key = self._keys.audit_event(event.seq)
            try:
                self._table.put_new({"PK": key.pk, "SK": key.sk, **fields})
            except ConditionFailed as exc:
                # Another writer took this place: back off (exponentially, with jitter, so
                # many writers spread out instead of colliding again), then go on from the
                # end as it is now.
                time.sleep(random.uniform(0, min(0.005 * 2**attempt, 0.25)))  # noqa: S311
                seq, prev = self._chain_end() if attempt % 4 == 3 else _end_of(exc, seq)
                continue
            self._advance_head(event.seq, event.hash)
            return event
        raise Throttled("the audit trail is too busy to append to; retry shortly")

    def _chain_end(self) -> tuple[int, str]:
        """Sequence and hash of the newest event, read from the events themselves.

        Not from the head: a writer between its put and its head update leaves the head one
        behind, and starting from there would only lose the race again.
        """
        for fields in self._table.query(
            self._keys.audit, prefix=EVENTS, newest_first=True, page_size=1
        ):
            return int(fields["seq"]), str(fields["hash"])
        return 0, GENESIS

    def _advance_head(self, seq: int, hash_: str) -> None:
        """Move the head forward to ``seq``; a head already there or further stays.

        Best effort: the event is written and chained already; a head left behind (throttled
        here) only means the next append or ``verify`` sees it one event late.
        """
        key = self._keys.audit_head()
        with contextlib.suppress(ConditionFailed, StoreError):
            self._table.update(
                key,
                set_fields={"seq": seq, "hash": hash_},
                condition="attribute_not_exists(#PK) OR #seq < :seq",
                values={":seq": seq},
            )

    def verify_audit(self) -> ChainReport:
        """Check the whole chain: which events were edited, deleted or moved, and where."""
        items = self._table.query(self._keys.audit, prefix=EVENTS)
        return verify_chain(items, self._table.get(self._keys.audit_head()))

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
