"""A compliance report as the rows the report panel draws: pure functions, no Reflex.

``compliance.check.Report`` lists every rule of the tenant's packs with its status; a row
keeps what a reader needs (framework, title, status, the waiver's reason) and, for a failed
rule, each finding's message, the node(s) at fault and the remediation. The workspace's
report (``runtime.service.report_schemas.TenantReport``) becomes a row per graph version, a row
per deployment and a line on the audit chain.
"""

from __future__ import annotations

import dataclasses

from compliance.check import Report, RuleResult
from compliance.rules import Finding
from runtime.service.report_schemas import AuditStatus, DeploymentCheck, TenantReport, VersionReport

STATUS_ORDER = {"failed": 0, "waived": 1, "passed": 2}
"""The statuses every summary counts; ``waiting`` rules are listed last and counted only when
there are some (no node type can break them yet: not a pass)."""
PACK_TITLES = {"hipaa": "HIPAA", "pci": "PCI-DSS", "gdpr": "GDPR", "soc2": "SOC2"}


@dataclasses.dataclass
class FindingRow:
    message: str
    node: str
    """The node at fault ('' when the finding is about the whole graph)."""
    path: str
    """Where the data comes from, as ``a → b → node`` ('' when there is no path)."""
    remediation: str


@dataclasses.dataclass
class RuleRow:
    rule: str
    framework: str
    title: str
    status: str
    waiver: str
    findings: list[FindingRow] = dataclasses.field(default_factory=list)


def finding_row(finding: Finding) -> FindingRow:
    return FindingRow(
        message=finding.message,
        node=finding.node or "",
        path=" → ".join(finding.nodes) if len(finding.nodes) > 1 else "",
        remediation=finding.remediation,
    )


def rule_row(result: RuleResult) -> RuleRow:
    return RuleRow(
        rule=result.rule,
        framework=result.framework,
        title=result.title,
        status=result.status,
        waiver=result.waiver or "",
        findings=[finding_row(f) for f in result.findings] if result.status != "passed" else [],
    )


def rule_rows(report: Report) -> list[RuleRow]:
    """Failed rules first, then waived, passed, waiting; each group in the packs' order."""
    rows = [rule_row(r) for r in report.rules]
    return sorted(rows, key=lambda r: STATUS_ORDER.get(r.status, 3))


def _tally(statuses: list[str]) -> dict[str, int]:
    return {s: statuses.count(s) for s in set(statuses)}


def _counts(totals: dict[str, int]) -> str:
    counts = [f"{totals.get(status, 0)} {status}" for status in STATUS_ORDER]
    if totals.get("waiting"):
        counts.append(f"{totals['waiting']} waiting for node types that could break them")
    return ", ".join(counts)


def summary(report: Report) -> str:
    """One line: which packs, and how many rules failed, were waived and passed."""
    if not report.packs:
        return "No compliance packs are on for this workspace (Settings turns them on)."
    packs = ", ".join(PACK_TITLES.get(p, p) for p in report.packs)
    return f"{packs}: " + _counts(_tally([r.status for r in report.rules]))


# --- the workspace's report (``GET /compliance/report``) ---------------------------------------


@dataclasses.dataclass
class VersionRow:
    graph_id: str
    name: str
    version: int
    role: str
    """``head``, ``deployed at /a, /b``, or both, joined."""
    status: str
    counts: str
    """``1 failed, 0 waived, 7 passed``."""
    rules: list[RuleRow] = dataclasses.field(default_factory=list)
    """The rules that did not pass (failed first), with their evidence."""


@dataclasses.dataclass
class DeploymentRow:
    slug: str
    graph: str
    """``graph_id v3``."""
    deployed: str
    """Who deployed it, and when."""
    status: str
    message: str


def version_row(entry: VersionReport) -> VersionRow:
    roles = ["head"] if entry.head else []
    if entry.deployments:
        roles.append("deployed at " + ", ".join("/" + slug for slug in entry.deployments))
    return VersionRow(
        graph_id=entry.graph_id,
        name=entry.name,
        version=entry.version,
        role=" · ".join(roles),
        status=entry.status,
        counts=_counts(_tally([r.status for r in entry.report.rules])),
        # What needs attention: failures and waivers (waiting rules are in the counts).
        rules=[row for row in rule_rows(entry.report) if row.status in ("failed", "waived")],
    )


def version_rows(report: TenantReport) -> list[VersionRow]:
    """Failing versions first, then waived, then passing; by graph and version within."""
    rows = [version_row(entry) for entry in report.graphs]
    return sorted(rows, key=lambda r: (STATUS_ORDER.get(r.status, 3), r.graph_id, r.version))


def deployment_row(check: DeploymentCheck) -> DeploymentRow:
    return DeploymentRow(
        slug="/" + check.slug,
        graph=f"{check.graph_id} v{check.version}",
        deployed=f"{check.deployed_by}, {check.deployed_at[:16].replace('T', ' ')}",
        status=check.status.replace("_", " "),
        message=check.message,
    )


def tenant_summary(report: TenantReport) -> str:
    """One line: the packs, and how many rule results failed, were waived and passed."""
    if not report.packs:
        return "No compliance packs are on for this workspace (Settings turns them on)."
    packs = ", ".join(PACK_TITLES.get(p, p) for p in report.packs)
    counts = _counts({str(status): n for status, n in report.summary.items()})
    graphs = len({g.graph_id for g in report.graphs})
    return f"{packs} over {graphs} graph(s): {counts}"


def audit_line(audit: AuditStatus) -> str:
    if audit.intact:
        return (
            f"Audit trail intact: {audit.events} event(s), hash chain verified through event"
            f" {audit.verified_through} (head {audit.head_hash[:16]})."
        )
    where = "; ".join(
        (f"event {p.seq}: " if p.seq is not None else "") + p.problem for p in audit.problems
    )
    return f"Audit trail BROKEN: {where}"
