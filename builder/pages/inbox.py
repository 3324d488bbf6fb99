"""The Inbox page: approvals waiting for a person, each with its form, a comment and a decision.

Cards stack in one column, so the page works on a phone as on a desktop.
"""

from __future__ import annotations

from typing import Any, cast

import reflex as rx
from reflex.vars import ArrayVar, ObjectVar

from builder.components.shell import empty_state, page_body, shell
from builder.state.inbox import InboxState

POLL_MS = 20_000
"""How often the page asks for new requests while it is open."""


def _label(field: ObjectVar[dict[str, Any]]) -> rx.Component:
    return rx.text(
        field["label"],
        rx.cond(field["required"], rx.text.span(" *", color_scheme="red")),
        size="2",
        weight="medium",
    )


def _field(key: rx.Var[str], field: ObjectVar[dict[str, Any]]) -> rx.Component:
    name = field["name"].to(str)
    testid = "inbox-field-" + name
    options = cast(ArrayVar[list[str]], field["options"].to(list[str]))
    control = rx.match(
        field["type"],
        (
            "boolean",
            rx.checkbox(
                on_change=lambda v: InboxState.set_value(key, name, v),  # type: ignore[operator]
                custom_attrs={"data-testid": testid},
            ),
        ),
        (
            "choice",
            rx.select.root(
                rx.select.trigger(placeholder="Choose…", custom_attrs={"data-testid": testid}),
                rx.select.content(rx.foreach(options, lambda o: rx.select.item(o, value=o))),
                on_change=lambda v: InboxState.set_value(key, name, v),  # type: ignore[operator]
            ),
        ),
        rx.input(
            type=rx.cond(field["type"] == "number", "number", "text"),
            required=field["required"],
            on_change=lambda v: InboxState.set_value(key, name, v),  # type: ignore[operator]
            width="100%",
            custom_attrs={"data-testid": testid},
        ),
    )
    return rx.vstack(_label(field), control, spacing="1", width="100%")


def _meta(label: str, value: rx.Var[str]) -> rx.Component:
    return rx.cond(
        value != "",
        rx.text(rx.text.span(label + " ", color_scheme="gray"), value, size="1"),
    )


def _card(item: ObjectVar[dict[str, Any]]) -> rx.Component:
    key = item["key"].to(str)
    fields = cast(ArrayVar[list[dict[str, Any]]], item["fields"].to(list[dict[str, Any]]))
    busy = InboxState.busy == key
    error = cast(ObjectVar[dict[str, str]], InboxState.errors)[key]
    return rx.card(
        rx.vstack(
            rx.text(
                item["title"], weight="bold", size="3", custom_attrs={"data-testid": "inbox-title"}
            ),
            rx.hstack(
                _meta("Graph", item["graph"]),
                _meta("Asked", item["asked"]),
                _meta("Deadline", item["deadline"]),
                _meta("For", item["assignee"]),
                spacing="3",
                wrap="wrap",
            ),
            rx.code(item["input"], size="1", width="100%", style={"word_break": "break-all"}),
            rx.cond(
                item["may_decide"],
                rx.vstack(
                    rx.foreach(fields, lambda f: _field(key, f)),
                    rx.text_area(
                        placeholder="Comment (optional)",
                        on_change=lambda v: InboxState.set_comment(key, v),  # type: ignore[operator]
                        width="100%",
                        custom_attrs={"data-testid": "inbox-comment"},
                    ),
                    rx.cond(
                        error,
                        rx.callout(
                            error,
                            color_scheme="red",
                            size="1",
                            icon="triangle-alert",
                            custom_attrs={"data-testid": "inbox-error"},
                        ),
                    ),
                    rx.hstack(
                        rx.button(
                            rx.icon("x", size=14),
                            "Reject",
                            color_scheme="red",
                            variant="soft",
                            loading=busy,
                            on_click=InboxState.reject(key),  # type: ignore[operator]
                            custom_attrs={"data-testid": "inbox-reject"},
                        ),
                        rx.button(
                            rx.icon("check", size=14),
                            "Approve",
                            color_scheme="green",
                            loading=busy,
                            on_click=InboxState.approve(key),  # type: ignore[operator]
                            custom_attrs={"data-testid": "inbox-approve"},
                        ),
                        justify="end",
                        spacing="2",
                        width="100%",
                    ),
                    spacing="2",
                    width="100%",
                ),
                rx.text("Someone else decides this one.", size="1", color_scheme="gray"),
            ),
            spacing="2",
            width="100%",
        ),
        key=key,
        width="100%",
        custom_attrs={"data-testid": "inbox-item"},
    )


def _toolbar() -> rx.Component:
    return rx.hstack(
        rx.text("Approvals waiting for a decision, oldest first.", size="2", color_scheme="gray"),
        rx.spacer(),
        rx.el.label(
            rx.hstack(
                rx.switch(
                    checked=InboxState.show_all,
                    on_change=InboxState.toggle_all,
                    custom_attrs={"data-testid": "inbox-show-all"},
                ),
                rx.text("Show all", size="2"),
                align="center",
                spacing="2",
            )
        ),
        rx.icon_button(
            rx.icon("refresh-cw", size=14),
            on_click=InboxState.load,
            variant="soft",
            aria_label="Refresh",
            custom_attrs={"data-testid": "inbox-refresh"},
        ),
        align="center",
        spacing="3",
        width="100%",
        wrap="wrap",
    )


def inbox_page() -> rx.Component:
    content = page_body(
        _toolbar(),
        rx.cond(
            InboxState.notice != "",
            rx.callout(InboxState.notice, color_scheme="amber", size="1", icon="info"),
        ),
        rx.cond(
            InboxState.loaded,
            rx.cond(
                InboxState.items.length() > 0,
                rx.vstack(rx.foreach(InboxState.items, _card), spacing="3", width="100%"),
                empty_state(
                    "inbox",
                    "Nothing to decide",
                    "Approvals appear here when a run reaches an approval step assigned to you. "
                    "Turn on Show all to see those waiting for others.",
                ),
            ),
            rx.center(rx.spinner(), width="100%", padding="32px"),
        ),
        rx.moment(interval=POLL_MS, on_change=InboxState.poll, display="none"),
    )
    return shell(content, active="inbox", title="Inbox")
