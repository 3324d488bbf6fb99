"""Run history with per-node traces."""

from __future__ import annotations

from fastapi import APIRouter, Query

from runtime.service.deps import Viewer
from runtime.store import RunRecord, RunStatus

router = APIRouter(prefix="/runs", tags=["runs"])


@router.get("")
def list_runs(
    auth: Viewer,
    graph_id: str | None = Query(None, max_length=64),
    status: RunStatus | None = None,
    limit: int = Query(50, ge=1, le=500),
) -> list[RunRecord]:
    return auth[1].list_runs(graph_id=graph_id, status=status, limit=limit)


@router.get("/{run_id}")
def get_run(run_id: str, auth: Viewer) -> RunRecord:
    return auth[1].get_run(run_id)
