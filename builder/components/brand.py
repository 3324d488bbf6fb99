"""The tenant's brand on the page: the page root's CSS variables, the logo mark, the footer.

Colours and the font reach the page only as CSS custom properties set from checked values
(``ThemeState.variables``); ``assets/brand.css`` maps them onto the Radix theme (primary: the
header and buttons; accent: links, focus rings, selection). Texts are rendered as text.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from builder.state.theme import ThemeState

VARIABLES = ("--brand-primary", "--brand-accent", "--brand-font")
STYLESHEET = "/brand.css"


def variables(source: Any) -> dict[str, Any]:
    """The style that sets the brand's custom properties from a dict Var of checked values."""
    return {name: source[name] for name in VARIABLES}


def branded(*children: rx.Component, **props: Any) -> rx.Component:
    """A full-window page root dressed in the current brand."""
    return rx.vstack(
        *children,
        spacing="0",
        width="100vw",
        height="100vh",
        overflow="hidden",
        class_name="brand-root",
        style=variables(ThemeState.variables),
        **props,
    )


def logo_or_icon(src: Any, name: Any, test_id: str, size: int = 28) -> rx.Component:
    """The logo on a white chip (logos are drawn for white pages, the header is coloured)."""
    return rx.cond(
        src != "",
        rx.box(
            rx.image(
                src=src,
                alt=name,
                height=f"{size}px",
                width="auto",
                max_width="160px",
                object_fit="contain",
                custom_attrs={"data-testid": test_id},
            ),
            background="white",
            border_radius="6px",
            padding="2px 6px",
            display="flex",
        ),
        rx.icon("workflow", size=size - 6),
    )


def brand_mark() -> rx.Component:
    """Logo and product name, as the header shows them."""
    return rx.hstack(
        logo_or_icon(ThemeState.logo, ThemeState.product_name, "brand-logo"),
        rx.text(
            ThemeState.product_name,
            size="3",
            weight="bold",
            white_space="nowrap",
            custom_attrs={"data-testid": "brand-name"},
        ),
        align="center",
        spacing="2",
    )


def footer_bar(text: Any, email: Any, test_id: str) -> rx.Component:
    return rx.hstack(
        rx.text(text, size="1", custom_attrs={"data-testid": test_id}),
        rx.spacer(),
        rx.cond(
            email != "",
            rx.link("Help: " + email, href="mailto:" + email, size="1"),
        ),
        align="center",
        width="100%",
        padding="4px 16px",
        min_height="28px",
        border_top="1px solid var(--gray-a5)",
        background="var(--gray-2)",
        color="var(--gray-11)",
    )


def brand_footer() -> rx.Component:
    """The brand's legal footer (plain text) and support address, when it has either."""
    return rx.cond(
        (ThemeState.footer != "") | (ThemeState.support_email != ""),
        footer_bar(ThemeState.footer, ThemeState.support_email, "brand-footer"),
    )


def favicon_link() -> rx.Component:
    """The tab icon (React hoists ``<link>`` into the document's head)."""
    return rx.el.link(rel="icon", href=ThemeState.favicon)
