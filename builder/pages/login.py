"""The login page: organisation (tenant), email and password for a session token.

It wears the brand of ``?tenant=`` (or of the organisation typed in), through the service's
public brand route: logo, product name, colours and legal footer, before anyone logs in.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from builder.components.brand import branded, footer_bar, logo_or_icon
from builder.state.session import SessionState
from builder.state.theme import ThemeState


def _field(
    label: str, name: str, kind: str, autocomplete: str, focus: bool = False, **events: Any
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
            **events,
        ),
        spacing="1",
        width="100%",
    )


def _error() -> rx.Component:
    return rx.cond(
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
    )


def _choose_password() -> rx.Component:
    """After a first login with a password someone else chose (a provisioned tenant's admin)."""
    return rx.form(
        rx.vstack(
            rx.heading("Choose your password", size="5"),
            rx.text(
                "You logged in with a one-time password. Choose your own to continue "
                "(at least 8 characters).",
                size="2",
                color_scheme="gray",
            ),
            _field("New password", "new_password", "password", "new-password", focus=True),
            _field("Repeat it", "repeat_password", "password", "new-password"),
            _error(),
            rx.button(
                "Save and continue",
                type="submit",
                size="3",
                width="100%",
                loading=SessionState.logging_in,
                custom_attrs={"data-testid": "choose-password-submit"},
            ),
            spacing="4",
            width="100%",
            custom_attrs={"data-testid": "choose-password"},
        ),
        on_submit=SessionState.choose_password,
    )


def login_page() -> rx.Component:
    card = rx.center(
        rx.card(
            rx.cond(SessionState.must_choose_password, _choose_password(), _login_form()),
            size="4",
            width="min(420px, 92vw)",
        ),
        width="100%",
        flex="1",
        background="var(--gray-2)",
    )
    return branded(
        rx.box(height="6px", width="100%", class_name="brand-header"),
        card,
        rx.cond(
            (ThemeState.footer != "") | (ThemeState.support_email != ""),
            footer_bar(ThemeState.footer, ThemeState.support_email, "login-footer"),
        ),
    )


def _login_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.hstack(
                logo_or_icon(ThemeState.logo, ThemeState.product_name, "login-logo", 36),
                rx.heading(
                    "Log in to " + ThemeState.product_name,
                    size="5",
                    custom_attrs={"data-testid": "login-title"},
                ),
                align="center",
                spacing="3",
            ),
            _field(
                "Organisation",
                "tenant",
                "text",
                "organization",
                focus=True,
                on_blur=ThemeState.show_public,
            ),
            _field("Email", "email", "email", "username"),
            _field("Password", "password", "password", "current-password"),
            _error(),
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
    )
