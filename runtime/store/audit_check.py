"""Checking the audit trail's hash chain, in full or from where the last intact check ended.

A report on a request path must not cost the tenant's whole history, so an incremental check
starts after a mark (``TenantKeys.audit_verified``) that the last intact check left: the
sequence and hash of the newest event it verified. The marked event must still hash as it did,
or the whole chain is read again. The full check reads everything (``auterity audit verify``).
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

from runtime.core.clock import utc_now
from runtime.store.access import ConditionFailed
from runtime.store.audit import STALE_SECONDS, AuditOps
from runtime.store.chain import GENESIS, ChainProblem, ChainReport, event_hash, verify_chain
from runtime.store.errors import StoreError
from runtime.store.ids import to_utc
from runtime.store.keys import MAX_SEQ


class AuditCheckOps(AuditOps):
    def verify_audit(self, *, seal: bool = True, incremental: bool = False) -> ChainReport:
        """Check the chain: which events were edited, deleted or moved, and where.

        ``incremental`` starts after the newest event an earlier check found intact (its hash
        is kept in ``audit_verified``, and that event must still have it), so a check costs
        the events added since, not the tenant's whole history: what a report on a request
        path needs. The full check (``auterity audit verify``) reads everything. Queued events
        are sealed first (``seal=False`` only reads); one still queued after ``STALE_SECONDS``
        is a problem too, since the chain does not cover it yet.
        """
        if seal:
            with contextlib.suppress(StoreError):
                self.seal_audit()
        head = self._table.get(self._keys.audit_head())
        after = self._still_verified() if incremental else (0, GENESIS)
        first = self._keys.audit_event(after[0] + 1).sk
        items = self._table.query(
            self._keys.audit, between=(first, self._keys.audit_event(MAX_SEQ).sk)
        )
        report = verify_chain(items, head, after=after)
        if report.ok and report.head_seq > after[0] and report.verified_through >= report.head_seq:
            self._mark_verified(report.head_seq, report.head_hash)
        now = datetime.now(UTC)
        for fields in self._table.query(self._keys.audit_queue):
            at = to_utc(str(fields.get("at", "")))
            age = (now - at).total_seconds() if at is not None else float("inf")
            if age > STALE_SECONDS:
                report.problems.append(
                    ChainProblem(
                        seq=None,
                        event_id=str(fields.get("event_id")),
                        problem=f"queued since {fields.get('at')} and never sealed",
                    )
                )
        return report

    def _still_verified(self) -> tuple[int, str]:
        """Where the last intact check ended, if that event is still as it was then.

        If it changed, the whole chain is read again, so the report says what else did.
        """
        mark = self._table.get(self._keys.audit_verified())
        if mark is None:
            return 0, GENESIS
        seq, digest = int(mark["seq"]), str(mark["hash"])
        event = self._table.get(self._keys.audit_event(seq)) if 1 <= seq <= MAX_SEQ else None
        if event is None or event.get("hash") != digest or event_hash(event) != digest:
            return 0, GENESIS
        return seq, digest

    def _mark_verified(self, seq: int, digest: str) -> None:
        key = self._keys.audit_verified()
        with contextlib.suppress(ConditionFailed):  # a concurrent check got further: keep it
            self._table.put(
                {"PK": key.pk, "SK": key.sk, "seq": seq, "hash": digest, "at": utc_now()},
                condition="attribute_not_exists(PK) OR #seq < :seq",
                values={":seq": seq},
            )
