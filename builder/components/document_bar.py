"""The editor's document controls.

Version and unsaved-changes indicator, Save, History and Deploy buttons, and the dialogs they open
(save message, save conflict, leaving unsaved work).
"""

from __future__ import annotations

import reflex as rx

from builder.components.unsaved_guard import unsaved_guard
from builder.state.chat import ChatState
from builder.state.compliance import ComplianceState
from builder.state.deploy import DeployState
from builder.state.document import DocumentState
from builder.state.run import RunState
from builder.state.session import SessionState


def status_indicator() -> rx.Component:
    return rx.hstack(
        rx.badge(
            DocumentState.version_label,
            variant="outline",
            custom_attrs={"data-testid": "doc-version"},
        ),
        rx.cond(
            DocumentState.unsaved,
            rx.badge(
                rx.icon("circle-dot", size=12),
                "Unsaved changes",
                color_scheme="amber",
                custom_attrs={"data-testid": "unsaved"},
            ),
            rx.cond(
                DocumentState.base_version > 0,
                rx.badge(rx.icon("check", size=12), "Saved", color_scheme="green", variant="soft"),
            ),
        ),
        rx.cond(
            DocumentState.restored_from > 0,
            rx.badge(
                "Restored v" + DocumentState.restored_from.to_string(),
                color_scheme="blue",
                custom_attrs={"data-testid": "restored"},
            ),
        ),
        unsaved_guard(active=DocumentState.unsaved, on_save=DocumentState.open_save),
        spacing="2",
        align="center",
        custom_attrs={"data-unsaved": DocumentState.unsaved.to_string()},
    )


def _panel_button(name: str, label: str, icon: str) -> rx.Component:
    return rx.button(
        rx.icon(icon, size=14),
        rx.text(label, display=rx.breakpoints(initial="none", sm="inline")),
        on_click=[
            DocumentState.toggle_panel(name),  # type: ignore[operator]
            *([DeployState.refresh] if name == "deploy" else []),
            *([RunState.open_run_panel] if name == "run" else []),
            *([ChatState.open_chat_panel] if name == "chat" else []),
            *([ComplianceState.load_report, ComplianceState.check] if name == "compliance" else []),
        ],
        size="1",
        variant=rx.cond(DocumentState.panel == name, "solid", "soft"),
        title=label,
        custom_attrs={"data-testid": f"open-{name}"},
    )


def document_actions() -> rx.Component:
    """Goes into the editor header, after the graph's name."""
    return rx.hstack(
        status_indicator(),
        rx.button(
            rx.icon("save", size=14),
            "Save",
            on_click=DocumentState.open_save,
            disabled=(DocumentState.base_version == 0) | ~SessionState.can_edit,
            size="1",
            title="Save a new version (Ctrl+S)",
            custom_attrs={"data-testid": "save"},
        ),
        _panel_button("chat", "Assistant", "sparkles"),
        _panel_button("run", "Test run", "play"),
        _panel_button("history", "History", "history"),
        _panel_button("deploy", "Deploy", "rocket"),
        _panel_button("compliance", "Compliance", "shield-check"),
        spacing="2",
        align="center",
    )


def save_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Save a new version"),
            rx.dialog.description(
                "Every save is kept. Say what changed, so the history reads well.",
                size="2",
                color_scheme="gray",
            ),
            rx.form(
                rx.vstack(
                    rx.input(
                        name="message",
                        placeholder="What changed? (optional)",
                        auto_focus=True,
                        max_length=1000,
                        width="100%",
                        custom_attrs={"data-testid": "save-message"},
                    ),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button("Cancel", variant="soft", color_scheme="gray", type="button")
                        ),
                        rx.button(
                            "Save",
                            type="submit",
                            loading=DocumentState.saving,
                            custom_attrs={"data-testid": "save-confirm"},
                        ),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                ),
                on_submit=DocumentState.save,
                reset_on_submit=True,
            ),
            max_width="460px",
        ),
        open=DocumentState.save_open,
        on_open_change=DocumentState.set_save_open,
    )


def conflict_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Someone else saved this graph"),
            rx.alert_dialog.description(
                rx.text(
                    "Version ",
                    rx.text.strong(DocumentState.conflict_version.to_string()),
                    " was saved after you opened version ",
                    rx.text.strong(DocumentState.base_version.to_string()),
                    ". Nothing was overwritten. Load their version (your changes are dropped), "
                    "or keep both by saving your canvas as a copy.",
                ),
                custom_attrs={"data-testid": "conflict-text"},
            ),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button("Keep editing", variant="soft", color_scheme="gray")
                ),
                rx.button(
                    "Load their version",
                    on_click=DocumentState.load_theirs,
                    variant="soft",
                    color_scheme="red",
                    custom_attrs={"data-testid": "conflict-load"},
                ),
                rx.button(
                    "Save mine as a copy",
                    on_click=DocumentState.save_as_copy,
                    custom_attrs={"data-testid": "conflict-copy"},
                ),
                spacing="3",
                justify="end",
                margin_top="16px",
                wrap="wrap",
            ),
            max_width="520px",
            custom_attrs={"data-testid": "conflict-dialog"},
        ),
        open=DocumentState.conflict_open,
        on_open_change=DocumentState.set_conflict_open,
    )


def leave_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Leave without saving?"),
            rx.alert_dialog.description(
                "The canvas has changes that are not saved as a version. Leaving drops them."
            ),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button(
                        "Stay", variant="soft", color_scheme="gray", on_click=DocumentState.stay
                    )
                ),
                rx.button(
                    "Leave and discard",
                    color_scheme="red",
                    on_click=DocumentState.leave_anyway,
                    custom_attrs={"data-testid": "leave-confirm"},
                ),
                spacing="3",
                justify="end",
                margin_top="16px",
            ),
            max_width="460px",
        ),
        open=DocumentState.leave_to != "",
    )


def document_dialogs() -> rx.Component:
    return rx.fragment(save_dialog(), conflict_dialog(), leave_dialog())
