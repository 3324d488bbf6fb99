"""Deployments: a slug serving one version of one graph, changed only by conditional writes."""

from __future__ import annotations

import secrets
from typing import Any

from runtime.store.access import ConditionFailed, Table
from runtime.store.errors import Conflict, InvalidInput, NotFound
from runtime.store.graphstate import read_head, resolve_head
from runtime.store.ids import utc_now
from runtime.store.keys import DEPLOYMENTS, GRAPH_ID, Key, TenantKeys, checked
from runtime.store.models import Deployment, DeploymentAction
from runtime.store.scoped import Scoped, model_from

HISTORY_LIMIT = 100
"""Most recent changes kept on the deployment item; the audit log keeps everything."""


def slugs_serving(table: Table, keys: TenantKeys, graph_id: str) -> list[str]:
    items = table.query(keys.root, prefix=DEPLOYMENTS, attributes=("slug", "graph_id"))
    return [item["slug"] for item in items if item["graph_id"] == graph_id]


class DeploymentOps(Scoped):
    def deploy(self, slug: str, graph_id: str, version: int, *, by: str) -> Deployment:
        key = self._keys.deployment(slug)
        checked(GRAPH_ID, graph_id, "graph id")
        self._require_version(graph_id, version)
        current = self._table.get(key)
        if current is not None and current["graph_id"] != graph_id:
            raise Conflict(
                f"deployment '{slug}' serves graph '{current['graph_id']}'; undeploy it first"
            )
        return self._write(key, slug, graph_id, version, by, "deploy", current)

    def rollback(self, slug: str, version: int, *, by: str) -> Deployment:
        key = self._keys.deployment(slug)
        current = self._table.get(key)
        if current is None:
            raise NotFound(f"deployment '{slug}'")
        if not isinstance(version, int) or not 1 <= version < current["version"]:
            raise InvalidInput(
                f"a rollback goes to a version before {current['version']}, not {version}"
            )
        self._require_version(current["graph_id"], version)
        return self._write(key, slug, current["graph_id"], version, by, "rollback", current)

    def undeploy(self, slug: str) -> None:
        try:
            self._table.delete(self._keys.deployment(slug), condition="attribute_exists(#PK)")
        except ConditionFailed:
            raise NotFound(f"deployment '{slug}'") from None

    def get_deployment(self, slug: str) -> Deployment:
        fields = self._table.get(self._keys.deployment(slug))
        if fields is None:
            raise NotFound(f"deployment '{slug}'")
        return model_from(Deployment, fields)

    def list_deployments(self) -> list[Deployment]:
        items = self._table.query(self._keys.root, prefix=DEPLOYMENTS)
        return [model_from(Deployment, fields) for fields in items]

    def _require_version(self, graph_id: str, version: int) -> None:
        head = resolve_head(self._table, self._keys, graph_id)
        if head is None or not head.live:
            raise NotFound(f"graph '{graph_id}'")
        exists = (
            isinstance(version, int)
            and 1 <= version <= head.version
            and self._table.get(
                self._keys.graph_version(graph_id, version), attributes=("version",)
            )
            is not None
        )
        if not exists:
            raise NotFound(f"graph '{graph_id}' version {version}")

    def _write(
        self,
        key: Key,
        slug: str,
        graph_id: str,
        version: int,
        by: str,
        action: DeploymentAction,
        current: dict[str, Any] | None,
    ) -> Deployment:
        now = utc_now()
        change = {"version": version, "at": now, "by": by, "action": action}
        revision = (current["revision"] if current else 0) + 1
        token = secrets.token_hex(8)
        fields: dict[str, Any] = {
            "PK": key.pk,
            "SK": key.sk,
            "slug": slug,
            "graph_id": graph_id,
            "version": version,
            "deployed_at": now,
            "deployed_by": by,
            "history": [*(current["history"] if current else []), change][-HISTORY_LIMIT:],
            "revision": revision,
            "wtoken": token,
        }
        try:
            if current is None:
                self._table.put(fields, condition="attribute_not_exists(#PK)")
            else:
                self._table.put(
                    fields,
                    condition="#revision = :revision",
                    values={":revision": current["revision"]},
                )
        except ConditionFailed as exc:
            now_there = exc.fields or {}
            if now_there.get("wtoken") != token:  # not our own write, retried by the client
                raise Conflict(
                    f"deployment '{slug}' changed meanwhile; reload it and try again",
                    current_version=now_there.get("version"),
                ) from None
        head = read_head(self._table, self._keys, graph_id)
        if head is None or not head.live:  # the graph was deleted while we deployed it
            self._restore(key, current, revision)
            raise NotFound(f"graph '{graph_id}'")
        return model_from(Deployment, fields)

    def _restore(self, key: Key, previous: dict[str, Any] | None, revision: int) -> None:
        """Undo our write, unless someone has changed the deployment again since."""
        condition, values = "#revision = :revision", {":revision": revision}
        try:
            if previous is None:
                self._table.delete(key, condition=condition, values=values)
            else:
                restored = {**previous, "revision": revision + 1}
                self._table.put(restored, condition=condition, values=values)
        except ConditionFailed:
            pass
