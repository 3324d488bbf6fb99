"""The settings page: API keys (admins only, enforced by the service) and tenant settings.

A new key's secret exists in the browser only until the dialog showing it is closed: the
service keeps a hash, and this state forgets the secret on close.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from builder.client.api import ServiceError, TenantSettings
from builder.state.session import api_for, failed
from builder.views import present
from runtime.store import Role

ROLES: dict[str, Role] = {"admin": "admin", "editor": "editor", "viewer": "viewer"}


class SettingsState(rx.State):
    keys: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    keys_error: rx.Field[str] = rx.field("")
    loaded: rx.Field[bool] = rx.field(False)
    new_secret: rx.Field[str] = rx.field("")
    new_key_name: rx.Field[str] = rx.field("")
    revoke_id: rx.Field[str] = rx.field("")
    revoke_name: rx.Field[str] = rx.field("")

    settings: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    settings_error: rx.Field[str] = rx.field("")

    @rx.event
    async def load(self) -> Any:
        api = await api_for(self)
        if not api.token:
            return None
        self.new_secret = ""
        try:
            current = await api.get_settings()
        except ServiceError as exc:
            return await failed(self, exc)
        self._show_settings(current)
        try:
            keys = await api.list_keys()
        except ServiceError as exc:
            self.keys, self.keys_error = [], exc.message  # a 403 for editors and viewers
        else:
            self.keys_error = ""
            self.keys = [
                {
                    "id": k.key_id,
                    "name": k.name,
                    "role": k.role,
                    "hint": k.hint,
                    "created": present.when(k.created_at),
                    "status": "revoked" if k.revoked else "active",
                }
                for k in keys
            ]
        self.loaded = True
        return None

    def _show_settings(self, current: TenantSettings) -> None:
        self.settings = {
            "egress_allow": "\n".join(current.egress_allow),
            "run_retention_days": str(current.run_retention_days),
            "max_run_seconds": f"{current.max_run_seconds:g}",
            "public_endpoints": "yes" if current.public_endpoints else "no",
            "revision": str(current.revision),
        }

    @rx.event
    async def create_key(self, form: dict[str, Any]) -> Any:
        name = " ".join(str(form.get("name", "")).split())[:100]
        role = ROLES.get(str(form.get("role") or "editor"), "editor")
        if not name:
            return rx.toast.error("Give the key a name that says what uses it.")
        api = await api_for(self)
        try:
            created = await api.create_key(name, role)
        except ServiceError as exc:
            return await failed(self, exc, "Key not created")
        self.new_secret, self.new_key_name = created.secret, created.key.name
        return SettingsState.reload_keys

    @rx.event
    async def reload_keys(self) -> Any:
        secret, name = self.new_secret, self.new_key_name
        result = await self.load()  # type: ignore[operator]
        self.new_secret, self.new_key_name = secret, name
        return result

    @rx.event
    def forget_secret(self, _open: bool = False) -> None:
        self.new_secret = ""

    @rx.event
    def copy_secret(self) -> Any:
        return [rx.set_clipboard(self.new_secret), rx.toast.info("API key copied")]

    @rx.event
    def start_revoke(self, key_id: str) -> None:
        row = next((k for k in self.keys if k["id"] == key_id), None)
        self.revoke_id, self.revoke_name = key_id, row["name"] if row else key_id

    @rx.event
    def cancel_revoke(self, _open: bool = False) -> None:
        self.revoke_id = ""

    @rx.event
    async def revoke(self) -> Any:
        api = await api_for(self)
        key_id, name, self.revoke_id = self.revoke_id, self.revoke_name, ""
        try:
            await api.revoke_key(key_id)
        except ServiceError as exc:
            return await failed(self, exc, "Not revoked")
        return [SettingsState.load, rx.toast.success(f"Revoked {name!r}")]

    @rx.event
    async def save_settings(self, form: dict[str, Any]) -> Any:
        """Tenant settings as a form; the service checks every field (422 names the field)."""
        api = await api_for(self)
        try:
            current = await api.get_settings()
            hosts = [h.strip() for h in str(form.get("egress_allow", "")).split() if h.strip()]
            updated = TenantSettings.model_validate(
                {
                    **current.model_dump(),
                    "egress_allow": hosts,
                    "run_retention_days": form.get("run_retention_days") or 30,
                    "max_run_seconds": form.get("max_run_seconds") or 30,
                    "public_endpoints": form.get("public_endpoints") in ("on", True, "true"),
                }
            )
            saved = await api.update_settings(updated)
        except ServiceError as exc:
            self.settings_error = exc.message
            return await failed(self, exc, "Settings not saved")
        except ValueError as exc:
            self.settings_error = str(exc).splitlines()[0]
            return rx.toast.error(f"Settings not saved: {self.settings_error}")
        self.settings_error = ""
        self._show_settings(saved)
        return rx.toast.success("Settings saved")
