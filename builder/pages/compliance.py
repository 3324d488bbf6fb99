"""The workspace's compliance report, readable by an auditor as it is.

A summary line (packs, rule results), the audit chain's state, then each graph version that
matters (heads and whatever is deployed), failing ones first, with the rules they fail or have
waived: the finding, the node at fault (a link into the editor) and the remediation. Then each
deployment's SOC2 approval. The JSON behind it is ``GET /api/v1/compliance/report``.
"""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from builder import routes
from builder.components.compliance_panel import STATUS_COLORS, WAITING, finding_view
from builder.components.shell import empty_state, page_body, shell
from builder.state.compliance_report import TenantReportState
from builder.views.compliance_view import DeploymentRow, FindingRow, RuleRow, VersionRow


def _status(status: rx.Var[str]) -> rx.Component:
    return rx.badge(
        status,
        color_scheme=rx.match(status, *STATUS_COLORS[:-1], ("not required", "gray"), "green"),
        custom_attrs={"data-testid": "report-status"},
    )


def _finding(finding: ObjectVar[FindingRow], graph_id: rx.Var[str]) -> rx.Component:
    link = rx.link(
        finding.node,
        href=f"{routes.GRAPHS}/{graph_id}",
        size="2",
        font_family="monospace",
        custom_attrs={"data-testid": "report-node", "data-node": finding.node},
    )
    return finding_view(finding, link)


def _rule(rule: ObjectVar[RuleRow], graph_id: rx.Var[str]) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            _status(rule.status),
            rx.badge(rule.framework, variant="outline"),
            rx.text(rule.rule, size="1", font_family="monospace", color_scheme="gray"),
            rx.text(rule.title, size="2", weight="medium"),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            rule.status == "waived",
            rx.text("Waived: ", rule.waiver, size="1", color_scheme="amber"),
        ),
        rx.cond(rule.status == "waiting", rx.text(WAITING, size="1", color_scheme="gray")),
        rx.foreach(rule.findings, lambda f: _finding(f, graph_id)),
        spacing="1",
        align="start",
        width="100%",
        custom_attrs={"data-testid": "report-rule", "data-rule": rule.rule},
    )


def _version(row: ObjectVar[VersionRow]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                _status(row.status),
                rx.link(
                    rx.text(row.name, weight="bold", size="3"),
                    href=f"{routes.GRAPHS}/{row.graph_id}",
                ),
                rx.text(
                    f"{row.graph_id} v{row.version}",
                    size="1",
                    font_family="monospace",
                    color_scheme="gray",
                ),
                rx.cond(row.role != "", rx.badge(row.role, variant="soft", color_scheme="gray")),
                rx.spacer(),
                rx.text(row.counts, size="1", color_scheme="gray"),
                align="center",
                spacing="2",
                width="100%",
                wrap="wrap",
            ),
            rx.foreach(row.rules, lambda r: _rule(r, row.graph_id)),
            spacing="2",
            width="100%",
        ),
        width="100%",
        custom_attrs={
            "data-testid": "report-version",
            "data-graph": row.graph_id,
            "data-version": row.version.to_string(),
            "data-status": row.status,
        },
    )


def _deployment(row: ObjectVar[DeploymentRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row.slug, font_family="monospace", size="2")),
        rx.table.cell(rx.text(row.graph, size="2")),
        rx.table.cell(rx.text(row.deployed, size="2")),
        rx.table.cell(_status(row.status)),
        rx.table.cell(rx.text(row.message, size="2")),
        custom_attrs={"data-testid": "report-deployment", "data-slug": row.slug},
    )


def _deployments() -> rx.Component:
    headers = ("Endpoint", "Version", "Deployed", "Approval (SOC2)", "")
    return rx.cond(
        TenantReportState.deployments.length() > 0,
        rx.vstack(
            rx.heading("Deployments", size="3"),
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(*(rx.table.column_header_cell(h) for h in headers))
                    ),
                    rx.table.body(rx.foreach(TenantReportState.deployments, _deployment)),
                    width="100%",
                    variant="surface",
                ),
                width="100%",
                overflow_x="auto",
            ),
            spacing="2",
            width="100%",
        ),
    )


def _header() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(
                TenantReportState.summary,
                size="3",
                weight="medium",
                custom_attrs={"data-testid": "report-summary"},
            ),
            rx.spacer(),
            rx.text("Generated ", TenantReportState.generated_at, size="1", color_scheme="gray"),
            rx.icon_button(
                rx.icon("refresh-cw", size=14),
                on_click=TenantReportState.load,
                loading=TenantReportState.loading,
                variant="soft",
                aria_label="Refresh",
            ),
            align="center",
            spacing="3",
            width="100%",
            wrap="wrap",
        ),
        rx.callout(
            TenantReportState.audit,
            icon=rx.cond(TenantReportState.audit_intact, "shield-check", "shield-alert"),
            color_scheme=rx.cond(TenantReportState.audit_intact, "green", "red"),
            width="100%",
            custom_attrs={
                "data-testid": "report-audit",
                "data-intact": rx.cond(TenantReportState.audit_intact, "yes", "no"),
            },
        ),
        spacing="3",
        width="100%",
    )


def compliance_page() -> rx.Component:
    content = page_body(
        rx.cond(
            TenantReportState.loaded,
            rx.vstack(
                _header(),
                rx.cond(
                    TenantReportState.versions.length() > 0,
                    rx.vstack(
                        rx.heading("Graphs", size="3"),
                        rx.foreach(TenantReportState.versions, _version),
                        spacing="2",
                        width="100%",
                    ),
                    empty_state(
                        "shield",
                        "No graphs yet",
                        "Each graph's latest version and every deployed version is checked"
                        " against the workspace's packs here.",
                    ),
                ),
                _deployments(),
                spacing="4",
                width="100%",
            ),
            rx.center(rx.spinner(), width="100%", padding="32px"),
        ),
    )
    return shell(content, active="compliance", title="Compliance report")
