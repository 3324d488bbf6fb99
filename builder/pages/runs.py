"""The runs page: recent runs (filter by graph and status) and one run's per-node trace."""

from __future__ import annotations

from typing import cast

import reflex as rx
from reflex.vars import ObjectVar

from builder.components.shell import empty_state, page_body, shell
from builder.state.runs import ALL, STATUSES, RunsState


def _row(row: ObjectVar[dict[str, str]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.button(
                rx.text(row["id"], font_family="monospace", size="1"),
                on_click=RunsState.open_run(row["id"]),  # type: ignore[operator]
                variant="ghost",
                size="1",
                custom_attrs={"data-testid": "run-open-" + row["id"]},
            )
        ),
        rx.table.cell(
            rx.text(row["graph"], size="2", custom_attrs={"data-testid": "run-graph-name"}),
            rx.text(
                row["graph_id"] + " · " + row["version"],
                size="1",
                color_scheme="gray",
                custom_attrs={"data-testid": "run-version"},
            ),
        ),
        rx.table.cell(rx.badge(row["status"], color_scheme=row["color"])),
        rx.table.cell(rx.text(row["trigger"], size="2")),
        rx.table.cell(rx.text(row["started"], size="2")),
        rx.table.cell(rx.text(row["duration"], size="2")),
        custom_attrs={"data-testid": "run-row"},
    )


def _trace_row(row: ObjectVar[dict[str, str]]) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.text(row["node"], weight="bold", font_family="monospace", size="2"),
            rx.text(row["type"], size="1", color_scheme="gray"),
            rx.badge(
                row["status"],
                color_scheme=rx.match(row["status"], ("ok", "green"), ("failed", "red"), "gray"),
            ),
            rx.spacer(),
            rx.text(row["duration"], size="1", color_scheme="gray"),
            align="center",
            spacing="2",
            width="100%",
        ),
        rx.cond(row["error"] != "", rx.text(row["error"], color_scheme="red", size="2")),
        rx.grid(
            rx.vstack(
                rx.text("Input", size="1", weight="bold", color_scheme="gray"),
                rx.code_block(
                    row["input"], language="json", font_size="12px", width="100%", margin="0"
                ),
                spacing="1",
                min_width="0",
            ),
            rx.vstack(
                rx.text("Output", size="1", weight="bold", color_scheme="gray"),
                rx.code_block(
                    row["output"], language="json", font_size="12px", width="100%", margin="0"
                ),
                spacing="1",
                min_width="0",
            ),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="2",
            width="100%",
        ),
        padding="10px",
        border="1px solid var(--gray-a5)",
        border_radius="8px",
        width="100%",
        custom_attrs={"data-testid": "trace-row"},
    )


def _wait_row(row: ObjectVar[dict[str, str]]) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.text(row["node"], weight="bold", font_family="monospace", size="2"),
            rx.text(row["kind"], size="1", color_scheme="gray"),
            rx.badge(
                row["status"],
                color_scheme=rx.match(
                    row["status"],
                    ("pending", "amber"),
                    ("approved", "green"),
                    ("answered", "green"),
                    ("rejected", "red"),
                    ("timed out", "orange"),
                    "gray",
                ),
            ),
            rx.text(row["title"], size="2"),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.hstack(
            rx.cond(row["assignee"] != "", rx.text("For " + row["assignee"], size="1")),
            rx.cond(row["until"] != "", rx.text("Until " + row["until"], size="1")),
            rx.cond(row["decided"] != "", rx.text("Decided by " + row["decided"], size="1")),
            rx.cond(row["comment"] != "", rx.text("“" + row["comment"] + "”", size="1")),
            spacing="3",
            wrap="wrap",
            color_scheme="gray",
        ),
        padding="8px 10px",
        border="1px solid var(--gray-a5)",
        border_radius="8px",
        width="100%",
        custom_attrs={"data-testid": "run-wait"},
    )


def _actions(summary: ObjectVar[dict[str, str]]) -> rx.Component:
    """Cancel a run that has not ended; redrive a failed one from its failed step."""
    return rx.hstack(
        rx.cond(
            summary["parent"] != "",
            rx.button(
                rx.icon("corner-left-up", size=14),
                "Parent run " + summary["parent"],
                on_click=RunsState.open_run(summary["parent"]),  # type: ignore[operator]
                variant="ghost",
                size="1",
                custom_attrs={"data-testid": "run-parent"},
            ),
        ),
        rx.cond(
            summary["redrives"] != "",
            rx.text("Redriven " + summary["redrives"] + " times", size="1", color_scheme="gray"),
        ),
        rx.spacer(),
        rx.cond(
            summary["can_cancel"] != "",
            rx.button(
                rx.icon("square", size=14),
                "Cancel run",
                on_click=RunsState.cancel_run,
                color_scheme="red",
                variant="soft",
                size="1",
                custom_attrs={"data-testid": "run-cancel"},
            ),
        ),
        rx.cond(
            summary["can_redrive"] != "",
            rx.button(
                rx.icon("rotate-ccw", size=14),
                "Redrive",
                on_click=RunsState.redrive_run,
                variant="soft",
                size="1",
                custom_attrs={"data-testid": "run-redrive"},
            ),
        ),
        spacing="2",
        align="center",
        wrap="wrap",
        width="100%",
    )


