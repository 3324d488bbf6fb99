"""Compliance: reports, auto-fix previews and waivers (admins only, audited)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field

from compliance.names import PackName
from runtime.core.graph import Graph
from runtime.service.audit import audited
from runtime.service.compliance_stance import report_for, stance, stance_for
from runtime.service.deps import (
    Admin,
    AuditTrail,
    ComplianceChecks,
    Graphs,
    Settings,
    State,
    Viewer,
    Waivers,
    WholeStore,
)
from runtime.service.errors import ApiError
from runtime.store import Waiver

router = APIRouter(prefix="/compliance", tags=["compliance"])


class FixRequest(BaseModel):
    graph: Graph
    packs: list[PackName] | None = Field(default=None, description="Default: the tenant's.")
    rules: list[str] | None = Field(default=None, description="Fix only these rules.")


class WaiverRequest(BaseModel):
    reason: str = Field(min_length=10, max_length=2000)


@router.get("/stance")
def get_stance(
    auth: Viewer,
    checks: ComplianceChecks,
    graphs: Graphs,
    graph_id: str | None = Query(None, description="Include this graph's waivers."),
) -> Any:
    """The packs, context and waivers the service checks graphs with.

    The builder checks each edit itself with them and the same ``check_graph``
    (``compliance.stance.Stance``), instead of asking the service after every edit.

    Returned as JSON rather than declared as the response model: the model's ``Context``
    brings the packs' imports (NetworkX), which no route loads before it is used.
    """
    return stance_for(checks, graphs, graph_id).model_dump(mode="json")


@router.post("/fix")
def fix(body: FixRequest, auth: Viewer, settings: Settings) -> Any:
    """The graph with every mechanical remedy applied, the patches, and the diff to preview.

    Nothing is saved: the builder shows the diff and saves the graph if the user accepts.
    """
    from compliance.fix import fix_graph  # cold start: the packs bring NetworkX

    packs, context = stance(settings)
    chosen = packs if body.packs is None else body.packs
    return fix_graph(body.graph, chosen, context, rules=body.rules).model_dump(mode="json")


@router.post("/report")
def report_draft(body: FixRequest, auth: Viewer, checks: ComplianceChecks) -> Any:
    """Which rules the graph passes, fails or has waived, with the findings as evidence."""
    return report_for(checks, body.graph, body.packs).model_dump(mode="json")


@router.get("/report")
def report_tenant(
    auth: Viewer,
    state: State,
    store: WholeStore,  # six slices (tenant_report.ReportStore), a module loaded on first use
    full_check: bool = Query(
        False,
        description=(
            "Re-read the whole audit trail (admins only). Without it the chain is checked"
            " from the newest event an earlier check found intact."
        ),
    ),
) -> Any:
    """The whole workspace's compliance, for an auditor.

    Every graph's head and deployed versions rule by rule, each deployment's second-person
    approval (SOC2), and whether the audit chain is intact and up to which event. JSON shaped
    as ``runtime.service.tenant_report.TenantReport`` (returned as a dict for the
    same reason as ``/stance``).
    """
    from runtime.service.tenant_report import tenant_report  # cold start: runs the packs

    principal, _ = auth
    if full_check and not principal.can("admin"):
        raise ApiError(
            403, "forbidden", f"full_check: this needs the admin role; you are {principal.role}"
        )
    return tenant_report(state, store, full_check=full_check).model_dump(mode="json")


@router.get("/report/{graph_id}")
def report_stored(
    graph_id: str,
    auth: Viewer,
    graphs: Graphs,
    checks: ComplianceChecks,
    version: int | None = Query(None, ge=1),
) -> Any:
    graph = graphs.get_graph(graph_id, version).graph
    return report_for(checks, graph).model_dump(mode="json")


@router.get("/waivers/{graph_id}")
def list_waivers(graph_id: str, auth: Viewer, graphs: Graphs, waivers: Waivers) -> list[Waiver]:
    graphs.get_graph(graph_id)  # 404 for a graph the tenant does not have
    return waivers.list_waivers(graph_id)


@router.put("/waivers/{graph_id}/{rule_id}", status_code=status.HTTP_201_CREATED)
def waive(
    graph_id: str,
    rule_id: str,
    body: WaiverRequest,
    auth: Admin,
    graphs: Graphs,
    waivers: Waivers,
    trail: AuditTrail,
) -> Waiver:
    """Let ``graph_id`` deploy despite ``rule_id``; the reason goes into the audit trail."""
    from compliance.packs import RULES  # cold start: the packs bring NetworkX

    if rule_id not in RULES:
        raise ApiError(422, "invalid", f"rule_id: no rule {rule_id!r}")
    principal, _ = auth
    graphs.get_graph(graph_id)
    return audited(
        principal,
        trail,
        "compliance.waive",
        f"{graph_id}/{rule_id}",
        lambda: waivers.add_waiver(graph_id, rule_id, body.reason, by=principal.actor),
        details={"graph_id": graph_id, "rule": rule_id, "reason": body.reason},
    )


@router.delete("/waivers/{graph_id}/{rule_id}", status_code=status.HTTP_204_NO_CONTENT)
def unwaive(
    graph_id: str, rule_id: str, auth: Admin, waivers: Waivers, trail: AuditTrail
) -> Response:
    principal, _ = auth
    audited(
        principal,
        trail,
        "compliance.unwaive",
        f"{graph_id}/{rule_id}",
        lambda: waivers.remove_waiver(graph_id, rule_id),
        details={"graph_id": graph_id, "rule": rule_id},
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
