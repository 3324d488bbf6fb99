"""The deployed schedule in the deploy panel: when it fires next, and what its last fires did.

Shown under a live deployment whose version has a Schedule trigger; each fire that started a
run links to that run on the Runs page.
"""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from builder.state.schedule import ScheduleState


def _next_time(when: rx.Var[str]) -> rx.Component:
    return rx.text(
        when, size="1", font_family="monospace", custom_attrs={"data-testid": "next-fire"}
    )


def _fire(row: ObjectVar[dict[str, str]]) -> rx.Component:
    return rx.hstack(
        rx.badge(row["status"], color_scheme=row["color"].to(str)),
        rx.text(row["when"], size="1", font_family="monospace"),
        rx.cond(
            row["href"] != "",
            rx.link("run", href=row["href"], size="1", custom_attrs={"data-testid": "fire-run"}),
        ),
        spacing="2",
        align="center",
        custom_attrs={"data-testid": "last-fire"},
    )


def _schedule() -> rx.Component:
    return rx.vstack(
        rx.divider(),
        rx.hstack(
            rx.icon("clock", size=14),
            rx.text("Schedule", size="1", weight="bold", color_scheme="gray"),
            rx.code(ScheduleState.cron, size="1"),
            rx.text(ScheduleState.timezone, size="1", color_scheme="gray"),
            rx.spacer(),
            rx.icon_button(
                rx.icon("refresh-cw", size=12),
                on_click=ScheduleState.load,
                loading=ScheduleState.loading,
                size="1",
                variant="ghost",
                aria_label="Refresh the schedule",
                custom_attrs={"data-testid": "schedule-refresh"},
            ),
            align="center",
            spacing="2",
            width="100%",
        ),
        rx.text(
            "Fired by ",
            ScheduleState.fired_by,
            "; after downtime: ",
            rx.code(ScheduleState.catchup, size="1"),
            size="1",
            color_scheme="gray",
        ),
        rx.text("Next fire times", size="1", weight="bold", color_scheme="gray"),
        rx.foreach(ScheduleState.next_times, _next_time),
        rx.text("Last fires", size="1", weight="bold", color_scheme="gray"),
        rx.cond(
            ScheduleState.fires.length() > 0,
            rx.foreach(ScheduleState.fires, _fire),
            rx.text("None yet.", size="1", color_scheme="gray"),
        ),
        spacing="1",
        width="100%",
        custom_attrs={"data-testid": "deploy-schedule"},
    )


def schedule_section() -> rx.Component:
    """Loads when the live deployment shows; empty unless its version runs on a schedule."""
    return rx.box(
        rx.cond(ScheduleState.scheduled, _schedule()),
        on_mount=ScheduleState.load,
        width="100%",
    )
