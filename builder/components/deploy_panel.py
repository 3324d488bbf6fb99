"""Deploy beside the canvas.

Endpoint name, one-click deploy of the saved version, the live URL with a ready ``curl``, refusals
node by node, and rollback to an earlier version.
"""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from builder import routes
from builder.components.schedule_panel import schedule_section
from builder.state.deploy import DeployState
from builder.state.document import DocumentState
from builder.state.session import SessionState


def _problem(row: ObjectVar[dict[str, str]]) -> rx.Component:
    return rx.hstack(
        rx.badge(row["severity"], color_scheme=rx.cond(row["severity"] == "error", "red", "amber")),
        rx.vstack(
            rx.text(row["where"], size="1", color_scheme="gray", font_family="monospace"),
            rx.text(row["message"], size="2"),
            spacing="0",
        ),
        align="start",
        spacing="2",
        custom_attrs={"data-testid": "deploy-problem"},
    )


def _reason(reason: rx.Var[str]) -> rx.Component:
    return rx.text("· ", reason, size="1", color_scheme="gray")


def _workflow() -> rx.Component:
    """Express or Standard, why, and the control that overrides the compiler's choice."""
    return rx.vstack(
        rx.hstack(
            rx.text("Runs as", size="1", weight="bold", color_scheme="gray"),
            rx.cond(
                DeployState.workflow_type != "",
                rx.badge(
                    DeployState.workflow_type,
                    color_scheme=rx.cond(DeployState.workflow_type == "Standard", "violet", "cyan"),
                    custom_attrs={"data-testid": "workflow-type"},
                ),
            ),
            rx.cond(
                DeployState.workflow_overridden,
                rx.badge("your choice", variant="outline", color_scheme="gray"),
            ),
            rx.spacer(),
            rx.select.root(
                rx.select.trigger(custom_attrs={"data-testid": "workflow-choice"}),
                rx.select.content(
                    rx.select.item("Automatic", value="automatic"),
                    rx.select.item("Express", value="express"),
                    rx.select.item("Standard", value="standard"),
                ),
                value=DeployState.workflow_choice,
                on_change=DeployState.set_workflow_choice,
                size="1",
            ),
            align="center",
            spacing="2",
            width="100%",
        ),
        rx.foreach(DeployState.workflow_reasons, _reason),
        rx.cond(
            DeployState.workflow_error != "",
            rx.text(
                DeployState.workflow_error,
                size="1",
                color_scheme="red",
                custom_attrs={"data-testid": "workflow-error"},
            ),
        ),
        spacing="1",
        width="100%",
        custom_attrs={"data-testid": "deploy-workflow"},
    )


def _history_row(row: ObjectVar[dict[str, str]]) -> rx.Component:
    return rx.text(
        row["action"] + " v" + row["version"] + " · " + row["by"] + " · " + row["when"],
        size="1",
        color_scheme="gray",
    )


def _live() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.badge("live", color_scheme="green"),
            rx.text(
                "serving version ",
                rx.text.strong(DeployState.deployed_version.to_string()),
                size="2",
                custom_attrs={"data-testid": "deployed-version"},
            ),
            align="center",
            spacing="2",
        ),
        rx.link(
            rx.icon("activity", size=12),
            " See its runs",
            href=routes.RUNS + "?graph=" + DocumentState.doc_id,
            size="1",
            custom_attrs={"data-testid": "deploy-runs"},
        ),
        rx.text("Endpoint", size="1", weight="bold", color_scheme="gray"),
        rx.code(
            DeployState.url, word_break="break-all", custom_attrs={"data-testid": "deploy-url"}
        ),
        rx.text("Call it", size="1", weight="bold", color_scheme="gray"),
        rx.box(
            rx.el.pre(
                DeployState.curl,
                font_size="12px",
                white_space="pre-wrap",
                word_break="break-all",
                margin="0",
                custom_attrs={"data-testid": "deploy-curl"},
            ),
            padding="8px",
            background="var(--gray-a3)",
            border_radius="6px",
            width="100%",
        ),
        rx.button(
            rx.icon("copy", size=14),
            "Copy curl",
            on_click=DeployState.copy_curl,
            size="1",
            variant="soft",
            custom_attrs={"data-testid": "copy-curl"},
        ),
        rx.callout(
            rx.text(
                "Requests need an API key in X-API-Key. Create one in ",
                rx.link("Settings", href=routes.SETTINGS),
                " (its secret is shown once), then export AUTERITY_API_KEY=<key>.",
            ),
            icon="key-round",
            size="1",
            color_scheme="gray",
        ),
        rx.divider(),
        rx.text("Roll back", size="1", weight="bold", color_scheme="gray"),
        rx.hstack(
            rx.select.root(
                rx.select.trigger(
                    placeholder="to version", custom_attrs={"data-testid": "rollback-version"}
                ),
                rx.select.content(
                    rx.foreach(
                        DeployState.rollback_choices,
                        lambda v: rx.select.item(v["label"], value=v["version"]),
                    )
                ),
                value=DeployState.rollback_to,
                on_change=DeployState.set_rollback_to,
                size="1",
            ),
            rx.button(
                "Roll back",
                on_click=DeployState.rollback,
                size="1",
                variant="soft",
                color_scheme="orange",
                custom_attrs={"data-testid": "rollback"},
            ),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.foreach(DeployState.history, _history_row),
        schedule_section(),
        spacing="2",
        width="100%",
        custom_attrs={"data-testid": "deploy-live"},
    )


def deploy_panel() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading("Deploy", size="3"),
            rx.spacer(),
            rx.icon_button(
                rx.icon("x", size=14),
                on_click=DocumentState.close_panel,
                size="1",
                variant="ghost",
                aria_label="Close deploy",
            ),
            width="100%",
            align="center",
        ),
        rx.text(
            "Validates, compiles and serves saved version ",
            rx.text.strong(DocumentState.base_version.to_string()),
            " as an HTTP endpoint.",
            size="2",
            color_scheme="gray",
        ),
        rx.form(
            rx.vstack(
                rx.text("Endpoint name", size="1", weight="bold", color_scheme="gray"),
                rx.input(
                    value=DeployState.slug,
                    on_change=DeployState.set_slug,
                    placeholder="my-endpoint",
                    width="100%",
                    custom_attrs={"data-testid": "deploy-slug"},
                ),
                rx.cond(
                    ~DeployState.slug_valid,
                    rx.text(
                        "Lowercase letters, digits and dashes; starts with a letter or digit.",
                        size="1",
                        color_scheme="red",
                    ),
                ),
                _workflow(),
                rx.button(
                    rx.icon("rocket", size=14),
                    "Deploy version " + DocumentState.base_version.to_string(),
                    type="submit",
                    loading=DeployState.deploying,
                    disabled=~DeployState.slug_valid | ~SessionState.can_edit,
                    width="100%",
                    custom_attrs={"data-testid": "deploy"},
                ),
                spacing="2",
                width="100%",
            ),
            on_submit=lambda _: DeployState.deploy(),  # type: ignore[operator]
            width="100%",
        ),
        rx.cond(
            DeployState.error != "",
            rx.callout(
                DeployState.error,
                icon="circle-alert",
                color_scheme="red",
                size="1",
                custom_attrs={"data-testid": "deploy-error"},
            ),
        ),
        rx.foreach(DeployState.problems, _problem),
        rx.cond(DeployState.url != "", _live()),
        spacing="3",
        width="100%",
        custom_attrs={"data-testid": "deploy-panel"},
    )
