"""Schedule slots: one item per slot of a deployment's schedule, so each slot fires once.

Every scheduler process that finds a slot due tries to *claim* it with one conditional write;
one wins. The winner then *binds* the run id to the claim (a second conditional write, only if
the claim is still its own) and only then starts the run. So:

- two processes never both run a slot (the claim);
- a process killed after claiming but before binding leaves a claim whose lease runs out, and
  another process takes it over and runs the slot (late, but once);
- a process that was slow and lost its lease finds the claim no longer its own when it tries
  to bind, and starts nothing;
- once a run id is bound the slot is never run again, even if that process dies mid-run
  (its run's side effects may have happened; running it twice is the worse failure).

Missed slots (downtime, see ``runtime.schedules.slots``) are recorded with a put that only
creates, so they too are recorded once, and never over a claim.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from runtime.core.clock import utc_now
from runtime.store.access import ConditionFailed
from runtime.store.scoped import Scoped, model_from

FireStatus = Literal["claimed", "fired", "missed"]
FIRE_RETENTION_SECONDS = 30 * 86_400
"""How long a slot's record is kept (DynamoDB TTL); the runs keep the tenant's retention."""


class Fire(BaseModel):
    """One slot of a deployment's schedule, as recorded."""

    model_config = ConfigDict(extra="forbid")

    slug: str
    slot: str
    """UTC, to the second (``keys.SLOT``)."""
    scheduled_at: str
    """The slot in the schedule's time zone (ISO 8601 with offset), as the run's event has it."""
    status: FireStatus
    graph_id: str
    version: int
    run_id: str | None = None
    owner: str | None = None
    lease_until: int = 0
    """Epoch seconds after which an unbound claim may be taken over."""
    at: str
    """When it was claimed (or recorded as missed)."""


def slot_key(slot: datetime) -> str:
    """A slot as its key part: UTC, to the second."""
    if slot.tzinfo is None:
        slot = slot.replace(tzinfo=UTC)
    return slot.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class FireOps(Scoped):
    def claim_fire(
        self,
        slug: str,
        slot: datetime,
        *,
        owner: str,
        graph_id: str,
        version: int,
        now: float,
        lease_seconds: int,
    ) -> tuple[bool, Fire | None]:
        """Take the slot unless someone holds it; (won, the slot as it is now).

        A claim whose lease ran out without a run bound to it can be taken over.
        """
        key = self._keys.fire(slug, slot_key(slot))
        fields = {
            "slug": slug,
            "slot": slot_key(slot),
            "scheduled_at": slot.isoformat(),
            "status": "claimed",
            "graph_id": graph_id,
            "version": version,
            "owner": owner,
            "lease_until": int(now) + lease_seconds,
            "at": utc_now(),
            "expires_at": int(now) + FIRE_RETENTION_SECONDS,
        }
        try:
            after = self._table.update(
                key,
                set_fields=fields,
                remove=("run_id",),
                condition="attribute_not_exists(#PK) OR "
                "(#status = :status__claimed AND #lease_until < :lease_until__now)",
                values={":status__claimed": "claimed", ":lease_until__now": int(now)},
            )
        except ConditionFailed:
            # Read it back: not every DynamoDB (moto's update_item) returns the whole item.
            held = self._table.get(key)
            return False, model_from(Fire, held) if held and "status" in held else None
        return True, model_from(Fire, after)

    def bind_fire(self, slug: str, slot: datetime, *, owner: str, run_id: str) -> bool:
        """Record the run about to start on our claim; False if the claim is not ours now."""
        try:
            self._table.update(
                self._keys.fire(slug, slot_key(slot)),
                set_fields={"status": "fired", "run_id": run_id},
                condition="#status = :status__claimed AND #owner = :owner",
                values={":status__claimed": "claimed", ":owner": owner},
            )
        except ConditionFailed:
            return False
        return True

    def record_missed(
        self, slug: str, slot: datetime, *, graph_id: str, version: int, now: float
    ) -> bool:
        """Record a slot that will not run; False if it is already recorded or claimed."""
        key = self._keys.fire(slug, slot_key(slot))
        fields = {
            "PK": key.pk,
            "SK": key.sk,
            "slug": slug,
            "slot": slot_key(slot),
            "scheduled_at": slot.isoformat(),
            "status": "missed",
            "graph_id": graph_id,
            "version": version,
            "at": utc_now(),
            "expires_at": int(now) + FIRE_RETENTION_SECONDS,
        }
        try:
            self._table.put_new(fields)
        except ConditionFailed:
            return False
        return True

    def list_fires(self, slug: str, limit: int = 10) -> list[Fire]:
        """The deployment's newest slots first: fired, claimed and missed."""
        items = self._table.query(
            self._keys.fires,
            prefix=self._keys.fires_of(slug),
            newest_first=True,
            page_size=limit,
        )
        fires: list[Fire] = []
        for fields in items:
            fires.append(model_from(Fire, fields))
            if len(fires) >= limit:
                break
        return fires
