"""The Run panel beside the canvas: sample input, Run, the outcome, and every node's data.

Each node the run reached gets a row (status, time); opening it shows its input, output and
error, and offers "Pin output" (downstream runs reuse it without running the node again) and
"Re-run from here" (everything upstream keeps its last outputs).
"""

from __future__ import annotations

from typing import cast

import reflex as rx
from reflex.vars import ObjectVar

from builder.state.run import RunState

STATUS_COLORS = (
    ("ok", "green"),
    ("succeeded", "green"),
    ("failed", "red"),
    ("timed_out", "red"),
    ("invalid", "red"),
    ("pinned", "purple"),
    ("waiting", "amber"),
    ("cancelled", "gray"),
)


def _status(value: rx.Var[str]) -> rx.Component:
    return rx.badge(value, color_scheme=rx.match(value, *STATUS_COLORS, "gray"), variant="soft")


def _json(text: rx.Var[str], test_id: str | rx.Var[str]) -> rx.Component:
    return rx.code_block(
        text,
        language="json",
        wrap_long_lines=True,
        custom_style={"fontSize": "11px", "maxHeight": "220px", "overflow": "auto", "margin": 0},
        custom_attrs={"data-testid": test_id},
    )


_refusals = cast(ObjectVar[dict[str, str]], RunState.pin_refused)


def _row(row: ObjectVar[dict[str, str]]) -> rx.Component:
    node_id = row["id"]
    pinned = RunState.pinned_ids.contains(node_id)
    return rx.box(
        rx.hstack(
            rx.icon(
                rx.cond(RunState.open_row == node_id, "chevron-down", "chevron-right"), size=14
            ),
            rx.text(row["title"], size="2", weight="medium", flex="1", trim="both"),
            _status(row["status"]),
            rx.text(row["ms"], size="1", color_scheme="gray"),
            on_click=RunState.toggle_row(node_id),  # type: ignore[operator]
            cursor="pointer",
            align="center",
            spacing="2",
            width="100%",
            custom_attrs={"data-testid": "run-row-" + node_id, "role": "button", "tabIndex": 0},
        ),
        rx.cond(
            RunState.open_row == node_id,
            rx.vstack(
                rx.hstack(
                    rx.button(
                        rx.icon(rx.cond(pinned, "pin-off", "pin"), size=12),
                        rx.cond(pinned, "Unpin", "Pin output"),
                        on_click=RunState.toggle_pin(node_id),  # type: ignore[operator]
                        size="1",
                        variant="soft",
                        color_scheme="purple",
                        custom_attrs={"data-testid": "pin-" + node_id},
                    ),
                    rx.button(
                        rx.icon("redo-2", size=12),
                        "Re-run from here",
                        on_click=RunState.rerun_from(node_id),  # type: ignore[operator]
                        size="1",
                        variant="soft",
                        loading=RunState.running,
                        custom_attrs={"data-testid": "rerun-" + node_id},
                    ),
                    spacing="2",
                ),
                rx.cond(
                    RunState.pin_refused.contains(node_id),
                    rx.callout(
                        "Not pinned. " + _refusals[node_id],
                        color_scheme="amber",
                        size="1",
                        icon="pin-off",
                        custom_attrs={"data-testid": "pin-refused-" + node_id},
                    ),
                ),
                rx.cond(
                    row["error"] != "",
                    rx.callout(row["error"], color_scheme="red", size="1", icon="triangle-alert"),
                ),
                rx.text("Input", size="1", weight="bold", color_scheme="gray"),
                _json(row["input"], "run-input-" + node_id),
                rx.text("Output", size="1", weight="bold", color_scheme="gray"),
                _json(row["output"], "run-output-" + node_id),
                spacing="1",
                width="100%",
                padding_top="6px",
            ),
        ),
        padding="6px 0",
        border_bottom="1px solid var(--gray-a4)",
        width="100%",
    )


def run_panel() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading("Test run", size="3"),
            rx.spacer(),
            rx.button(
                rx.icon("play", size=14),
                "Run",
                on_click=RunState.run,
                loading=RunState.running,
                size="2",
                custom_attrs={"data-testid": "run-graph"},
            ),
            width="100%",
            align="center",
        ),
        rx.text(
            "Sample input (JSON): what the trigger receives. Remembered for this graph.",
            size="1",
            color_scheme="gray",
        ),
        rx.text_area(
            value=RunState.sample_text,
            on_change=RunState.set_sample_text,
            placeholder='{"body": {"lead": {"email": "ada@example.com"}}}',
            rows="8",
            font_family="monospace",
            font_size="12px",
            width="100%",
            spell_check=False,
            custom_attrs={"data-testid": "run-input"},
        ),
        rx.cond(
            RunState.input_error != "",
            rx.text(
                RunState.input_error,
                size="1",
                color_scheme="red",
                custom_attrs={"data-testid": "run-input-error"},
            ),
        ),
        rx.cond(
            RunState.run_status != "",
            rx.vstack(
                rx.hstack(
                    _status(RunState.run_status),
                    rx.text(
                        RunState.run_summary,
                        size="2",
                        custom_attrs={"data-testid": "run-summary"},
                    ),
                    align="center",
                    spacing="2",
                ),
                rx.cond(
                    RunState.run_error != "",
                    rx.callout(
                        RunState.run_error,
                        color_scheme="red",
                        size="1",
                        icon="triangle-alert",
                        custom_attrs={"data-testid": "run-error"},
                    ),
                ),
                rx.cond(
                    RunState.run_output != "",
                    rx.vstack(
                        rx.text("Output", size="1", weight="bold", color_scheme="gray"),
                        _json(RunState.run_output, "run-output"),
                        width="100%",
                        spacing="1",
                    ),
                ),
                rx.foreach(RunState.rows, _row),
                width="100%",
                spacing="2",
            ),
            rx.text(
                "Run the graph to see what every node received and produced.",
                size="2",
                color_scheme="gray",
            ),
        ),
        spacing="2",
        width="100%",
        custom_attrs={"data-testid": "run-panel"},
    )
