"""The audit trail: append-only per tenant, hash-chained, and cheap to append to under load.

Why two steps. A chain has one end. If every append had to win that end for itself (read the
newest event, put the next place conditionally, retry on losing), N concurrent writers would
make N attempts each and throughput would collapse exactly when a tenant is busiest. So:

1. **Queue** (one conditional put, never contended): the event goes into the tenant's queue
   partition under its own unique id (``attribute_not_exists``). From here on it is durable: an
   audited change may proceed, and nothing can take its place.
2. **Seal** (batched, by one writer at a time): the sealer reads the head (sequence and hash
   of the newest sealed event), then the oldest queued events, links them in order (``seq``,
   ``prev_hash``, ``hash``) and writes each at ``EV#<seq>`` with ``attribute_not_exists``;
   then deletes their queue items and moves the head forward (conditionally: only forward).

Who seals. The head item also holds a short *sealing lease*. A writer that finds the lease
held returns at once: the holder reads the queue again after releasing the lease, and the
writer's event was queued before it looked at the lease, so the holder (or the next one) picks
it up. A writer that finds no lease takes it (a conditional update; one of many wins) and
seals until the queue is empty or its time budget is spent. So under contention an append
costs about four requests (queue, head, and its share of seal and retire), not a lost race
per competitor. The lease is only about efficiency, never about safety.

Why the chain cannot fork or repeat. ``EV#<seq>`` is written only if it does not exist, so
two events never share a place, and a sealer writes contiguously from ``head + 1`` and stops
at its first lost place. The head moves only over events that exist, and only forward. A
queued event is never sealed twice: its queue item is deleted *before* the head moves past its
place, and a sealer reads the head *before* the queue, so anything it finds queued is either
unsealed or sealed beyond the head it read, where its first put (``head + 1``) fails. That
holds whoever has the lease, so a sealer that outlived its lease is harmless.

Failures. A sealer that stopped half way (crash, throttling) leaves events beyond the head;
the next lease holder finds ``head + 1`` taken and finishes that work (retires their queue
items, moves the head) before going on. An event whose sealer stopped, or that arrived after
the last holder's budget ran out on a quiet tenant, stays queued until the next append or
``verify_audit`` (``audit_check.py``), which seals first and then reports anything queued
longer than ``STALE_SECONDS``. Tamper evidence starts when an event is sealed, normally milliseconds
after it is queued. Only single-item conditional writes are used (no transactions).
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, Literal

from runtime.core.clock import utc_now
from runtime.store.access import ConditionFailed
from runtime.store.chain import GENESIS, event_hash
from runtime.store.errors import InvalidInput, StoreError
from runtime.store.ids import time_ordered_id
from runtime.store.keys import EVENTS, MAX_SEQ
from runtime.store.models import AuditEvent, AuditOutcome
from runtime.store.scoped import Scoped, model_from

MAX_LIST = 1000
BATCH = 25
"""Queued events sealed per pass: small enough that a pass is short, so is the lease."""
LEASE_SECONDS = 5.0
"""How long a sealing lease lasts unless renewed; a holder renews it half way."""
LEASE_MS = int(LEASE_SECONDS * 1000)
SEAL_BUDGET_SECONDS = 1.0
"""How long one append keeps sealing for others before it answers (bounded latency)."""
STALE_SECONDS = 60.0
"""A queued event older than this when ``verify_audit`` looks is reported as a problem."""
VERIFY_PASSES = 10_000

log = logging.getLogger("auterity.audit")

PassResult = Literal["empty", "lost", "progress"]


@dataclass(frozen=True)
class _Head:
    seq: int
    hash: str
    lease_until_ms: int = field(default=0, compare=False)


@dataclass
class _Pass:
    result: PassResult
    head: _Head
    own: AuditEvent | None = None
    drained: bool = False
    """Everything queued when this pass looked is sealed."""


def _head_of(fields: dict[str, Any]) -> _Head:
    return _Head(
        int(fields.get("seq", 0)),
        str(fields.get("hash", GENESIS)),
        int(fields.get("lease_until", 0)),
    )


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _linked(fields: dict[str, Any], seq: int, prev: str) -> dict[str, Any]:
    """The queued event at place ``seq`` after ``prev``, with its hash."""
    body = {k: v for k, v in fields.items() if k in AuditEvent.model_fields}
    body.update(seq=seq, prev_hash=prev)
    body["hash"] = event_hash(body)
    return body


class AuditOps(Scoped):
    def record_audit(
        self,
        *,
        actor: str,
        action: str,
        target: str,
        details: dict[str, Any] | None = None,
        outcome: AuditOutcome = "attempted",
    ) -> AuditEvent:
        """Append an event to the tenant's chain (metadata only: never sensitive values).

        Returns the event with its place in the chain when this writer sealed it; with
        ``seq == 0`` when another writer seals it (it is queued, and durable). Raises a
        ``StoreError`` only if the event could not be queued at all.
        """
        event = AuditEvent(
            event_id=time_ordered_id(),
            at=utc_now(),
            actor=actor,
            action=action,
            target=target,
            details=details or {},
            outcome=outcome,
        )
        queued = self._keys.audit_queued(event.event_id)
        self._table.put_new({"PK": queued.pk, "SK": queued.sk, **event.model_dump(mode="json")})
        try:
            sealed = self._seal_unless_busy(event.event_id)
        except StoreError:
            log.warning("audit event %s left queued", event.event_id, exc_info=True)
            return event
        return sealed or event

    def seal_audit(self, max_passes: int = VERIFY_PASSES) -> None:
        """Seal every queued event now, lease or not (safe: see the module docstring)."""
        head = self._head()
        for _ in range(max_passes):
            step = self._seal_pass(head, None)
            if step.result == "empty":
                return
            if step.result == "lost":
                moved = self._finish_stalled(self._head())
                if moved == head:
                    time.sleep(0.01)  # a live sealer is ahead of us
                head = moved
                continue
            head = step.head
            self._move_head(head)

    # -- the lease -----------------------------------------------------------------------

    def _seal_unless_busy(self, own_id: str) -> AuditEvent | None:
        if self._head().lease_until_ms > _now_ms():
            return None  # the holder reads the queue again before it lets go
        token = secrets.token_hex(8)
        head = self._take_lease(token)
        if head is None:
            return None  # another writer took it a moment ago
        own: AuditEvent | None = None
        deadline = time.monotonic() + SEAL_BUDGET_SECONDS
        renew_at = time.monotonic() + LEASE_SECONDS / 2
        try:
            while time.monotonic() < deadline:
                step = self._seal_pass(head, own_id)
                own = own or step.own
                if step.result == "lost":
                    # A place after our head is taken: a sealer that stopped (or outlived its
                    # lease) was there first. Finish its work, or wait for it.
                    moved = self._finish_stalled(self._head())
                    if moved == head:
                        time.sleep(0.01)
                    head = moved
                    continue
                head = step.head
                if not step.drained:
                    renew = time.monotonic() >= renew_at
                    self._move_head(head, renew=token if renew else None)
                    if renew:
                        renew_at = time.monotonic() + LEASE_SECONDS / 2
                    continue
                self._move_head(head, release=token)
                token = ""
                # A writer who queued while we held the lease relies on this second look.
                if not self._queue_waiting():
                    return own
                token = secrets.token_hex(8)
                taken = self._take_lease(token)
                if taken is None:
                    token = ""
                    return own
                head = taken
            return own
        finally:
            if token:
                with contextlib.suppress(StoreError):
                    self._move_head(None, release=token)

    def _take_lease(self, token: str) -> _Head | None:
        """The lease if nobody holds it; the head as it is now (read after: for the queue)."""
        now = _now_ms()
        try:
            fields = self._table.update(
                self._keys.audit_head(),
                set_fields={"lease_owner": token, "lease_until": now + LEASE_MS},
                condition="attribute_not_exists(#lease_until) OR #lease_until < :lease_until__now",
                values={":lease_until__now": now},
            )
        except ConditionFailed:
            return None
        return _head_of(fields)

    def _move_head(
        self, to: _Head | None, *, release: str | None = None, renew: str | None = None
    ) -> None:
        """Move the head forward to ``to`` (never back), releasing or renewing our lease."""
        fields: dict[str, Any] = {}
        values: dict[str, Any] = {}
        conditions: list[str] = []
        if to is not None:
            fields.update(seq=to.seq, hash=to.hash)
            conditions.append("(attribute_not_exists(#seq) OR #seq <= :seq)")
            values[":seq"] = to.seq
        owner = release or renew
        if owner is not None:
            fields["lease_until"] = 0 if release else _now_ms() + LEASE_MS
            conditions.append("#lease_owner = :lease_owner")
            values[":lease_owner"] = owner
        if not fields:
            return
        try:
            self._table.update(
                self._keys.audit_head(),
                set_fields=fields,
                condition=" AND ".join(conditions),
                values=values,
            )
        except ConditionFailed:
            if to is not None and owner is not None:  # one of the two still applies
                self._move_head(to)
                self._move_head(None, release=release, renew=renew)

    def _queue_waiting(self) -> bool:
        return next(iter(self._table.query(self._keys.audit_queue, page_size=1)), None) is not None

    # -- sealing -------------------------------------------------------------------------

    def _head(self) -> _Head:
        return _head_of(self._table.get(self._keys.audit_head()) or {})

    def _seal_pass(self, head: _Head, own_id: str | None) -> _Pass:
        """Seal the oldest queued events after ``head``, in order, until a place is taken.

        ``head`` must have been read before this reads the queue (or be one this sealer moved
        the head to). Sealed events' queue items are retired; moving the head is the caller's.
        """
        queued = list(islice(self._table.query(self._keys.audit_queue, page_size=BATCH), BATCH))
        if not queued:
            return _Pass("empty", head, drained=True)
        seq, prev = head.seq, head.hash
        sealed: list[dict[str, Any]] = []
        own: AuditEvent | None = None
        for fields in queued:
            if seq + 1 > MAX_SEQ:
                raise InvalidInput("the audit trail is full")
            body = _linked(fields, seq + 1, prev)
            key = self._keys.audit_event(seq + 1)
            try:
                self._table.put_new({"PK": key.pk, "SK": key.sk, **body})
            except ConditionFailed:
                break
            sealed.append(body)
            seq, prev = seq + 1, body["hash"]
            if body["event_id"] == own_id:
                own = model_from(AuditEvent, body)
        if not sealed:
            return _Pass("lost", head)
        self._retire(sealed)
        drained = len(sealed) == len(queued) < BATCH
        return _Pass("progress", _Head(seq, prev), own, drained=drained)

    def _retire(self, sealed: list[dict[str, Any]]) -> None:
        """Delete the queue items of sealed events: before the head moves past them."""
        for body in sealed:
            self._table.delete(self._keys.audit_queued(str(body["event_id"])))

    def _finish_stalled(self, head: _Head) -> _Head:
        """Events sealed beyond the head by a sealer that stopped: retire them, move the head.

        Only a contiguous run that links to the head is taken over; anything else is left for
        ``verify_audit`` to report.
        """
        seq, prev = head.seq, head.hash
        beyond: list[dict[str, Any]] = []
        for fields in self._table.query(
            self._keys.audit,
            between=(self._keys.audit_event(seq + 1).sk, self._keys.audit_event(MAX_SEQ).sk),
            page_size=BATCH,
        ):
            if fields.get("seq") != seq + 1 or fields.get("prev_hash") != prev:
                break
            if event_hash(fields) != fields.get("hash"):
                break
            beyond.append(fields)
            seq, prev = seq + 1, str(fields["hash"])
            if len(beyond) >= BATCH:
                break
        if not beyond:
            return head
        self._retire(beyond)
        moved = _Head(seq, prev)
        self._move_head(moved)
        return moved

    # -- reading -------------------------------------------------------------------------

    def list_audit(self, limit: int = 100) -> list[AuditEvent]:
        """Sealed events, newest first."""
        if not 1 <= limit <= MAX_LIST:
            raise InvalidInput(f"limit must be between 1 and {MAX_LIST}, not {limit}")
        items = self._table.query(
            self._keys.audit, prefix=EVENTS, newest_first=True, page_size=limit
        )
        return [model_from(AuditEvent, fields) for fields in islice(items, limit)]

    def iter_audit(self) -> Iterator[AuditEvent]:
        """The whole trail, oldest first, then any events still queued (``seq == 0``).

        The queue is read first and the chain after it, so an event sealed in between is
        yielded once, from the chain, and none is missed.
        """
        waiting = {
            str(f["event_id"]): model_from(AuditEvent, {**f, "seq": 0})
            for f in self._table.query(self._keys.audit_queue)
        }
        for fields in self._table.query(self._keys.audit, prefix=EVENTS):
            waiting.pop(str(fields.get("event_id")), None)
            yield model_from(AuditEvent, fields)
        yield from waiting.values()
