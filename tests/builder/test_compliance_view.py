"""The compliance report as rows, and compliance findings joining the canvas's problems."""

from __future__ import annotations

from builder import flow
from builder.compliance_view import rule_rows, summary
from builder.problems import diagnose
from builder.state.compliance_packs import chosen_packs
from compliance.check import Report, RuleResult
from compliance.rules import Finding
from runtime.diagnostics import error
from runtime.graph import Graph, Node


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
