"""The settings page.

API keys (create: secret shown once; revoke with a confirm) and the
tenant's settings.
"""

from __future__ import annotations

from typing import cast

import reflex as rx
from reflex.vars import ObjectVar

from builder import routes
from builder.components.compliance_settings import compliance_section
from builder.components.shell import empty_state, page_body, shell
from builder.state.session import SessionState
from builder.state.settings import SettingsState


def _key_row(row: ObjectVar[dict[str, str]]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row["name"]),
        rx.table.cell(rx.badge(row["role"], variant="soft")),
        rx.table.cell(rx.code(row["hint"])),
        rx.table.cell(rx.text(row["created"], size="2")),
        rx.table.cell(
            rx.cond(
                row["status"] == "active",
                rx.button(
                    "Revoke",
                    on_click=SettingsState.start_revoke(row["id"]),  # type: ignore[operator]
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    custom_attrs={"data-testid": "revoke-" + row["id"]},
                ),
                rx.badge("revoked", color_scheme="gray"),
            ),
            text_align="right",
        ),
        custom_attrs={"data-testid": "key-row"},
    )


def _new_key_form() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(
                name="name",
                placeholder="Key name, e.g. CRM webhook",
                max_length=100,
                required=True,
                flex="1",
                min_width="200px",
                custom_attrs={"data-testid": "key-name"},
            ),
            rx.select(["editor", "viewer", "admin"], name="role", default_value="editor"),
            rx.button(
                rx.icon("key-round", size=14),
                "Create key",
                type="submit",
                custom_attrs={"data-testid": "create-key"},
            ),
            spacing="2",
            width="100%",
            wrap="wrap",
        ),
        on_submit=SettingsState.create_key,
        reset_on_submit=True,
        width="100%",
    )


def _secret_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("API key " + SettingsState.new_key_name + " created"),
            rx.callout(
                "Copy it now: this is the only time it is shown. Only a hash is kept, so a lost "
                "key cannot be recovered, only revoked and replaced.",
                icon="triangle-alert",
                color_scheme="amber",
                size="1",
            ),
            rx.box(
                rx.code(
                    SettingsState.new_secret,
                    word_break="break-all",
                    custom_attrs={"data-testid": "new-secret"},
                ),
                padding="12px",
                background="var(--gray-a3)",
                border_radius="6px",
                margin_y="12px",
            ),
            rx.hstack(
                rx.button(
                    rx.icon("copy", size=14),
                    "Copy",
                    on_click=SettingsState.copy_secret,
                    variant="soft",
                    custom_attrs={"data-testid": "copy-secret"},
                ),
                rx.dialog.close(
                    rx.button("I have copied it", custom_attrs={"data-testid": "secret-done"})
                ),
                justify="end",
                spacing="3",
            ),
            max_width="520px",
        ),
        open=SettingsState.new_secret != "",
        on_open_change=SettingsState.forget_secret,
    )


def _revoke_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Revoke " + SettingsState.revoke_name + "?"),
            rx.alert_dialog.description(
                "Requests with this key are refused from now on. This cannot be undone."
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(
                        "Revoke",
                        color_scheme="red",
                        on_click=SettingsState.revoke,
                        custom_attrs={"data-testid": "revoke-confirm"},
                    )
                ),
                spacing="3",
                justify="end",
                margin_top="16px",
            ),
            max_width="460px",
        ),
        open=SettingsState.revoke_id != "",
        on_open_change=SettingsState.cancel_revoke,
    )


def _keys_section() -> rx.Component:
    table = rx.table.root(
        rx.table.header(
            rx.table.row(
                *(rx.table.column_header_cell(h) for h in ("Name", "Role", "Key", "Created", ""))
            )
        ),
        rx.table.body(rx.foreach(SettingsState.keys, _key_row)),
        width="100%",
        variant="surface",
    )
    return rx.card(
        rx.vstack(
            rx.heading("API keys", size="4"),
            rx.text(
                "Deployed endpoints and scripts authenticate with a key in the X-API-Key header.",
                size="2",
                color_scheme="gray",
            ),
            rx.cond(
                SettingsState.keys_error != "",
                rx.callout(
                    SettingsState.keys_error, icon="lock", color_scheme="gray", width="100%"
                ),
                rx.vstack(
                    _new_key_form(),
                    rx.cond(
                        SettingsState.keys.length() > 0,
                        rx.box(table, width="100%", overflow_x="auto"),
                        empty_state(
                            "key-round",
                            "No API keys yet",
                            "Create one for each system that calls your endpoints.",
                        ),
                    ),
                    spacing="3",
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _settings_section() -> rx.Component:
    s = cast(ObjectVar[dict[str, str]], SettingsState.settings)
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Tenant settings", size="4"),
                rx.text(
                    "Outbound hosts the HTTP nodes may call (one per line)",
                    size="2",
                    weight="medium",
                ),
                rx.text_area(
                    name="egress_allow",
                    default_value=s["egress_allow"],
                    rows="3",
                    width="100%",
                    disabled=~SessionState.is_admin,
                ),
                rx.grid(
                    rx.vstack(
                        rx.text("Keep runs for (days)", size="2", weight="medium"),
                        rx.input(
                            name="run_retention_days",
                            type="number",
                            min=1,
                            max=3650,
                            default_value=s["run_retention_days"],
                            disabled=~SessionState.is_admin,
                        ),
                    ),
                    rx.vstack(
                        rx.text("Longest run (seconds)", size="2", weight="medium"),
                        rx.input(
                            name="max_run_seconds",
                            type="number",
                            min=1,
                            max=900,
                            step="any",
                            default_value=s["max_run_seconds"],
                            disabled=~SessionState.is_admin,
                        ),
                    ),
                    columns=rx.breakpoints(initial="1", sm="2"),
                    spacing="3",
                    width="100%",
                ),
                rx.el.label(
                    rx.hstack(
                        rx.checkbox(
                            name="public_endpoints",
                            default_checked=s["public_endpoints"] == "yes",
                            disabled=~SessionState.is_admin,
                        ),
                        rx.text(
                            "Allow public endpoints (webhooks marked public need no key)", size="2"
                        ),
                        spacing="2",
                        align="center",
                    )
                ),
                rx.cond(
                    SettingsState.settings_error != "",
                    rx.text(SettingsState.settings_error, color_scheme="red", size="2"),
                ),
                rx.cond(
                    SessionState.is_admin,
                    rx.button("Save settings", type="submit"),
                    rx.text("Only admins can change these.", size="2", color_scheme="gray"),
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=SettingsState.save_settings,
            key=s["revision"],
        ),
        width="100%",
    )


def _brand_section() -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.heading("Brand", size="4"),
                rx.text(
                    "Product name, logo, colours and footer of this builder and its login page.",
                    size="2",
                    color_scheme="gray",
                ),
                spacing="1",
            ),
            rx.spacer(),
            rx.link(
                rx.button(rx.icon("palette", size=14), "Edit brand", variant="soft"),
                href=routes.BRAND,
                custom_attrs={"data-testid": "open-brand"},
            ),
            align="center",
            width="100%",
        ),
        width="100%",
    )


def settings_page() -> rx.Component:
    content = page_body(
        rx.cond(
            SettingsState.loaded,
            rx.vstack(
                _brand_section(),
                _keys_section(),
                _settings_section(),
                compliance_section(),
                spacing="4",
                width="100%",
            ),
            rx.center(rx.spinner(), width="100%", padding="32px"),
        ),
        _secret_dialog(),
        _revoke_dialog(),
    )
    return shell(content, active="settings", title="Settings")
