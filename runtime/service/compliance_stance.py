"""The tenant's compliance stance, and the checks of a graph against it.

The stance is the packs in force, what the tenant has signed (BAAs, DPAs, regions) and each
graph's waivers; the checks are a graph's report, its diagnostics, and the refusal that the
deploy gate (``runtime.service.gate``) raises for a violation.

The packs themselves are imported on first use: they bring NetworkX and the node registry,
which a Lambda serving only deployed endpoints never needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, Protocol

from compliance.names import PackName
from runtime.core.diagnostics import Diagnostic
from runtime.core.graph import Graph
from runtime.service.errors import ApiError
from runtime.store.slices import GraphStore, SettingsStore, WaiverStore

PackRequest = PackName | Literal["tenant"]
"""A pack for ``?packs=``: a pack's name, or ``tenant`` for the workspace's own."""

if TYPE_CHECKING:
    from compliance.check import Report
    from compliance.rules import Context
    from compliance.stance import Stance  # cold start: see the module docstring


class ComplianceStore(SettingsStore, WaiverStore, Protocol):
    """What a graph is checked against: the tenant's packs and context, and its waivers."""


def stance(settings: SettingsStore) -> tuple[tuple[PackName, ...], Context]:
    """The packs in force for the tenant and what it has signed (BAAs, DPAs, regions)."""
    from compliance.rules import Context  # cold start: see the module docstring

    current = settings.get_settings()
    context = Context.model_validate(
        {**current.model_dump(), "llm_providers": current.ai.allowed_providers}
    )
    return settings.compliance_packs(current), context


def waivers_of(waivers: WaiverStore, graph_id: str) -> dict[str, str]:
    """The graph's waivers as rule id to the admin's reason (what ``check_graph`` takes)."""
    return {w.rule_id: w.reason for w in waivers.list_waivers(graph_id)}


def stance_for(checks: ComplianceStore, graphs: GraphStore, graph_id: str | None = None) -> Stance:
    """Everything ``report_for`` checks a graph against, for the builder to check it itself.

    With ``graph_id``, that graph's waivers: a graph the tenant does not have is a 404, as
    for its waiver list (``NotFound``), never another tenant's.
    """
    from compliance.stance import Stance  # cold start: see the module docstring

    packs, context = stance(checks)
    waivers: dict[str, str] = {}
    if graph_id is not None:
        graphs.get_graph(graph_id)
        waivers = waivers_of(checks, graph_id)
    return Stance(packs=list(packs), context=context, waivers=waivers)


def report_for(
    checks: ComplianceStore, graph: Graph, packs: list[PackName] | None = None
) -> Report:
    """Check ``graph`` with the tenant's packs (or ``packs``), counting its waivers."""
    from compliance.check import Report, check_graph  # cold start: the packs bring NetworkX

    tenant_packs, context = stance(checks)
    chosen = tenant_packs if packs is None else packs
    if not chosen:  # nothing to check: skip the analysis
        return Report(graph_id=graph.id, packs=[], rules=[])
    return check_graph(graph, chosen, context, waivers=waivers_of(checks, graph.id))


def pack_diagnostics(
    checks: ComplianceStore, graph: Graph, packs: list[PackRequest]
) -> list[Diagnostic]:
    """The findings of ``packs`` (``tenant``: the workspace's own) as diagnostics, or none."""
    if not packs:
        return []
    from compliance.check import diagnostics  # cold start: the packs bring NetworkX

    chosen: list[PackName] = [p for p in packs if p != "tenant"]
    if "tenant" in packs:
        chosen = [*checks.compliance_packs(), *chosen]
    return diagnostics(report_for(checks, graph, list(dict.fromkeys(chosen))))


def refuse_violations(report: Report) -> None:
    """Deploying a graph with an unwaived violation is a 422 naming each rule and node."""
    from compliance.check import diagnostics  # cold start: the packs bring NetworkX

    findings = report.findings
    if not findings:
        return
    first = findings[0]
    where = f" at node {first.node!r}" if first.node else ""
    more = f" (and {len(findings) - 1} more)" if len(findings) > 1 else ""
    raise ApiError(
        422,
        "compliance_violation",
        f"{first.rule}{where}: {first.message}{more}",
        diagnostics=[d.model_dump(exclude_defaults=True) for d in diagnostics(report)],
        rules=sorted({f.rule for f in findings}),
    )
