"""SOC2 change control: a graph version is deployed only after someone else approved it.

One item per (graph, version). Asking creates it only if absent; approving is one conditional
update that requires it to be pending and the approver to be neither its author nor the one
who asked, so the four-eyes rule holds even when two people race. The approval pins the
compiled bundle's hash, so what is deployed is exactly what was approved.
"""

from __future__ import annotations

from runtime.core.clock import utc_now
from runtime.store.access import ConditionFailed
from runtime.store.errors import Conflict, Forbidden, NotFound
from runtime.store.models import Approval
from runtime.store.scoped import Scoped, model_from


class ApprovalOps(Scoped):
    def request_approval(
        self, graph_id: str, version: int, bundle_hash: str, *, author: str, by: str
    ) -> Approval:
        approval = Approval(
            graph_id=graph_id,
            version=version,
            bundle_hash=bundle_hash,
            requested_by=by,
            requested_at=utc_now(),
            author=author,
        )
        key = self._keys.approval(graph_id, version)
        try:
            self._table.put_new({"PK": key.pk, "SK": key.sk, **approval.model_dump(mode="json")})
        except ConditionFailed:
            raise Conflict(f"approval of {graph_id!r} v{version} was already asked for") from None
        return approval

    def get_approval(self, graph_id: str, version: int) -> Approval:
        fields = self._table.get(self._keys.approval(graph_id, version))
        if fields is None:
            raise NotFound(f"approval of {graph_id!r} v{version}")
        return model_from(Approval, fields)

    def approve(self, graph_id: str, version: int, *, by: str) -> Approval:
        try:
            fields = self._table.update(
                self._keys.approval(graph_id, version),
                set_fields={"status": "approved", "approved_by": by, "approved_at": utc_now()},
                condition=(
                    "attribute_exists(#PK) AND #status = :status__pending"
                    " AND #author <> :author__by AND #requested_by <> :requested_by__by"
                ),
                values={
                    ":status__pending": "pending",
                    ":author__by": by,
                    ":requested_by__by": by,
                },
            )
        except ConditionFailed as exc:
            current = exc.fields
            if current is None:
                raise NotFound(f"approval of {graph_id!r} v{version}") from None
            if current.get("status") != "pending":
                raise Conflict(f"{graph_id!r} v{version} is already approved") from None
            raise Forbidden("the author or the requester cannot approve their own change") from None
        return model_from(Approval, fields)
