"""Settings: which compliance packs the workspace checks (admins choose; the service enforces).

``TenantSettings.compliance_packs``: ``None`` follows the industry's preset, a list (even an
empty one) is the admin's choice. Saving re-reads the settings first and changes only this
field, under the revision the service checks, so other settings are never overwritten.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from builder.api import ApiError, TenantSettings
from builder.state.session import api_for, failed
from compliance.names import PACK_NAMES, PackName

PACK_LABELS: dict[PackName, str] = {
    "hipaa": "HIPAA (health data)",
    "pci": "PCI-DSS (card data)",
    "gdpr": "GDPR (personal data)",
    "soc2": "SOC2 (change control and audit)",
}


def chosen_packs(selected: dict[str, bool]) -> list[PackName]:
    """The packs ticked, in the canonical order."""
    return [p for p in PACK_NAMES if selected.get(p)]


class CompliancePacksState(rx.State):
    preset: rx.Field[bool] = rx.field(True)
    """Follow the industry's preset (``compliance_packs`` is null)."""
    selected: rx.Field[dict[str, bool]] = rx.field(default_factory=dict)
    """What the admin ticked; while ``preset`` is on, what the saved settings say."""
    error: rx.Field[str] = rx.field("")
    saving: rx.Field[bool] = rx.field(False)

    def _show(self, current: TenantSettings) -> None:
        packs = current.compliance_packs
        self.preset = packs is None
        self.selected = {p: p in (packs or []) for p in PACK_NAMES}

    @rx.event
    async def load(self) -> Any:
        api = await api_for(self)
        if not api.token:
            return None
        try:
            self._show(await api.get_settings())
        except ApiError as exc:
            return await failed(self, exc)
        self.error = ""
        return None

    @rx.event
    def set_preset(self, value: bool) -> None:
        self.preset = value

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
        except ApiError as exc:
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
