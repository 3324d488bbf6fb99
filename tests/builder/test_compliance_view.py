"""The compliance report as rows, and compliance findings joining the canvas's problems."""

from __future__ import annotations

from typing import Any

from builder.canvas import flow
from builder.canvas.diagnosis import diagnose
from builder.state.compliance_packs import chosen_packs, ticked
from builder.views.compliance_view import (
    audit_line,
    deployment_row,
    rule_rows,
    summary,
    tenant_summary,
    version_rows,
)
from compliance.check import Report, RuleResult
from compliance.rules import Finding
from runtime.core.diagnostics import error
from runtime.core.graph import Graph, Node
from runtime.service.report_schemas import AuditStatus, DeploymentCheck, TenantReport, VersionReport
from runtime.store import TenantSettings
from runtime.store.chain import ChainProblem


def _finding(rule: str, node: str) -> Finding:
    return Finding(
        rule=rule,
        framework="HIPAA",
        message=f"PHI reaches {node}",
        node=node,
        nodes=("intake", node),
        remediation="Redact first.",
    )


def test_rows_put_failures_first_and_keep_the_waivers_reason() -> None:
    report = Report(
        graph_id="g",
        packs=["hipaa", "gdpr"],
        rules=[
            RuleResult(rule="A", framework="HIPAA", title="a", status="passed"),
            RuleResult(
                rule="B",
                framework="HIPAA",
                title="b",
                status="waived",
                findings=[_finding("B", "x")],
                waiver="Signed BAA on file",
            ),
            RuleResult(
                rule="C",
                framework="GDPR",
                title="c",
                status="failed",
                findings=[_finding("C", "y")],
            ),
        ],
    )
    rows = rule_rows(report)
    assert [(r.rule, r.status) for r in rows] == [("C", "failed"), ("B", "waived"), ("A", "passed")]
    (finding,) = rows[0].findings
    assert (finding.node, finding.path, finding.remediation) == ("y", "intake → y", "Redact first.")
    assert rows[1].waiver == "Signed BAA on file"
    assert summary(report) == "HIPAA, GDPR: 1 failed, 1 waived, 1 passed"
    assert "Settings" in summary(Report(graph_id="g", packs=[], rules=[]))


def test_compliance_findings_join_the_problems_while_their_node_is_on_the_canvas() -> None:
    graph = Graph(
        name="g",
        nodes=[
            Node(id="in", type="trigger.manual"),
            Node(id="out", type="transform.set", config={"values": {}}),
        ],
        edges=[],
    )
    nodes, edges = flow.graph_to_flow(graph)
    found = error("compliance.HIPAA-X", "PHI reaches out", node="out", hint="Redact first.")
    gone = error("compliance.HIPAA-Y", "PHI reaches gone", node="gone")
    nodes, _, problems = diagnose(nodes, edges, extra=[found, gone])
    mine = [p for p in problems if p["rule"]]
    assert mine == [
        {
            "severity": "error",
            "node": "out",
            "title": mine[0]["title"],
            "message": "PHI reaches out",
            "hint": "Redact first.",
            "rule": "HIPAA-X",
        }
    ]
    assert all(p["rule"] == "" for p in problems if p is not mine[0])
    out = next(n for n in nodes if n["id"] == "out")
    assert out["data"]["status"] == "error"


def test_chosen_packs_are_in_canonical_order() -> None:
    assert chosen_packs({"soc2": True, "hipaa": True, "pci": False}) == ["hipaa", "soc2"]
    assert chosen_packs({}) == []


def test_the_preset_ticks_the_packs_it_puts_in_force() -> None:
    """Issue 14.7: with the preset on, every box was unticked although PCI and GDPR applied."""
    preset = TenantSettings()
    assert preset.compliance_packs is None
    assert ticked(preset, "automotive") == {
        "hipaa": False,
        "pci": True,
        "gdpr": True,
        "soc2": False,
    }
    assert ticked(preset, "general") == dict.fromkeys(("hipaa", "pci", "gdpr", "soc2"), False)
    chosen = TenantSettings(compliance_packs=["hipaa"])
    assert ticked(chosen, "automotive") == {
        "hipaa": True,
        "pci": False,
        "gdpr": False,
        "soc2": False,
    }


def _version(graph_id: str, version: int, statuses: list[str], **kw: Any) -> VersionReport:
    rules = [
        RuleResult(
            rule=f"R{i}",
            framework="HIPAA",
            title=f"rule {i}",
            status=s,
            findings=[] if s == "passed" else [_finding(f"R{i}", "summary")],
        )
        for i, s in enumerate(statuses)
    ]
    worst = min(statuses, key=["failed", "waived", "passed"].index)
    return VersionReport(
        graph_id=graph_id,
        name=graph_id.title(),
        version=version,
        report=Report(graph_id=graph_id, packs=["hipaa", "soc2"], rules=rules),
        status=worst,
        **kw,
    )


def test_the_workspace_report_reads_failures_first_with_what_runs_where() -> None:
    report = TenantReport(
        tenant_id="acme",
        generated_at="2026-12-04T17:00:00+00:00",
        packs=["hipaa", "soc2"],
        summary={"failed": 2, "waived": 0, "passed": 3},
        graphs=[
            _version("intake", 2, ["passed", "passed"], head=False, deployments=["intake", "b"]),
            _version("intake", 3, ["failed", "passed"], head=True),
        ],
        deployments=[
            DeploymentCheck(
                slug="intake",
                graph_id="intake",
                version=2,
                deployed_by="user:ann@example.com",
                deployed_at="2026-12-04T16:59:00.123+00:00",
                status="failed",
                message="SOC2-DEPLOY-APPROVAL: approval of 'intake' v2 was never asked for",
            )
        ],
        audit=AuditStatus(events=12, intact=True, head_hash="ab" * 32),
    )
    first, second = version_rows(report)
    assert (first.version, first.status, first.role) == (3, "failed", "head")
    assert [r.rule for r in first.rules] == ["R0"]  # passed rules are left to the counts
    assert first.rules[0].findings[0].node == "summary"
    assert first.counts == "1 failed, 0 waived, 1 passed"
    assert (second.version, second.role, second.rules) == (2, "deployed at /intake, /b", [])
    (deployed,) = [deployment_row(d) for d in report.deployments]
    assert deployed.deployed == "user:ann@example.com, 2026-12-04 16:59"
    assert deployed.status == "failed"
    assert "never asked for" in deployed.message
    assert tenant_summary(report) == "HIPAA, SOC2 over 1 graph(s): 2 failed, 0 waived, 3 passed"
    assert audit_line(report.audit).startswith("Audit trail intact: 12 event(s)")
    broken = AuditStatus(
        events=12,
        intact=False,
        head_hash="",
        problems=[ChainProblem(seq=3, problem="edited (hash does not match)")],
    )
    assert audit_line(broken) == "Audit trail BROKEN: event 3: edited (hash does not match)"
