"""The audit trail's hash chain: how an event is hashed, and how a trail is checked.

Each event holds the hash of the one before it, so editing an event changes its hash and
breaks the next link, deleting one leaves a gap in the sequence, and moving one puts it where
its sequence number and link do not fit. The head item records the newest sealed event, so
deleting events from the end is caught too. (How events get into the chain: ``audit.py``.)

Anyone who can write the table can also recompute every hash after an edit: the chain proves
that history was not changed *since someone kept a copy of the head*, which is what exporting
the head (``auterity audit verify`` prints it) is for.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, Field

from runtime.core.canonical import canonical_json

GENESIS = "0" * 64
"""The ``prev_hash`` of a tenant's first event."""

HASHED = ("event_id", "seq", "at", "actor", "action", "target", "details", "outcome", "prev_hash")


def event_hash(fields: dict[str, Any]) -> str:
    """SHA-256 of the event's fields (not its keys, its write token, or its own hash)."""
    body = {name: fields.get(name) for name in HASHED}
    return hashlib.sha256(canonical_json(body).encode()).hexdigest()


class ChainProblem(BaseModel):
    seq: int | None
    """Where in the chain; ``None`` for the head or an item outside the sequence."""
    event_id: str | None = None
    problem: str


class ChainReport(BaseModel):
    events: int
    head_seq: int
    head_hash: str
    problems: list[ChainProblem] = Field(default_factory=list)
    checked_from: int = 1
    """The first event this check read; the ones before it were verified by an earlier check
    (``verified_through`` of that one) and are not read again."""
    verified_through: int = 0
    """The newest event the chain is verified up to, when it is intact (0 when it is not)."""

    @property
    def ok(self) -> bool:
        return not self.problems


def _seq_of(sk: str) -> int | None:
    digits = sk.removeprefix("EV#")
    return int(digits) if digits.isdigit() else None


def verify_chain(
    items: Iterable[dict[str, Any]],
    head: dict[str, Any] | None,
    *,
    after: tuple[int, str] = (0, GENESIS),
) -> ChainReport:
    """Check stored items (in key order) and the head; every problem says where it is.

    ``after`` is the (sequence, hash) of an event already verified: ``items`` then start with
    the event after it, which must link to that hash.
    """
    problems: list[ChainProblem] = []
    expected, prev, count, last_hash = after[0] + 1, after[1], after[0], after[1]
    seen: dict[str, int] = {}
    for fields in items:
        count += 1
        event_id = fields.get("event_id") if isinstance(fields.get("event_id"), str) else None
        if event_id is not None and isinstance(fields.get("seq"), int):
            first = seen.setdefault(event_id, fields["seq"])
            if first != fields["seq"]:
                problems.append(
                    ChainProblem(
                        seq=fields["seq"], event_id=event_id, problem=f"copy of event {first}"
                    )
                )
        position = _seq_of(str(fields.get("SK", "")))
        if position is None:
            problems.append(ChainProblem(seq=None, event_id=event_id, problem="not in the chain"))
            continue
        if position > expected:
            missing = f"{expected}" if position == expected + 1 else f"{expected}-{position - 1}"
            problems.append(ChainProblem(seq=expected, problem=f"event(s) {missing} deleted"))
        if fields.get("seq") != position:
            problems.append(
                ChainProblem(
                    seq=position,
                    event_id=event_id,
                    problem=f"holds event #{fields.get('seq')}: moved from its place",
                )
            )
        if event_hash(fields) != fields.get("hash"):
            problems.append(
                ChainProblem(seq=position, event_id=event_id, problem="edited: hash does not match")
            )
        elif fields.get("prev_hash") != prev and position == expected:
            problems.append(
                ChainProblem(
                    seq=position,
                    event_id=event_id,
                    problem="does not follow the event before it (reordered or replaced)",
                )
            )
        prev = last_hash = str(fields.get("hash"))
        expected = position + 1
    head_seq = int(head.get("seq", 0)) if head else 0
    head_hash = str(head.get("hash", GENESIS)) if head else GENESIS
    last = expected - 1
    if head_seq > last:
        problems.append(
            ChainProblem(seq=last + 1, problem=f"event(s) {last + 1}-{head_seq} deleted (head)")
        )
    elif head_seq == last and head_hash != last_hash:
        problems.append(ChainProblem(seq=last, problem="newest event edited (head hash differs)"))
    return ChainReport(
        events=count,
        head_seq=head_seq,
        head_hash=head_hash,
        problems=problems,
        checked_from=after[0] + 1,
        verified_through=0 if problems else last,
    )
