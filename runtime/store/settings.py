"""Tenant settings: one item, replaced only by a writer that saw the current revision."""

from __future__ import annotations

from compliance.names import PackName
from runtime.store.access import ConditionFailed
from runtime.store.errors import Conflict, NotFound
from runtime.store.graphstate import ROUNDS
from runtime.store.models import Tenant, TenantSettings, effective_packs
from runtime.store.scoped import Scoped, model_from


class SettingsOps(Scoped):
    def get_settings(self) -> TenantSettings:
        """Defaults (revision 0) until the first update."""
        fields = self._table.get(self._keys.settings())
        return TenantSettings() if fields is None else model_from(TenantSettings, fields)

    def get_profile(self) -> Tenant:
        fields = self._table.get(self._keys.profile())
        if fields is None:
            raise NotFound(f"tenant {self.tenant_id!r}")
        return model_from(Tenant, fields)

    def compliance_packs(self, settings: TenantSettings | None = None) -> tuple[PackName, ...]:
        """The packs in force: the admin's choice, else the industry's preset."""
        chosen = settings or self.get_settings()
        return effective_packs(chosen, self.get_profile().industry)

    def bump_settings_revision(self) -> None:
        """Move the revision on, content unchanged, so every service instance notices.

        The instances read the settings through their lookups cache on every run, and key the
        compiled graphs they cache by its revision: a GDPR erasure that rewrote graph versions
        calls this so that no instance keeps running (or holding) the old text.
        """
        for _ in range(ROUNDS):
            try:
                self.update_settings(self.get_settings())
                return
            except Conflict:
                continue
        raise Conflict("settings are changing too fast; retry")

    def update_settings(self, settings: TenantSettings) -> TenantSettings:
        key = self._keys.settings()
        stored = settings.model_copy(update={"revision": settings.revision + 1})
        fields = {"PK": key.pk, "SK": key.sk, **stored.model_dump(mode="json")}
        condition = "#revision = :revision"
        if settings.revision == 0:
            condition = "attribute_not_exists(#PK) OR " + condition
        try:
            self._table.put(fields, condition=condition, values={":revision": settings.revision})
        except ConditionFailed as exc:
            current = (exc.fields or {}).get("revision", 0)
            raise Conflict(
                f"settings are at revision {current}, not {settings.revision}; reload them",
                current_version=current,
            ) from None
        return stored
