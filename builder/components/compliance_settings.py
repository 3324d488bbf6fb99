"""The Settings page's compliance section: which packs validation and deploys check."""

from __future__ import annotations

from typing import cast

import reflex as rx
from reflex.vars import ObjectVar

from builder.state.compliance_packs import PACK_LABELS, CompliancePacksState
from builder.state.session import SessionState


def _pack(name: str, label: str) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.checkbox(
                checked=cast(ObjectVar[dict[str, bool]], CompliancePacksState.selected)[
                    name
                ].bool(),
                on_change=lambda value: CompliancePacksState.toggle(name, value),  # type: ignore[operator]
                disabled=~SessionState.is_admin | CompliancePacksState.preset,
                custom_attrs={"data-testid": f"pack-{name}"},
            ),
            rx.text(label, size="2"),
            spacing="2",
            align="center",
        )
    )


def compliance_section() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Compliance packs", size="4"),
            rx.text(
                "Validation shows the packs' findings on the canvas and deploys refuse "
                "unwaived violations.",
                size="2",
                color_scheme="gray",
            ),
            rx.el.label(
                rx.hstack(
                    rx.switch(
                        checked=CompliancePacksState.preset,
                        on_change=CompliancePacksState.set_preset,
                        disabled=~SessionState.is_admin,
                        custom_attrs={"data-testid": "packs-preset"},
                    ),
                    rx.text("Use the industry's preset", size="2"),
                    spacing="2",
                    align="center",
                )
            ),
            *[_pack(name, label) for name, label in PACK_LABELS.items()],
            rx.cond(
                CompliancePacksState.error != "",
                rx.text(CompliancePacksState.error, color_scheme="red", size="2"),
            ),
            rx.cond(
                SessionState.is_admin,
                rx.button(
                    "Save compliance packs",
                    on_click=CompliancePacksState.save,
                    loading=CompliancePacksState.saving,
                    custom_attrs={"data-testid": "packs-save"},
                ),
                rx.text("Only admins can change these.", size="2", color_scheme="gray"),
            ),
            spacing="3",
            width="100%",
            custom_attrs={"data-testid": "compliance-packs"},
        ),
        width="100%",
    )
