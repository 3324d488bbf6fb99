"""Validate a graph that is not saved yet (the builder validates on every edit)."""

from __future__ import annotations

from fastapi import APIRouter

from runtime.core.graph import Graph
from runtime.service.compliance_stance import PackRequest, pack_diagnostics
from runtime.service.deps import ComplianceChecks, Viewer
from runtime.service.routes.graphs import PACKS_QUERY, check
from runtime.service.schemas import Validation

router = APIRouter(tags=["graphs"])


@router.post("/validate")
def validate_draft(
    graph: Graph, auth: Viewer, checks: ComplianceChecks, packs: list[PackRequest] = PACKS_QUERY
) -> Validation:
    diagnostics = check(graph) + pack_diagnostics(checks, graph, packs)
    return Validation(
        valid=not any(d.severity == "error" for d in diagnostics), diagnostics=diagnostics
    )
