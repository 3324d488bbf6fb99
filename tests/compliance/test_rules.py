"""Every rule against its fixtures: violators name the right node, passing graphs pass, and
auto-fix turns each fixable violator into a graph that passes and still validates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from compliance.check import check_graph, diagnostics
from compliance.fix import fix_graph
from compliance.names import PackName
from compliance.packs import RULES
from compliance.rules import Context
from runtime.core.graph import Graph
from runtime.core.load import load_graph_file
from runtime.engine.validate import validate
from tests.compliance.standins import registry

FIXTURES = sorted((Path(__file__).parent.parent / "fixtures/graphs/compliance").glob("*.json"))
REGISTRY = registry()


def _spec(graph: Graph) -> dict[str, Any]:
    spec: dict[str, Any] = graph.metadata["compliance"]
    return spec


def _check(graph: Graph) -> Any:
    spec = _spec(graph)
    return check_graph(graph, spec["packs"], Context(**spec["context"]), REGISTRY)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name.removesuffix(".graph.json"))
def test_fixture_is_a_valid_graph_with_the_expected_findings(path: Path) -> None:
    graph = load_graph_file(path)
    assert [d for d in validate(graph, REGISTRY) if d.severity == "error"] == []
    report = _check(graph)
    found = [{"rule": f.rule, "node": f.node} for f in report.findings]
    assert found == _spec(graph)["expect"]
    assert report.ok == (not found)


def test_every_rule_has_a_violating_and_a_passing_fixture() -> None:
    violated = set()
    passing_packs = set()
    for path in FIXTURES:
        spec = _spec(load_graph_file(path))
        violated |= {e["rule"] for e in spec["expect"]}
        if not spec["expect"]:
            passing_packs.add(path.name.split(".")[0])
    assert violated == set(RULES)
    assert {p.name.split(".")[0] for p in FIXTURES} == passing_packs


@pytest.mark.parametrize(
    "path",
    [p for p in FIXTURES if _spec(load_graph_file(p))["fixable"]],
    ids=lambda p: p.name.removesuffix(".graph.json"),
)
def test_auto_fix_turns_the_violator_into_a_passing_valid_graph(path: Path) -> None:
    graph = load_graph_file(path)
    spec = _spec(graph)
    fixed = fix_graph(graph, spec["packs"], Context(**spec["context"]), REGISTRY)
    assert fixed.applied, "a fixable violator gets at least one patch"
    assert fixed.remaining.ok, fixed.remaining.findings
    assert [d for d in validate(fixed.graph, REGISTRY) if d.severity == "error"] == []
    assert not fixed.diff.empty
    assert graph == load_graph_file(path), "the input graph is not modified"


def test_the_llm_finding_names_the_path_edge_and_remedy() -> None:
    graph = load_graph_file(FIXTURES[0].parent / "hipaa-llm-baa.violates.graph.json")
    (finding,) = _check(graph).findings
    assert finding.nodes == ("hook", "summary")
    assert finding.edge == "hook.out->summary.in"
    assert "Redact" in finding.remediation
    (diag,) = diagnostics(_check(graph))
    assert diag.code == "compliance.HIPAA-PHI-LLM-BAA"
    assert diag.node == "summary"


def test_fix_inserts_a_redaction_node_that_masks_the_phi_fields() -> None:
    graph = load_graph_file(FIXTURES[0].parent / "hipaa-llm-baa.violates.graph.json")
    fixed = fix_graph(graph, ["hipaa"], Context(), REGISTRY)
    added = [n for n in fixed.graph.nodes if n.type == "compliance.redact"]
    assert len(added) == 1
    assert added[0].config["fields"] == [
        "body.patient.dob",
        "body.patient.name",
        "body.visit.reason",
    ]
    assert [c.model_dump() for c in fixed.diff.nodes] == [
        {"node": added[0].id, "change": "added", "fields": []}
    ]
    assert {e.change for e in fixed.diff.edges} == {"added", "removed"}


def test_one_redaction_satisfies_hipaa_and_gdpr_together() -> None:
    graph = load_graph_file(FIXTURES[0].parent / "hipaa-llm-baa.violates.graph.json")
    fixed = fix_graph(graph, ["hipaa", "gdpr"], Context(), REGISTRY)
    assert fixed.remaining.ok
    assert len([n for n in fixed.graph.nodes if n.type == "compliance.redact"]) == 1


WAITING = {
    "GDPR-PII-RETENTION",
    "HIPAA-PHI-PERSIST-ENCRYPTED",
    "PCI-PAN-MASKED",
    "PCI-PAN-STORED-PROTECTED",
}
"""Rules over nodes that store or log data, which no product node type does yet."""


def test_a_rule_no_product_node_can_break_waits_rather_than_passes() -> None:
    graph = load_graph_file(FIXTURES[0])
    packs: list[PackName] = ["hipaa", "pci", "gdpr", "soc2"]
    report = check_graph(graph, packs)  # the product's own node types
    waiting = {r.rule for r in report.rules if r.status == "waiting"}
    assert waiting == WAITING
    assert all(not r.findings for r in report.rules if r.status == "waiting")
    # With node types that store and log (the test stand-ins), the same rules are checked.
    checked = check_graph(graph, packs, registry=REGISTRY)
    assert not [r.rule for r in checked.rules if r.status == "waiting"]
