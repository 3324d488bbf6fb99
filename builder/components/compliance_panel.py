"""The compliance report beside the canvas: every rule of the workspace's packs.

Failed rules first, each with its framework and title, the message, the node at fault (a
click centres it on the canvas) and the remediation; then waived rules with the admin's
reason, then the rules the graph passes. The report covers the saved version.
"""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from builder.state.compliance import ComplianceState
from builder.views.compliance_view import FindingRow, RuleRow

STATUS_COLORS = (("failed", "red"), ("waived", "amber"), ("waiting", "gray"), "green")
WAITING = (
    "Waiting: no node type in the palette can break this rule yet (it checks nodes that"
    " store or log data), so it is not counted as passed."
)


def finding_view(finding: ObjectVar[FindingRow], node: rx.Component) -> rx.Component:
    """A finding; ``node`` shows the node at fault, since clicking it differs by page."""
    return rx.vstack(
        rx.text(finding.message, size="2"),
        rx.cond(
            finding.node != "",
            rx.hstack(
                rx.text("Node:", size="1", color_scheme="gray"),
                node,
                spacing="2",
                align="center",
            ),
        ),
        rx.cond(
            finding.path != "",
            rx.text("Data path: ", finding.path, size="1", color_scheme="gray"),
        ),
        rx.cond(
            finding.remediation != "",
            rx.callout(finding.remediation, icon="wrench", size="1", width="100%"),
        ),
        spacing="1",
        align="start",
        width="100%",
        padding_left="8px",
        border_left="2px solid var(--red-a6)",
    )


def _finding(finding: ObjectVar[FindingRow]) -> rx.Component:
    focus = rx.button(
        finding.node,
        # mypy reads @rx.event as a class, not the EventCallback Reflex makes.
        on_click=ComplianceState.focus_node(finding.node),  # type: ignore[operator]
        size="1",
        variant="soft",
        custom_attrs={"data-testid": "finding-node", "data-node": finding.node},
    )
    return finding_view(finding, focus)


def _rule(rule: ObjectVar[RuleRow]) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.badge(
                rule.status,
                color_scheme=rx.match(rule.status, *STATUS_COLORS),
                custom_attrs={"data-testid": "rule-status"},
            ),
            rx.badge(rule.framework, variant="outline"),
            rx.text(rule.rule, size="1", font_family="monospace", color_scheme="gray"),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.text(rule.title, size="2", weight="medium"),
        rx.cond(
            rule.status == "waived",
            rx.text("Waived: ", rule.waiver, size="1", color_scheme="amber"),
        ),
        rx.cond(rule.status == "waiting", rx.text(WAITING, size="1", color_scheme="gray")),
        rx.foreach(rule.findings, _finding),
        spacing="1",
        align="start",
        width="100%",
        padding="8px 0",
        border_bottom="1px solid var(--gray-a4)",
        custom_attrs={
            "data-testid": "compliance-rule",
            "data-rule": rule.rule,
            "data-status": rule.status,
        },
    )


def compliance_panel() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading("Compliance", size="3"),
            rx.spacer(),
            rx.icon_button(
                rx.icon("refresh-cw", size=14),
                on_click=[ComplianceState.load_report, ComplianceState.check],
                size="1",
                variant="ghost",
                aria_label="Check again",
                title="Check again",
                loading=ComplianceState.report_loading,
            ),
            rx.icon_button(
                rx.icon("x", size=14),
                on_click=ComplianceState.close_panel,
                size="1",
                variant="ghost",
                color_scheme="gray",
                aria_label="Close compliance",
            ),
            align="center",
            width="100%",
        ),
        rx.cond(
            ComplianceState.report_version > 0,
            rx.text(
                "Saved version v" + ComplianceState.report_version.to_string(),
                rx.cond(ComplianceState.unsaved, " (the canvas has unsaved changes)", ""),
                size="1",
                color_scheme="gray",
            ),
        ),
        rx.cond(
            ComplianceState.report_error != "",
            rx.callout(ComplianceState.report_error, icon="triangle-alert", color_scheme="red"),
        ),
        rx.text(
            ComplianceState.summary,
            size="2",
            weight="medium",
            custom_attrs={"data-testid": "compliance-summary"},
        ),
        rx.foreach(ComplianceState.rules, _rule),
        spacing="2",
        width="100%",
        custom_attrs={"data-testid": "compliance-panel"},
    )
