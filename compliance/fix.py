"""Apply the mechanical remedies one at a time, re-checking after each, until none is left.

Re-checking matters: one redaction node before an LLM can satisfy both the HIPAA and the GDPR
rule, and applying both patches blindly would stack two.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, Field

from compliance.check import Report, check_graph
from compliance.names import PackName
from compliance.patch import GraphPatch, apply_patch
from compliance.rules import Context
from nodes.registry import Registry
from runtime.core.diff import GraphDiff, diff_graphs
from runtime.core.graph import Graph

MAX_FIXES = 50


class AppliedFix(BaseModel):
    rule: str
    node: str | None
    patch: GraphPatch


class Fixed(BaseModel):
    """The patched graph, the patches in order, the diff to preview, and what still fails."""

    graph: Graph
    applied: list[AppliedFix] = Field(default_factory=list)
    diff: GraphDiff
    remaining: Report


def fix_graph(
    graph: Graph,
    packs: Iterable[PackName],
    context: Context | None = None,
    registry: Registry | None = None,
    rules: Iterable[str] | None = None,
) -> Fixed:
    """Fix what can be fixed (only ``rules``, if given); report what cannot."""
    chosen = list(packs)
    only = set(rules) if rules is not None else None
    current = graph
    applied: list[AppliedFix] = []
    report = check_graph(current, chosen, context, registry)
    for _ in range(MAX_FIXES):
        finding = next(
            (f for f in report.findings if f.fix is not None and (only is None or f.rule in only)),
            None,
        )
        if finding is None or finding.fix is None:
            break
        current = apply_patch(current, finding.fix)
        applied.append(AppliedFix(rule=finding.rule, node=finding.node, patch=finding.fix))
        report = check_graph(current, chosen, context, registry)
    return Fixed(graph=current, applied=applied, diff=diff_graphs(graph, current), remaining=report)
