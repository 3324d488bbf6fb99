"""Counters of login attempts, per account and per source, shared by every process.

Items live outside every tenant's key space (``LOGIN#<sha256>``): an attempt on a tenant that
does not exist is counted the same way as one on a tenant that does, and the key is a hash, so
no email or address is stored in the clear. Each item expires (DynamoDB TTL) after its window
of quiet, which is also when its count starts again.

Every change is one atomic ``UpdateItem``: an attempt is counted *before* its password is
checked, conditioned on the counter not being blocked, so a burst of parallel guesses gets one
distinct count each and cannot slip past the limit together.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
from dataclasses import dataclass

from runtime.store.access import ConditionFailed, Table
from runtime.store.keys import Key
from runtime.store.table import TABLE_NAME_DEFAULT, DynamoDBClient

PREFIX = "LOGIN#"
SK = "ATTEMPTS"
NOW = ":expires_at__now"
"""Named after a native attribute so the codec sends it as a number (``access._values``)."""


@dataclass(frozen=True, slots=True)
class Blocked:
    """The counter refuses attempts for ``retry_after`` more seconds; ``failures`` so far."""

    retry_after: int
    failures: int


def account_key(tenant: str, email: str) -> Key:
    return _key(f"account\0{tenant.strip().lower()}\0{email.strip().lower()}")


def source_key(source: str) -> Key:
    return _key(f"source\0{source}")


def _key(name: str) -> Key:
    return Key(PREFIX + hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest(), SK)


class LoginAttempts:
    def __init__(self, client: DynamoDBClient, table_name: str = TABLE_NAME_DEFAULT) -> None:
        self._table = Table(client, table_name)

    def count(self, key: Key, now: float, window: int) -> int | Blocked:
        """Count one attempt and return its number, or refuse it while the counter is blocked."""
        clock = math.floor(now)
        for _ in range(3):
            try:
                after = self._table.update(
                    key,
                    add={"failures": 1},
                    set_fields={"expires_at": clock + window},
                    condition=(
                        "attribute_not_exists(#PK) OR ((attribute_not_exists(#blocked_until)"
                        f" OR #blocked_until <= {NOW}) AND #expires_at > {NOW})"
                    ),
                    values={NOW: clock},
                )
                return int(after["failures"])
            except ConditionFailed as exc:
                old = exc.fields or {}
            expired = int(old.get("expires_at", 0))
            if expired > clock:
                blocked = int(old.get("blocked_until", 0))
                return Blocked(max(1, blocked - clock), int(old.get("failures", 0)))
            # Quiet for a whole window (TTL deletes lazily): start again, unless another
            # attempt did so first, in which case count on top of that.
            with contextlib.suppress(ConditionFailed):
                self._table.put(
                    {"PK": key.pk, "SK": key.sk, "failures": 0, "expires_at": clock + window},
                    condition="#expires_at = :expires_at__old",
                    values={":expires_at__old": expired},
                )
        return Blocked(1, 0)  # three races lost in a row: ask the caller to come back

    def block(self, key: Key, until: float) -> None:
        """Refuse attempts until ``until``; never shortens a longer block already in place."""
        with contextlib.suppress(ConditionFailed):
            self._table.update(
                key,
                set_fields={"blocked_until": math.ceil(until)},
                condition=(
                    "attribute_exists(#PK) AND (attribute_not_exists(#blocked_until)"
                    " OR #blocked_until < :blocked_until__set)"
                ),
            )

    def give_back(self, key: Key) -> None:
        """Un-count an attempt that succeeded (a source's count is of failures only)."""
        with contextlib.suppress(ConditionFailed):
            self._table.update(key, add={"failures": -1}, condition="attribute_exists(#PK)")

    def clear(self, key: Key) -> None:
        """Forget the counter: after a successful login, or an admin lifting a lockout."""
        self._table.delete(key)

    def failures(self, key: Key) -> int:
        fields = self._table.get(key, attributes=("failures",))
        return 0 if fields is None else int(fields.get("failures", 0))
