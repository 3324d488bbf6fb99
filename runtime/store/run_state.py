"""A durable run's state and checkpoints: what any process needs to take the run over.

The state item holds the trigger event and who runs the run now (``owner``) until when
(``lease_until``). Checkpoints are written in transactions that also check the lease is still
ours and the run is not cancelled, so a process that lost its lease (it paused past it, another
took over) cannot write anything more, and a checkpoint is written once (``attribute_not_exists``).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence
from typing import Any

from runtime.store import codec
from runtime.store.access import ConditionFailed
from runtime.store.errors import Conflict, NotFound
from runtime.store.keys import Key
from runtime.store.models import RunState
from runtime.store.scoped import Scoped, model_from

MAX_BATCH = 99
"""A transaction holds 100 items: the lease check and 99 checkpoints."""


class LeaseLost(Conflict):
    """Another process runs this run now, or it was cancelled: stop without writing."""


class RunStateOps(Scoped):
    def fits_run_state(self, state: RunState) -> bool:
        """Whether the run's state (its trigger event above all) fits one item."""
        key = self._keys.run_state(state.run_id)
        fields = {"PK": key.pk, "SK": key.sk, **state.model_dump(mode="json")}
        return codec.item_size(codec.to_item(fields)) <= codec.MAX_ITEM_BYTES

    def put_run_state(self, state: RunState) -> None:
        """Record a run as durable (once), owned by ``state.owner`` until ``state.lease_until``."""
        key = self._keys.run_state(state.run_id)
        try:
            self._table.put_new({"PK": key.pk, "SK": key.sk, **state.model_dump(mode="json")})
        except ConditionFailed:
            raise Conflict(f"run '{state.run_id}' is already durable") from None
        marker = self._keys.durable_marker()
        self._table.put({"PK": marker.pk, "SK": marker.sk})

    def get_run_state(self, run_id: str) -> RunState:
        fields = self._table.get(self._keys.run_state(run_id))
        if fields is None:
            raise NotFound(f"durable state of run '{run_id}'")
        return model_from(RunState, fields)

    def claim_run(self, run_id: str, owner: str, lease_seconds: int) -> RunState:
        """Take the run over if nobody holds it (lease expired or released) or we already do.

        Raises ``LeaseLost`` when another process holds it, or the run was cancelled.
        """
        now = int(time.time())
        try:
            fields = self._table.update(
                self._keys.run_state(run_id),
                set_fields={"owner": owner, "lease_until": now + lease_seconds},
                condition="attribute_exists(PK) AND #cancelled = :cancelled AND "
                "(#lease_until < :lease_until OR #owner = :owner)",
                values={":lease_until": now, ":owner": owner, ":cancelled": False},
            )
        except ConditionFailed as exc:
            if exc.old is None:
                raise NotFound(f"durable state of run '{run_id}'") from None
            raise LeaseLost(f"run '{run_id}' is held by another process or cancelled") from None
        return model_from(RunState, fields)

    def release_run(self, run_id: str, owner: str) -> None:
        """Let go (the run waits or ended): any process may take it up at once."""
        # Someone took it over already: nothing of ours to release.
        with contextlib.suppress(ConditionFailed):
            self._table.update(
                self._keys.run_state(run_id),
                set_fields={"owner": "", "lease_until": 0},
                condition="#owner = :owner",
                values={":owner": owner},
            )

    def cancel_run_state(self, run_id: str) -> None:
        """No further checkpoint of this run may be written, by any process."""
        with contextlib.suppress(ConditionFailed):  # never durable: nothing to stop
            self._table.update(
                self._keys.run_state(run_id),
                set_fields={"cancelled": True},
                condition="attribute_exists(PK)",
            )

    def save_checkpoints(
        self,
        run_id: str,
        owner: str,
        entries: Sequence[dict[str, Any]],
        lease_seconds: int,
        expires_at: int,
    ) -> None:
        """Write finished nodes' entries, renewing the lease; all or nothing per batch.

        Raises ``LeaseLost`` when the lease is no longer ours (or the run was cancelled), or a
        checkpoint of one of these positions exists already (someone else ran the node).
        """
        state = self._keys.run_state(run_id)
        now = int(time.time())
        condition = "#owner = :owner AND #lease_until >= :lease_until AND #cancelled = :cancelled"
        values = {":owner": owner, ":lease_until": now, ":cancelled": False}
        items = []
        for entry in entries:
            key = self._keys.checkpoint(run_id, entry["node"], tuple(entry.get("iteration") or ()))
            item = {"PK": key.pk, "SK": key.sk, "entry": entry, "expires_at": expires_at}
            if codec.item_size(codec.to_item(item)) > codec.MAX_ITEM_BYTES:
                # Too big to keep: the node runs again if the run is resumed (at least once,
                # with the same idempotency key), which is what an unkept step always does.
                item["entry"] = {"node": entry["node"], "iteration": entry.get("iteration") or []}
                item["oversize"] = True
            items.append(item)
        for start in range(0, max(len(items), 1), MAX_BATCH):
            renew = {"lease_until": now + lease_seconds}
            try:
                self._table.transact(
                    update=(state, renew, condition, values),
                    put_new=items[start : start + MAX_BATCH],
                )
            except ConditionFailed:
                raise LeaseLost(f"run '{run_id}' is no longer this process's to write") from None

    def renew_lease(self, run_id: str, owner: str, lease_seconds: int) -> None:
        try:
            self._table.update(
                self._keys.run_state(run_id),
                set_fields={"lease_until": int(time.time()) + lease_seconds},
                condition="#owner = :owner AND #cancelled = :cancelled",
                values={":owner": owner, ":cancelled": False},
            )
        except ConditionFailed:
            raise LeaseLost(f"run '{run_id}' is no longer this process's") from None

    def drop_run_state(self, run_id: str) -> None:
        """Forget a finished run's event and checkpoints (raw data nobody needs any more)."""
        pk = self._keys.durable_run(run_id)
        for fields in list(self._table.query(pk, attributes=("PK", "SK"))):
            self._table.delete(Key(fields["PK"], fields["SK"]))

    def checkpoints(self, run_id: str) -> list[dict[str, Any]]:
        """Every finished node's entry, in no particular order (too big ones are not kept)."""
        pk = self._keys.durable_run(run_id)
        found = self._table.query(pk, prefix="STEP#")
        return [fields["entry"] for fields in found if not fields.get("oversize")]
