"""Nodes waiting for a person, a callback or a timer, and the one answer each of them gets.

Answering is one conditional update that requires the wait to be ``pending``: when two
approvers click at once, or a callback races the timeout, exactly one answer is stored and the
other is told the wait was already answered. The answer carries the outputs the node fires when
its run resumes.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

from runtime.core.clock import utc_now
from runtime.store.access import ConditionFailed
from runtime.store.errors import Conflict, NotFound
from runtime.store.keys import WAITS
from runtime.store.models import Wait, WaitStatus
from runtime.store.scoped import Scoped, model_from

MAX_WAITS = 500


class WaitOps(Scoped):
    def put_wait(self, wait: Wait) -> None:
        """Record a wait once; a resumed run that reaches the same wait again keeps the first."""
        key = self._keys.wait(wait.run_id, wait.node, tuple(wait.iteration))
        with contextlib.suppress(ConditionFailed):
            self._table.put_new({"PK": key.pk, "SK": key.sk, **wait.model_dump(mode="json")})

    def get_wait(self, run_id: str, node: str, iteration: tuple[int, ...] = ()) -> Wait:
        fields = self._table.get(self._keys.wait(run_id, node, iteration))
        if fields is None or fields["expires_at"] <= time.time():
            raise NotFound(f"run '{run_id}' is not waiting at node '{node}'")
        return model_from(Wait, fields)

    def list_waits(
        self, *, status: WaitStatus | None = "pending", run_id: str | None = None
    ) -> list[Wait]:
        """Oldest first; ``run_id`` narrows to one run's waits."""
        prefix = WAITS + (f"{run_id}#" if run_id else "")
        waits = []
        for fields in self._table.query(self._keys.waits, prefix=prefix):
            wait = model_from(Wait, fields)
            if wait.expires_at > time.time() and (status is None or wait.status == status):
                waits.append(wait)
            if len(waits) >= MAX_WAITS:
                break
        return sorted(waits, key=lambda w: w.created_at)

    def consume_waits(self, run_id: str, waits: list[Wait]) -> None:
        """Note that a resume took these answers up (they stay the node's outputs)."""
        for wait in waits:
            self._table.update(
                self._keys.wait(run_id, wait.node, tuple(wait.iteration)),
                set_fields={"consumed": True},
                condition="attribute_exists(PK)",
            )

    def answer_wait(
        self,
        run_id: str,
        node: str,
        iteration: tuple[int, ...],
        *,
        status: WaitStatus,
        outputs: dict[str, Any],
        by: str,
        comment: str = "",
    ) -> Wait:
        """Store the one answer; ``Conflict`` if the wait was answered (or cancelled) already."""
        key = self._keys.wait(run_id, node, iteration)
        try:
            fields = self._table.update(
                key,
                set_fields={
                    "status": status,
                    "outputs": outputs,
                    "decided_by": by,
                    "decided_at": utc_now(),
                    "comment": comment,
                },
                condition="attribute_exists(PK) AND #status = :status",
                values={":status": "pending"},
            )
        except ConditionFailed as exc:
            old = exc.fields
            if old is None:
                raise NotFound(f"run '{run_id}' is not waiting at node '{node}'") from None
            raise Conflict(
                f"the wait at node '{node}' of run '{run_id}' was already {old.get('status')}"
            ) from None
        return model_from(Wait, fields)
