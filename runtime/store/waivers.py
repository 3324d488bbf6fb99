"""Compliance waivers: an admin lets one graph deploy despite one rule, with a reason.

One item per (graph, rule), created only if absent and deleted only if present, so two admins
cannot silently overwrite each other's reasons; the routes audit both changes.
"""

from __future__ import annotations

from runtime.core.clock import utc_now
from runtime.store.access import ConditionFailed
from runtime.store.errors import Conflict, NotFound
from runtime.store.models import Waiver
from runtime.store.scoped import Scoped, model_from


class WaiverOps(Scoped):
    def add_waiver(self, graph_id: str, rule_id: str, reason: str, *, by: str) -> Waiver:
        waiver = Waiver(graph_id=graph_id, rule_id=rule_id, reason=reason, by=by, at=utc_now())
        key = self._keys.waiver(graph_id, rule_id)
        try:
            self._table.put_new({"PK": key.pk, "SK": key.sk, **waiver.model_dump(mode="json")})
        except ConditionFailed:
            raise Conflict(f"{rule_id} is already waived for graph {graph_id!r}") from None
        return waiver

    def list_waivers(self, graph_id: str) -> list[Waiver]:
        items = self._table.query(self._keys.root, prefix=self._keys.waivers(graph_id))
        return [model_from(Waiver, fields) for fields in items]

    def remove_waiver(self, graph_id: str, rule_id: str) -> None:
        try:
            self._table.delete(
                self._keys.waiver(graph_id, rule_id), condition="attribute_exists(#PK)"
            )
        except ConditionFailed:
            raise NotFound(f"waiver of {rule_id} for graph {graph_id!r}") from None
