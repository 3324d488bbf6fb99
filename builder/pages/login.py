"""The login page: organisation (tenant), email and password for a session token."""

from __future__ import annotations

import reflex as rx

from builder.state.session import SessionState


def _field(
    label: str, name: str, kind: str, autocomplete: str, focus: bool = False
) -> rx.Component:
    return rx.vstack(
        rx.el.label(rx.text(label, size="2", weight="medium"), html_for=f"login-{name}"),
        rx.input(
            id=f"login-{name}",
            name=name,
            type=kind,
            auto_complete=autocomplete,
            auto_focus=focus,
            required=True,
            size="3",
            width="100%",
            custom_attrs={"data-testid": f"login-{name}"},
        ),
        spacing="1",
        width="100%",
    )


def login_page() -> rx.Component:
    return rx.center(
        rx.card(
            rx.form(
                rx.vstack(
                    rx.hstack(
                        rx.icon("workflow", size=24, color="var(--accent-9)"),
                        rx.heading("Log in to Auterity", size="5"),
                        align="center",
                        spacing="2",
                    ),
                    _field("Organisation", "tenant", "text", "organization", focus=True),
                    _field("Email", "email", "email", "username"),
                    _field("Password", "password", "password", "current-password"),
                    rx.cond(
                        SessionState.login_error != "",
                        rx.callout(
                            SessionState.login_error,
                            icon="circle-alert",
                            color_scheme="red",
                            size="1",
                            width="100%",
                            role="alert",
                            custom_attrs={"data-testid": "login-error"},
                        ),
                    ),
                    rx.button(
                        "Log in",
                        type="submit",
                        size="3",
                        width="100%",
                        loading=SessionState.logging_in,
                        custom_attrs={"data-testid": "login-submit"},
                    ),
                    rx.text(
                        "Running locally? `make run` prints the demo login.",
                        size="1",
                        color_scheme="gray",
                    ),
                    spacing="4",
                    width="100%",
                ),
                on_submit=SessionState.login,
            ),
            size="4",
            width="min(420px, 92vw)",
        ),
        width="100vw",
        height="100vh",
        background="var(--gray-2)",
    )
