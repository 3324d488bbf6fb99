"""Settings: which compliance packs the workspace checks (admins choose; the service enforces).

``TenantSettings.compliance_packs``: ``None`` follows the industry's preset, a list (even an
empty one) is the admin's choice. Saving re-reads the settings first and changes only this
field, under the revision the service checks, so other settings are never overwritten.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from builder.client.api import ServiceError, TenantSettings
from builder.state.session import api_for, failed
from compliance.names import PACK_NAMES, PackName
from runtime.store.models import effective_packs
from runtime.tenant.industry import INDUSTRIES, Industry

PACK_LABELS: dict[PackName, str] = {
    "hipaa": "HIPAA (health data)",
    "pci": "PCI-DSS (card data)",
    "gdpr": "GDPR (personal data)",
    "soc2": "SOC2 (change control and audit)",
}


def chosen_packs(selected: dict[str, bool]) -> list[PackName]:
    """The packs ticked, in the canonical order."""
    return [p for p in PACK_NAMES if selected.get(p)]


def ticked(current: TenantSettings, industry: str) -> dict[str, bool]:
    """Each pack's box: ticked when the pack is in force.

    That is the admin's choice, or else the industry's preset, as the editor's compliance
    panel applies them.
    """
    known: Industry = industry if industry in INDUSTRIES else "general"
    active = effective_packs(current, known)
    return {p: p in active for p in PACK_NAMES}


class CompliancePacksState(rx.State):
    preset: rx.Field[bool] = rx.field(True)
    """Follow the industry's preset (``compliance_packs`` is null)."""
    selected: rx.Field[dict[str, bool]] = rx.field(default_factory=dict)
    """What the admin ticked; while ``preset`` is on, what the saved settings say."""
    error: rx.Field[str] = rx.field("")
    saving: rx.Field[bool] = rx.field(False)

    _industry: str = "general"
    """The tenant's industry (``/auth/me``): whose preset the boxes show while it is on."""

    def _show(self, current: TenantSettings) -> None:
        self.preset = current.compliance_packs is None
        self.selected = ticked(current, self._industry)

    @rx.event
    async def load(self) -> Any:
        api = await api_for(self)
        if not api.token:
            return None
        try:
            me = await api.me()
            current = await api.get_settings()
        except ServiceError as exc:
            return await failed(self, exc)
        self._industry = me.industry
        self._show(current)
        self.error = ""
        return None

    @rx.event
    def set_preset(self, value: bool) -> None:
        """Turning the preset on shows its packs; turning it off starts from them."""
        self.preset = value
        if value:
            self.selected = ticked(TenantSettings(), self._industry)

    @rx.event
    def toggle(self, pack: str, value: bool) -> None:
        self.selected = {**self.selected, pack: value}
        self.preset = False

    @rx.event
    async def save(self) -> Any:
        self.saving = True
        yield
        api = await api_for(self)
        try:
            current = await api.get_settings()
            packs = None if self.preset else chosen_packs(self.selected)
            saved = await api.update_settings(
                current.model_copy(update={"compliance_packs": packs})
            )
        except ServiceError as exc:
            self.saving, self.error = False, exc.message
            yield await failed(self, exc, "Compliance packs not saved")
            return
        self.saving, self.error = False, ""
        self._show(saved)
        on = ", ".join(p.upper() for p in saved.compliance_packs or []) or "none"
        yield rx.toast.success(
            "Compliance packs: the industry's preset"
            if saved.compliance_packs is None
            else f"Compliance packs saved ({on})"
        )
