"""The banner that says why a connection was refused (the toast disappears; this stays)."""

from __future__ import annotations

import reflex as rx

from builder.state import CanvasState


def connection_notice() -> rx.Component:
    return rx.cond(
        CanvasState.notice != "",
        rx.callout.root(
            rx.callout.icon(rx.icon("circle-alert")),
            rx.hstack(
                rx.callout.text(CanvasState.notice, custom_attrs={"data-testid": "notice-text"}),
                rx.icon_button(
                    rx.icon("x", size=14),
                    on_click=CanvasState.dismiss_notice,
                    size="1",
                    variant="ghost",
                    color_scheme="red",
                    aria_label="Dismiss",
                ),
                align="center",
                justify="between",
                width="100%",
            ),
            color_scheme="red",
            role="alert",
            position="absolute",
            top="12px",
            left="50%",
            transform="translateX(-50%)",
            z_index="10",
            max_width="min(720px, 90%)",
            custom_attrs={"data-testid": "connection-notice"},
        ),
    )
