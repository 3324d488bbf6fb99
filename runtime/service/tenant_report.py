"""The tenant's compliance report: what an auditor asks for, in one document.

A graph's report (``report_for``) says which rules one version passes, fails or has waived.
The tenant's report gathers those for every graph's head and every version that is deployed
(what runs is what matters, and it may be older than the head), and adds what only the tenant
as a whole can say: whether each deployment was approved by a second person for exactly the
bundle it runs (SOC2 change control, checked again here because the packs can be turned on
after a deploy), and whether the audit trail's hash chain is intact.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Protocol

from compliance.check import Report, RuleStatus, check_graph
from runtime.core.clock import utc_now
from runtime.core.errors import CompileError
from runtime.service.approvals import RULE as APPROVAL_RULE
from runtime.service.approvals import approval_state
from runtime.service.compliance_stance import stance, waivers_of
from runtime.service.report_schemas import AuditStatus, DeploymentCheck, TenantReport, VersionReport
from runtime.service.state import ServiceState, VersionStore
from runtime.store import Deployment
from runtime.store.slices import ApprovalStore, AuditStore, DeploymentStore, WaiverStore

STATUS_RANK: dict[RuleStatus, int] = {"failed": 0, "waived": 1, "passed": 2, "waiting": 3}
"""Worst first; a graph whose rules all wait for node types reads ``waiting``, not passed."""


class ApprovedStore(VersionStore, ApprovalStore, Protocol):
    """A deployed version to compile, and the approval its bundle is compared with."""


class ReportStore(ApprovedStore, DeploymentStore, WaiverStore, AuditStore, Protocol):
    """Everything the report reads: settings, graphs, deployments, waivers, approvals, audit."""


def _worst(report: Report) -> RuleStatus:
    statuses = [r.status for r in report.rules] or ["passed"]
    return min(statuses, key=STATUS_RANK.__getitem__)


def _approval(
    state: ServiceState, store: ApprovedStore, deployment: Deployment, soc2: bool
) -> DeploymentCheck:
    common = {
        "slug": deployment.slug,
        "graph_id": deployment.graph_id,
        "version": deployment.version,
        "deployed_by": deployment.deployed_by,
        "deployed_at": deployment.deployed_at,
    }
    if not soc2:
        return DeploymentCheck(
            **common, status="not_required", message="the SOC2 pack is off for this workspace"
        )
    graph_id, version = deployment.graph_id, deployment.version
    try:
        checked = approval_state(
            store, graph_id, version, lambda: state.executor(store, graph_id, version).plan
        )
    except CompileError as exc:  # a node type it uses is gone, say: nothing to compare
        message = f"{APPROVAL_RULE}: {graph_id!r} v{version} no longer compiles ({exc})"
        return DeploymentCheck(**common, status="failed", message=message[:500])
    approved_by = checked.approval.approved_by if checked.approval else None
    if checked.code:
        return DeploymentCheck(
            **common, status="failed", approved_by=approved_by, message=checked.message
        )
    return DeploymentCheck(
        **common,
        status="passed",
        approved_by=approved_by,
        message=f"approved by {approved_by}, bundle unchanged since",
    )


def tenant_report(
    state: ServiceState, store: ReportStore, *, full_check: bool = False
) -> TenantReport:
    """Blocking: reads every graph head, deployed version and approval.

    Of the audit trail, only the events added since the last intact check (all of them with
    ``full_check``).
    """
    packs, context = stance(store)
    deployments = store.list_deployments()
    serving: dict[tuple[str, int], list[str]] = defaultdict(list)
    for deployment in deployments:
        serving[(deployment.graph_id, deployment.version)].append(deployment.slug)
    heads = {h.graph_id: h for h in store.list_graphs()}
    wanted = {(g, h.version) for g, h in heads.items()} | set(serving)
    graphs: list[VersionReport] = []
    for graph_id, version in sorted(wanted):
        stored = store.get_graph(graph_id, version)
        if packs:
            report = check_graph(stored.graph, packs, context, waivers=waivers_of(store, graph_id))
        else:
            report = Report(graph_id=graph_id, packs=[], rules=[])
        head = heads.get(graph_id)
        graphs.append(
            VersionReport(
                graph_id=graph_id,
                name=stored.graph.name,
                version=version,
                head=head is not None and head.version == version,
                deployments=sorted(serving.get((graph_id, version), [])),
                status=_worst(report),
                report=report,
            )
        )
    checks = [_approval(state, store, d, "soc2" in packs) for d in deployments]
    summary: dict[RuleStatus, int] = dict.fromkeys(STATUS_RANK, 0)
    for entry in graphs:
        for rule in entry.report.rules:
            summary[rule.status] += 1
    for check in checks:
        if check.status != "not_required":
            summary[check.status] += 1
    chain = store.verify_audit(incremental=not full_check)
    audit = AuditStatus(
        events=chain.events,
        intact=chain.ok,
        head_hash=chain.head_hash,
        problems=chain.problems,
        verified_through=chain.verified_through if chain.ok else 0,
        checked_from=chain.checked_from,
    )
    return TenantReport(
        tenant_id=store.tenant_id,
        generated_at=utc_now(),
        packs=list(packs),
        summary=summary,
        graphs=graphs,
        deployments=checks,
        audit=audit,
    )
