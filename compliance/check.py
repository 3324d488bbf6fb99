"""Run the chosen packs over a graph: findings, their diagnostics, and what was checked."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, Field

from compliance.flow import Flow, compute
from compliance.names import PackName
from compliance.packs import PACKS
from compliance.rules import Context, Finding
from nodes.base import Capability
from nodes.registry import Registry, default_registry
from runtime.core.diagnostics import Diagnostic, error
from runtime.core.graph import Graph
from runtime.engine.validate import Analysis, analyze

RuleStatus = Literal["passed", "failed", "waived", "waiting"]
"""``waiting``: no node type can break the rule yet (see ``Rule.needs``); it is not a pass."""


class RuleResult(BaseModel):
    rule: str
    framework: str
    title: str
    status: RuleStatus
    findings: list[Finding] = Field(default_factory=list)
    waiver: str | None = None
    """The admin's reason, when the rule is waived for this graph."""


class Report(BaseModel):
    """Per graph: each rule of each chosen pack (passed, failed, waived, waiting), with evidence."""

    graph_id: str
    packs: list[PackName]
    rules: list[RuleResult]

    @property
    def findings(self) -> list[Finding]:
        return [f for r in self.rules if r.status == "failed" for f in r.findings]

    @property
    def ok(self) -> bool:
        return all(r.status != "failed" for r in self.rules)


def declared_capabilities(registry: Registry) -> frozenset[Capability]:
    """What the registered node types (every version) can do: the sinks a rule can see."""
    return frozenset(
        capability
        for latest in registry.latest()
        for version in registry.versions(latest.type)
        for capability in getattr(registry.get(latest.type, version), "capabilities", ())
    )


def check_flow(
    flow: Flow,
    packs: Iterable[PackName],
    context: Context | None = None,
    waivers: dict[str, str] | None = None,
    registry: Registry | None = None,
) -> Report:
    ctx = context or Context()
    waived = waivers or {}
    chosen = list(dict.fromkeys(packs))
    available = declared_capabilities(registry or default_registry())
    results: list[RuleResult] = []
    for pack in chosen:
        for rule in PACKS[pack]:
            if rule.needs and available.isdisjoint(rule.needs):
                results.append(
                    RuleResult(
                        rule=rule.id, framework=rule.framework, title=rule.title, status="waiting"
                    )
                )
                continue
            findings = rule.check(rule, flow, ctx)
            status: RuleStatus = "passed"
            if findings:
                status = "waived" if rule.id in waived else "failed"
            results.append(
                RuleResult(
                    rule=rule.id,
                    framework=rule.framework,
                    title=rule.title,
                    status=status,
                    findings=findings,
                    waiver=waived.get(rule.id) if findings else None,
                )
            )
    return Report(graph_id=flow.graph.id, packs=chosen, rules=results)


def check_analysis(
    analysis: Analysis,
    packs: Iterable[PackName],
    context: Context | None = None,
    waivers: dict[str, str] | None = None,
    registry: Registry | None = None,
) -> Report:
    return check_flow(compute(analysis), packs, context, waivers, registry)


def check_graph(
    graph: Graph,
    packs: Iterable[PackName],
    context: Context | None = None,
    registry: Registry | None = None,
    waivers: dict[str, str] | None = None,
) -> Report:
    return check_analysis(analyze(graph, registry), packs, context, waivers, registry)


def diagnostic(finding: Finding) -> Diagnostic:
    """A finding as the validator's diagnostic, so it is pinned on the node on the canvas."""
    return error(
        f"compliance.{finding.rule}",
        finding.message,
        node=finding.node,
        edge=finding.edge,
        nodes=finding.nodes,
        hint=finding.remediation,
    )


def diagnostics(report: Report) -> list[Diagnostic]:
    return [diagnostic(f) for f in report.findings]
