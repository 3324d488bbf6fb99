"""Settings → Brand: the tenant's brand fields and files, a live preview, then Apply.

Admins only (the service refuses everyone else's changes; the page says so up front).
"""

from __future__ import annotations

from typing import cast

import reflex as rx
from reflex.vars import ObjectVar

from builder import routes
from builder.components.brand_preview import brand_preview
from builder.components.shell import page_body, shell
from builder.state.brand_editor import BrandEditorState
from builder.state.session import SessionState

S = BrandEditorState
DRAFT = cast(ObjectVar[dict[str, str]], S.draft)
PROBLEMS = cast(ObjectVar[dict[str, str]], S.problems)
PREVIEW = cast(ObjectVar[dict[str, str]], S.preview)
PENDING = cast(ObjectVar[dict[str, str]], S.pending)
TEXT_FIELDS: list[tuple[str, str, str]] = [
    ("product_name", "Product name", "Acme Flow"),
    ("primary_color", "Primary colour (header, buttons)", "#1d4ed8"),
    ("accent_color", "Accent colour (links, focus, selection)", "#0f766e"),
    ("font", "Font family", "Inter"),
    ("custom_domain", "Custom domain", "flow.example.com"),
    ("support_email", "Support email", "help@example.com"),
    ("legal_footer", "Legal footer (plain text)", "© 2026 Example Inc."),
]
COLORS = {"primary_color": "primary", "accent_color": "accent"}


def _error(name: str) -> rx.Component:
    return rx.cond(
        PROBLEMS.contains(name),
        rx.text(
            PROBLEMS[name],
            color_scheme="red",
            size="1",
            custom_attrs={"data-testid": f"brand-error-{name}", "role": "alert"},
        ),
    )


def _text_field(name: str, label: str, placeholder: str) -> rx.Component:
    field = rx.input(
        value=DRAFT[name],
        on_change=lambda value: S.set_field(name, value),  # type: ignore[operator]
        debounce_timeout=300,
        placeholder=placeholder,
        disabled=~SessionState.is_admin,
        width="100%",
        id=f"brand-{name}",
        custom_attrs={"data-testid": f"brand-field-{name}"},
    )
    if name in COLORS:
        swatch = rx.box(
            width="28px",
            height="28px",
            border_radius="6px",
            border="1px solid var(--gray-a6)",
            background=PREVIEW[COLORS[name]],
            flex_shrink="0",
        )
        field = rx.hstack(swatch, field, width="100%", align="center")
    return rx.vstack(
        rx.el.label(rx.text(label, size="2", weight="medium"), html_for=f"brand-{name}"),
        field,
        _error(name),
        spacing="1",
        width="100%",
    )


def _file_field(kind: str, label: str, accept: dict[str, list[str]]) -> rx.Component:
    handler = S.pick_logo if kind == "logo" else S.pick_favicon
    return rx.vstack(
        rx.text(label, size="2", weight="medium"),
        rx.hstack(
            rx.upload(
                rx.button(rx.icon("upload", size=14), "Choose file", size="1", variant="soft"),
                id=f"brand-{kind}",
                accept=accept,
                max_files=1,
                multiple=False,
                no_drag=False,
                on_drop=handler(rx.upload_files(upload_id=f"brand-{kind}")),  # type: ignore[operator]
                border="none",
                padding="0",
                custom_attrs={"data-testid": f"brand-upload-{kind}"},
            ),
            rx.button(
                "Remove",
                size="1",
                variant="soft",
                color_scheme="gray",
                on_click=S.remove(kind),  # type: ignore[operator]
            ),
            rx.cond(
                PENDING.contains(kind),
                rx.badge(PENDING[kind], color_scheme="amber"),
            ),
            align="center",
            spacing="2",
        ),
        _error(kind),
        spacing="1",
        width="100%",
    )


def _form() -> rx.Component:
    images = {"image/png": [".png"], "image/svg+xml": [".svg"]}
    return rx.card(
        rx.vstack(
            rx.heading("Brand", size="4"),
            rx.text(
                "Your builder's name, colours, logo and footer. Changes show in the preview; "
                "nothing changes for your users until you apply them.",
                size="2",
                color_scheme="gray",
            ),
            rx.cond(
                ~SessionState.is_admin,
                rx.callout("Only admins can change the brand.", icon="lock", color_scheme="gray"),
            ),
            *(_text_field(*field) for field in TEXT_FIELDS),
            _file_field("logo", "Logo (PNG, JPEG, WebP or SVG, up to 512 KB)", images),
            _file_field("favicon", "Favicon (PNG, SVG or ICO, up to 64 KB)", images),
            rx.hstack(
                rx.button(
                    "Apply",
                    on_click=S.apply,
                    disabled=~S.can_apply,
                    loading=S.applying,
                    custom_attrs={"data-testid": "brand-apply"},
                ),
                rx.button(
                    "Discard changes",
                    variant="soft",
                    color_scheme="gray",
                    on_click=S.discard,
                    disabled=~S.dirty,
                ),
                spacing="3",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def brand_page() -> rx.Component:
    content = page_body(
        rx.link("← Settings", href=routes.SETTINGS, size="2"),
        rx.cond(
            S.loaded,
            rx.grid(
                _form(),
                rx.vstack(
                    rx.heading("Preview", size="3"),
                    brand_preview(),
                    spacing="2",
                    width="100%",
                    position=rx.breakpoints(initial="static", md="sticky"),
                    top="0",
                ),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="4",
                width="100%",
                align="start",
            ),
            rx.center(rx.spinner(), width="100%", padding="32px"),
        ),
    )
    return shell(content, active="settings", title="Brand")
