"""The Brand page's preview: the header, buttons, a link and the footer in the proposed brand.

It is dressed by its own ``.brand-root`` whose CSS variables come from the proposal as the
service checked it (``BrandEditorState.preview_variables``), so the rest of the page keeps the
brand that is applied until Apply.
"""

from __future__ import annotations

from typing import cast

import reflex as rx
from reflex.vars import ObjectVar

from builder.components.brand import logo_or_icon, variables
from builder.state.brand_editor import BrandEditorState

P = cast(ObjectVar[dict[str, str]], BrandEditorState.preview)


def brand_preview() -> rx.Component:
    header = rx.hstack(
        logo_or_icon(P["logo"], P["product_name"], "preview-logo"),
        rx.text(P["product_name"], weight="bold", custom_attrs={"data-testid": "preview-name"}),
        rx.spacer(),
        rx.badge("admin", variant="solid", color_scheme="gray", high_contrast=True),
        align="center",
        spacing="2",
        padding="8px 12px",
        width="100%",
        class_name="brand-header",
        custom_attrs={"data-testid": "preview-header"},
    )
    body = rx.vstack(
        rx.heading("Graphs", size="4"),
        rx.text("Buttons use the primary colour; links and focus rings the accent.", size="2"),
        rx.hstack(
            rx.button("Deploy", custom_attrs={"data-testid": "preview-button"}),
            rx.button("Save", variant="soft"),
            rx.button("Cancel", variant="soft", color_scheme="gray"),
            spacing="2",
            wrap="wrap",
        ),
        rx.link("Open the run history", href="#", custom_attrs={"data-testid": "preview-link"}),
        rx.input(placeholder="A focused field shows the accent", size="2", width="100%"),
        spacing="3",
        padding="16px 12px",
        width="100%",
    )
    footer = rx.hstack(
        rx.text(P["footer"], size="1", custom_attrs={"data-testid": "preview-footer"}),
        rx.spacer(),
        rx.cond(P["support_email"] != "", rx.link("Help: " + P["support_email"], size="1")),
        padding="4px 12px",
        border_top="1px solid var(--gray-a5)",
        background="var(--gray-2)",
        width="100%",
        min_height="26px",
    )
    return rx.box(
        rx.vstack(header, body, footer, spacing="0", width="100%"),
        class_name="brand-root",
        style=variables(BrandEditorState.preview_variables),
        border="1px solid var(--gray-a6)",
        border_radius="8px",
        overflow="hidden",
        width="100%",
        background="white",
        custom_attrs={"data-testid": "brand-preview"},
    )
