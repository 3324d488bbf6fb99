"""Validate a graph that is not saved yet (the builder validates on every edit)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query

from compliance.names import PackName
from runtime.graph import Graph
from runtime.service.deps import Viewer
from runtime.service.routes.graphs import Validation, check

router = APIRouter(tags=["graphs"])


@router.post("/validate")
def validate_draft(
    graph: Graph,
    auth: Viewer,
    packs: list[PackName | Literal["tenant"]] = Query(  # noqa: B008
        default=[],
        description="Also check these compliance packs (`tenant`: the workspace's own).",
    ),
) -> Validation:
    diagnostics = check(graph)
    if packs:
        from compliance.check import diagnostics as compliance_diagnostics
        from runtime.service.compliance import report_for

        chosen: list[PackName] = [p for p in packs if p != "tenant"]
        if "tenant" in packs:
            chosen = [*auth[1].compliance_packs(), *chosen]
        report = report_for(auth[1], graph, chosen)
        diagnostics += compliance_diagnostics(report)
    return Validation(
        valid=not any(d.severity == "error" for d in diagnostics), diagnostics=diagnostics
    )
