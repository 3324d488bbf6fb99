"""A compliance report as the rows the report panel draws: pure functions, no Reflex.

``compliance.check.Report`` lists every rule of the tenant's packs with its status; a row
keeps what a reader needs (framework, title, status, the waiver's reason) and, for a failed
rule, each finding's message, the node(s) at fault and the remediation.
"""

from __future__ import annotations

import dataclasses

from compliance.check import Report, RuleResult
from compliance.rules import Finding

STATUS_ORDER = {"failed": 0, "waived": 1, "passed": 2}
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
    """Failed rules first, then waived, then passed; each group in the packs' order."""
    rows = [rule_row(r) for r in report.rules]
    return sorted(rows, key=lambda r: STATUS_ORDER.get(r.status, 3))


def summary(report: Report) -> str:
    """One line: which packs, and how many rules failed, were waived and passed."""
    if not report.packs:
        return "No compliance packs are on for this workspace (Settings turns them on)."
    packs = ", ".join(PACK_TITLES.get(p, p) for p in report.packs)
    counts = {s: sum(r.status == s for r in report.rules) for s in STATUS_ORDER}
    parts = [
        f"{counts['failed']} failed",
        f"{counts['waived']} waived",
        f"{counts['passed']} passed",
    ]
    return f"{packs}: " + ", ".join(parts)
