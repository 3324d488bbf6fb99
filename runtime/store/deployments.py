"""Deployments: a slug serving one version of one graph, changed only by conditional writes.

Every write that puts a version live takes the deploy gate's evidence (``GatePassed``) for
exactly that version as stored: without it nothing goes live, whichever route asks.
"""

from __future__ import annotations

import secrets
from typing import Any

from runtime.core.clock import utc_now
from runtime.store.access import ConditionFailed, Table
from runtime.store.errors import Conflict, InvalidInput, NotFound
from runtime.store.gatepass import GatePassed
from runtime.store.graphstate import read_head, resolve_head
from runtime.store.keys import DEPLOYMENTS, GRAPH_ID, Key, TenantKeys, checked
from runtime.store.models import Deployment, DeploymentAction, DeploymentWorkflow
from runtime.store.scoped import Scoped, model_from

HISTORY_LIMIT = 100
"""Most recent changes kept on the deployment item; the audit log keeps everything."""


def slugs_serving(table: Table, keys: TenantKeys, graph_id: str) -> list[str]:
    items = table.query(keys.root, prefix=DEPLOYMENTS, attributes=("slug", "graph_id"))
    return [item["slug"] for item in items if item["graph_id"] == graph_id]


class DeploymentOps(Scoped):
    def deploy(
        self,
        slug: str,
        passed: GatePassed,
        *,
        by: str,
        workflow: DeploymentWorkflow | None = None,
    ) -> Deployment:
        """Serve the version ``passed`` names at ``slug`` (created, or moved to that version)."""
        key = self._keys.deployment(slug)
        graph_id = passed.graph_id
        checked(GRAPH_ID, graph_id, "graph id")
        self._require_version(graph_id, passed.version, passed)
        current = self._table.get(key)
        if current is not None and current["graph_id"] != graph_id:
            raise Conflict(
                f"deployment '{slug}' serves graph '{current['graph_id']}'; undeploy it first"
            )
        return self._write(key, slug, passed, by, "deploy", current, workflow)

    def rollback_target(self, slug: str, version: int) -> Deployment:
        """The deployment, if ``version`` is one it can roll back to (else 404 or 422)."""
        current = self.get_deployment(slug)
        if not isinstance(version, int) or not 1 <= version < current.version:
            raise InvalidInput(
                f"a rollback goes to a version before {current.version}, not {version}"
            )
        return current

    def rollback(
        self,
        slug: str,
        passed: GatePassed,
        *,
        by: str,
        workflow: DeploymentWorkflow | None = None,
    ) -> Deployment:
        key = self._keys.deployment(slug)
        current = self._table.get(key)
        if current is None:
            raise NotFound(f"deployment '{slug}'")
        version = passed.version
        if not 1 <= version < current["version"]:
            raise InvalidInput(
                f"a rollback goes to a version before {current['version']}, not {version}"
            )
        self._require_version(current["graph_id"], version, passed)
        return self._write(key, slug, passed, by, "rollback", current, workflow)

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

    def _require_version(self, graph_id: str, version: int, passed: GatePassed) -> None:
        """The version exists, live, and is the one the gate checked (else 404, 422 or 409)."""
        head = resolve_head(self._table, self._keys, graph_id)
        if head is None or not head.live:
            raise NotFound(f"graph '{graph_id}'")
        stored = None
        if isinstance(version, int) and 1 <= version <= head.version:
            stored = self._table.get(
                self._keys.graph_version(graph_id, version), attributes=("version", "hash")
            )
        if stored is None:
            raise NotFound(f"graph '{graph_id}' version {version}")
        passed.admit(self.tenant_id, graph_id, version, stored.get("hash"))

    def _write(
        self,
        key: Key,
        slug: str,
        passed: GatePassed,
        by: str,
        action: DeploymentAction,
        current: dict[str, Any] | None,
        workflow: DeploymentWorkflow | None = None,
    ) -> Deployment:
        graph_id, version = passed.graph_id, passed.version
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
        if workflow is not None:
            fields["workflow"] = workflow.model_dump(mode="json")
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
        now_stored = self._table.get(
            self._keys.graph_version(graph_id, version), attributes=("hash",)
        )
        if now_stored is None or now_stored.get("hash") != passed.graph_hash:
            self._restore(key, current, revision)  # rewritten (erased) while we deployed it
            raise Conflict(
                f"graph '{graph_id}' version {version} changed while it was deployed;"
                " deploy it again"
            )
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
