"""Version history beside the canvas.

Who saved what and when, a diff between any two
versions, and restoring an old version into the canvas (saved as a new version).
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import ObjectVar

from builder.state.document import DocumentState

KIND_COLORS = {"added": "green", "removed": "red", "changed": "amber"}


def _version_row(row: ObjectVar[dict[str, str]]) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.badge("v" + row["version"], variant="outline"),
            rx.text(
                row["message"], size="2", weight="medium", flex="1", min_width="0", trim="both"
            ),
            rx.button(
                rx.icon("rotate-ccw", size=12),
                "Restore",
                on_click=DocumentState.restore(row["version"]),  # type: ignore[operator]
                size="1",
                variant="ghost",
                title="Load this version into the canvas",
                custom_attrs={"data-testid": "restore-v" + row["version"]},
            ),
            align="center",
            spacing="2",
            width="100%",
        ),
        rx.text(row["author"] + " · " + row["when"], size="1", color_scheme="gray"),
        padding="8px 0",
        border_bottom="1px solid var(--gray-a4)",
        custom_attrs={"data-testid": "version-row"},
    )


def _diff_row(row: ObjectVar[dict[str, str]]) -> rx.Component:
    return rx.hstack(
        rx.badge(
            row["kind"],
            color_scheme=rx.match(row["kind"], ("added", "green"), ("removed", "red"), "amber"),
            min_width="64px",
        ),
        rx.text(row["text"], size="2", font_family="monospace", word_break="break-word"),
        align="start",
        spacing="2",
        custom_attrs={"data-testid": "diff-row"},
    )


def _version_select(value: rx.Var[str], on_change: Any, test_id: str) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(placeholder="version", custom_attrs={"data-testid": test_id}),
        rx.select.content(
            rx.foreach(
                DocumentState.versions,
                lambda v: rx.select.item("v" + v["version"], value=v["version"]),
            )
        ),
        value=value,
        on_change=on_change,
        size="1",
    )


def history_panel() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading("Version history", size="3"),
            rx.spacer(),
            rx.icon_button(
                rx.icon("x", size=14),
                on_click=DocumentState.close_panel,
                size="1",
                variant="ghost",
                aria_label="Close history",
            ),
            width="100%",
            align="center",
        ),
        rx.cond(
            DocumentState.versions.length() >= 2,
            rx.vstack(
                rx.hstack(
                    rx.text("Compare", size="2"),
                    _version_select(
                        DocumentState.diff_from, DocumentState.set_diff_from, "diff-from"
                    ),
                    rx.text("→", size="2"),
                    _version_select(DocumentState.diff_to, DocumentState.set_diff_to, "diff-to"),
                    rx.button(
                        "Diff",
                        on_click=DocumentState.show_diff,
                        size="1",
                        custom_attrs={"data-testid": "show-diff"},
                    ),
                    align="center",
                    spacing="2",
                    wrap="wrap",
                ),
                rx.cond(
                    DocumentState.diff_summary != "",
                    rx.vstack(
                        rx.text(
                            DocumentState.diff_summary,
                            size="2",
                            weight="medium",
                            custom_attrs={"data-testid": "diff-summary"},
                        ),
                        rx.foreach(DocumentState.diff_rows, _diff_row),
                        spacing="1",
                        padding="8px",
                        border_radius="6px",
                        background="var(--gray-a2)",
                        width="100%",
                    ),
                ),
                spacing="2",
                width="100%",
            ),
        ),
        rx.cond(
            DocumentState.versions.length() > 0,
            rx.box(rx.foreach(DocumentState.versions, _version_row), width="100%"),
            rx.text("Loading versions…", size="2", color_scheme="gray"),
        ),
        spacing="3",
        width="100%",
        custom_attrs={"data-testid": "history-panel"},
    )