def _run_dialog() -> rx.Component:
    summary = cast(ObjectVar[dict[str, str]], RunsState.run_summary)
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Run " + RunsState.run_id),
            rx.hstack(
                rx.badge(summary["status"], color_scheme=summary["color"]),
                rx.text(summary["graph"] + " · " + summary["version"], size="2"),
                rx.text(summary["trigger"], size="2", color_scheme="gray"),
                rx.text(
                    summary["started"] + " · " + summary["duration"], size="2", color_scheme="gray"
                ),
                spacing="3",
                wrap="wrap",
                align="center",
            ),
            _actions(summary),
            rx.cond(
                RunsState.action_error != "",
                rx.callout(
                    RunsState.action_error,
                    color_scheme="red",
                    size="1",
                    icon="triangle-alert",
                    custom_attrs={"data-testid": "run-action-error"},
                ),
            ),
            rx.cond(
                summary["error"] != "",
                rx.code_block(summary["error"], language="json", font_size="12px"),
            ),
            rx.cond(
                RunsState.waits.length() > 0,
                rx.vstack(
                    rx.heading("Waits for", size="3", margin_top="12px"),
                    rx.foreach(RunsState.waits, _wait_row),
                    spacing="2",
                    width="100%",
                ),
            ),
            rx.text("Output", size="1", weight="bold", color_scheme="gray", margin_top="12px"),
            rx.code_block(summary["output"], language="json", font_size="12px"),
            rx.heading("Trace", size="3", margin_top="12px"),
            rx.cond(
                summary["truncated"] != "",
                rx.text("The trace was cut short (too large).", size="1"),
            ),
            rx.vstack(rx.foreach(RunsState.trace, _trace_row), spacing="2", width="100%"),
            rx.hstack(
                rx.dialog.close(rx.button("Close", variant="soft")),
                justify="end",
                margin_top="12px",
            ),
            max_width="min(960px, 96vw)",
            custom_attrs={"data-testid": "run-detail"},
        ),
        open=RunsState.run_id != "",
        on_open_change=RunsState.close_run,
    )


def _filters() -> rx.Component:
    return rx.hstack(
        rx.text(
            "Every run of a deployed endpoint or a test run, newest first.",
            size="2",
            color_scheme="gray",
        ),
        rx.spacer(),
        rx.select.root(
            rx.select.trigger(custom_attrs={"data-testid": "runs-graph-filter"}),
            rx.select.content(
                rx.select.item("All graphs", value=ALL),
                rx.foreach(
                    RunsState.graph_options,
                    lambda g: rx.select.item(g["name"], value=g["id"]),
                ),
            ),
            value=RunsState.graph_filter,
            on_change=RunsState.filter_graph,
        ),
        rx.select.root(
            rx.select.trigger(custom_attrs={"data-testid": "runs-status-filter"}),
            rx.select.content(
                rx.select.item("Any status", value=ALL),
                *(rx.select.item(s.replace("_", " "), value=s) for s in STATUSES),
            ),
            value=RunsState.status_filter,
            on_change=RunsState.filter_status,
        ),
        rx.icon_button(
            rx.icon("refresh-cw", size=14),
            on_click=RunsState.load,
            variant="soft",
            aria_label="Refresh",
        ),
        align="center",
        spacing="3",
        width="100%",
        wrap="wrap",
    )


def runs_page() -> rx.Component:
    table = rx.table.root(
        rx.table.header(
            rx.table.row(
                *(
                    rx.table.column_header_cell(h)
                    for h in ("Run", "Graph", "Status", "Trigger", "Started", "Took")
                )
            )
        ),
        rx.table.body(rx.foreach(RunsState.rows, _row)),
        width="100%",
        variant="surface",
    )
    content = page_body(
        _filters(),
        rx.cond(
            RunsState.loaded,
            rx.cond(
                RunsState.rows.length() > 0,
                rx.box(table, width="100%", overflow_x="auto"),
                rx.cond(
                    RunsState.filtered,
                    empty_state(
                        "filter",
                        "No runs match these filters",
                        "Try another graph or status.",
                        rx.button(
                            "Show all runs", on_click=RunsState.clear_filters, variant="soft"
                        ),
                    ),
                    empty_state(
                        "activity",
                        "No runs yet",
                        "Runs appear here when a deployed endpoint is called or a graph is "
                        "test-run. Deploy a graph from the editor, then call it with the curl "
                        "shown there.",
                    ),
                ),
            ),
            rx.center(rx.spinner(), width="100%", padding="32px"),
        ),
        _run_dialog(),
    )
    return shell(content, active="runs", title="Runs")
