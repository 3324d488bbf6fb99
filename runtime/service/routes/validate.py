"""Validate a graph that is not saved yet (the builder validates on every edit)."""

from __future__ import annotations

from fastapi import APIRouter

from runtime.graph import Graph
from runtime.service.deps import Viewer
from runtime.service.routes.graphs import Validation, check

router = APIRouter(tags=["graphs"])


@router.post("/validate")
def validate_draft(graph: Graph, auth: Viewer) -> Validation:
    diagnostics = check(graph)
    return Validation(
        valid=not any(d.severity == "error" for d in diagnostics), diagnostics=diagnostics
    )
