"""The problems list: every diagnostic of the last validation, errors first.

Clicking a row selects its node and centres the view on it, so a long graph's problems can
be walked one by one; the same messages are on the nodes and edges themselves.
"""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from builder.canvas.diagnosis import Problem
from builder.state import CanvasState
from builder.state.compliance import ComplianceState
from builder.state.panels import ProblemsPanelState


def _row(problem: ObjectVar[Problem]) -> rx.Component:
    severity = problem["severity"]
    return rx.hstack(
        rx.badge(
            severity,
            color_scheme=rx.match(severity, ("error", "red"), ("warning", "amber"), "blue"),
            variant="soft",
            size="1",
        ),
        rx.vstack(
            rx.text(problem["title"], size="1", weight="bold"),
            rx.text(problem["message"], size="1"),
            rx.cond(
                problem["hint"] != "",
                rx.text(problem["hint"], size="1", color_scheme="gray"),
            ),
            rx.cond(
                problem["rule"] != "",
                rx.button(
                    rx.icon("shield-check", size=12),
                    "Compliance report: " + problem["rule"],
                    # A button, not a link: a link's navigation would reload the editor.
                    on_click=ComplianceState.open_report,
                    size="1",
                    variant="ghost",
                    custom_attrs={"data-testid": "problem-report"},
                ),
            ),
            spacing="0",
            align="start",
            min_width="0",
        ),
        # mypy reads @rx.event as a class, not the EventCallback Reflex makes of the method.
        on_click=CanvasState.focus_node(problem["node"]),  # type: ignore[operator]
        align="start",
        spacing="2",
        padding="6px 8px",
        border_radius="6px",
        width="100%",
        cursor=rx.cond(problem["node"] != "", "pointer", "default"),
        _hover={"background": "var(--gray-a3)"},
        custom_attrs={
            "data-testid": "problem-row",
            "data-node": problem["node"],
            "data-severity": severity,
            "role": "button",
        },
    )


def problems_panel() -> rx.Component:
    return rx.cond(
        ProblemsPanelState.open,
        rx.card(
            rx.hstack(
                rx.text("Problems", size="2", weight="bold"),
                rx.spacer(),
                rx.icon_button(
                    rx.icon("x", size=14),
                    on_click=ProblemsPanelState.close,
                    size="1",
                    variant="ghost",
                    color_scheme="gray",
                    aria_label="Close problems",
                ),
                align="center",
                width="100%",
            ),
            rx.cond(
                CanvasState.problems.length() == 0,
                rx.text("No problems: the graph is valid.", size="1", color_scheme="gray"),
                rx.vstack(rx.foreach(CanvasState.problems, _row), spacing="1", width="100%"),
            ),
            position="absolute",
            top="12px",
            right="12px",
            width="360px",
            max_height="calc(100% - 220px)",
            overflow_y="auto",
            z_index="10",
            custom_attrs={"data-testid": "problems-panel"},
        ),
    )
