"""The inspector panel on the right: the selected node's parameters, and its label and settings.

Opens when exactly one node is selected (clicking a node selects it) and closes when the
selection is cleared; the close button clears it. Like n8n's node panel, parameters and the
node's own settings sit on separate tabs.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from builder.components.schema_form import schema_form
from builder.state.inspector import InspectorState

PANEL_WIDTH = "380px"

_view = InspectorState.inspector


def _problem(problem: Any) -> rx.Component:
    return rx.callout(
        problem["message"],
        icon=rx.cond(problem["severity"] == "warning", "triangle-alert", "circle-alert"),
        color_scheme=rx.cond(problem["severity"] == "warning", "amber", "red"),
        size="1",
        width="100%",
    )


def _header() -> rx.Component:
    return rx.hstack(
        rx.box(width="10px", height="10px", border_radius="3px", background=_view["color"].to(str)),
        rx.vstack(
            rx.text(
                rx.cond(
                    _view["label"].to(str) != "", _view["label"].to(str), _view["title"].to(str)
                ),
                weight="bold",
                size="3",
                custom_attrs={"data-testid": "inspector-title"},
            ),
            rx.text(
                _view["nodeType"].to(str) + " · " + _view["id"].to(str),
                size="1",
                color_scheme="gray",
                font_family="ui-monospace, monospace",
            ),
            spacing="0",
            min_width="0",
        ),
        rx.spacer(),
        rx.icon_button(
            rx.icon("x", size=14),
            size="1",
            variant="ghost",
            color_scheme="gray",
            on_click=InspectorState.close,
            title="Close (deselects the node)",
            custom_attrs={"data-testid": "inspector-close"},
        ),
        align="center",
        width="100%",
        spacing="2",
    )


def _parameters() -> rx.Component:
    return schema_form(
        spec=_view["configSpec"].to(dict[str, Any]),
        value=_view["config"].to(dict[str, Any]),
        errors=_view["configErrors"].to(dict[str, Any]),
        references=_view["references"].to(list[dict[str, Any]]),
        drafts=_view["drafts"].to(dict[str, Any]),
        form_key=InspectorState.inspected_id,
        empty_text="This node has no parameters.",
        on_form_change=InspectorState.change_config,
        custom_attrs={"data-testid": "config-form"},
    )


def _node_settings() -> rx.Component:
    return rx.vstack(
        schema_form(
            spec=_view["nodeSpec"].to(dict[str, Any]),
            value=_view["nodeValue"].to(dict[str, Any]),
            errors=_view["nodeErrors"].to(dict[str, Any]),
            references=[],
            form_key=InspectorState.inspected_id,
            on_form_change=InspectorState.change_node,
            custom_attrs={"data-testid": "node-form"},
        ),
        rx.text(
            "When this node fails after its retries, the failure goes to its error port if that "
            "is wired, and stops the run otherwise.",
            size="1",
            color_scheme="gray",
        ),
        width="100%",
    )


def _panel() -> rx.Component:
    return rx.vstack(
        _header(),
        rx.text(_view["description"].to(str), size="1", color_scheme="gray"),
        rx.foreach(_view["problems"].to(list[dict[str, str]]), _problem),
        rx.tabs.root(
            rx.tabs.list(
                rx.tabs.trigger("Parameters", value="parameters"),
                rx.tabs.trigger(
                    "Settings", value="settings", custom_attrs={"data-testid": "tab-settings"}
                ),
                size="1",
            ),
            rx.tabs.content(_parameters(), value="parameters", padding_top="12px"),
            rx.tabs.content(_node_settings(), value="settings", padding_top="12px"),
            default_value="parameters",
            # Another node opens on its parameters, as in n8n.
            key=InspectorState.inspected_id,
            width="100%",
        ),
        spacing="3",
        padding="12px 14px",
        width="100%",
    )


def _many() -> rx.Component:
    return rx.center(
        rx.text(
            InspectorState.selected_ids.length().to_string() + " nodes selected",
            size="2",
            color_scheme="gray",
        ),
        padding="24px",
    )


def inspector() -> rx.Component:
    """The panel, or nothing when no node is selected (the canvas then takes the width)."""
    return rx.cond(
        InspectorState.selected_ids.length() > 0,
        rx.box(
            rx.cond(InspectorState.inspected_id != "", _panel(), _many()),
            width=PANEL_WIDTH,
            min_width=PANEL_WIDTH,
            height="100%",
            overflow_y="auto",
            border_left="1px solid var(--gray-a5)",
            background="var(--color-panel-solid)",
            custom_attrs={"data-testid": "inspector"},
        ),
        rx.fragment(),
    )
