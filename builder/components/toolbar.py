"""The editing toolbar: undo, redo, tidy up, and the problem count that opens the list."""

from __future__ import annotations

import reflex as rx
from reflex.vars import StringVar

from builder.state import CanvasState
from builder.state.panels import ProblemsPanelState


def _tool(icon: str, label: str, hint: str, **props: object) -> rx.Component:
    return rx.tooltip(
        rx.button(
            rx.icon(icon, size=14),
            label,
            size="1",
            variant="soft",
            color_scheme="gray",
            aria_label=hint,
            **props,
        ),
        content=hint,
    )


def _count(n: rx.Var[int], noun: str) -> StringVar:
    return n.to_string() + rx.cond(n == 1, f" {noun}", f" {noun}s")


def problems_button() -> rx.Component:
    """Red when there are errors, amber for warnings only, grey when the graph is clean."""
    errors, warnings = CanvasState.error_count, CanvasState.warning_count
    return rx.button(
        rx.icon(rx.cond(errors > 0, "circle-x", "circle-alert"), size=14),
        rx.text(
            rx.cond(
                errors == 0,
                rx.cond(warnings == 0, "No problems", _count(warnings, "warning")),
                rx.cond(
                    warnings == 0,
                    _count(errors, "error"),
                    _count(errors, "error") + " · " + _count(warnings, "warning"),
                ),
            ),
            custom_attrs={"data-testid": "problem-count"},
        ),
        on_click=ProblemsPanelState.toggle,
        size="1",
        variant=rx.cond(ProblemsPanelState.open, "solid", "soft"),
        color_scheme=rx.cond(errors > 0, "red", rx.cond(warnings > 0, "amber", "gray")),
        aria_label="Problems",
        custom_attrs={"data-testid": "problems-button"},
    )


def edit_toolbar() -> rx.Component:
    return rx.hstack(
        _tool(
            "undo-2",
            "Undo",
            "Undo (Ctrl+Z)",
            on_click=CanvasState.undo,
            disabled=~CanvasState.can_undo,
            custom_attrs={"data-testid": "undo"},
        ),
        _tool(
            "redo-2",
            "Redo",
            "Redo (Ctrl+Shift+Z or Ctrl+Y)",
            on_click=CanvasState.redo,
            disabled=~CanvasState.can_redo,
            custom_attrs={"data-testid": "redo"},
        ),
        _tool(
            "wand-sparkles",
            "Tidy up",
            "Lay the graph out left to right",
            on_click=CanvasState.tidy_up,
            custom_attrs={"data-testid": "tidy-up"},
        ),
        problems_button(),
        spacing="2",
        align="center",
    )
