"""Run history with per-node traces."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from runtime.core.graph import Graph
from runtime.core.pins import rerun_pins
from runtime.service.deps import Answering, Editor, Resuming, RunRecording, Runs, State, Viewer
from runtime.service.durable.resume import cancel, resume
from runtime.service.errors import ApiError
from runtime.service.graph_views import with_secrets
from runtime.service.run_recording import execute_and_record, prepare_draft
from runtime.store import NotFound, RunRecord, RunStatus, Wait
from runtime.store.errors import Conflict
from runtime.store.run_records import REDRIVABLE

router = APIRouter(prefix="/runs", tags=["runs"])

Outputs = dict[str, Any]


class DraftRun(BaseModel):
    """A test run of the graph as it is on the canvas, saved or not."""

    graph: Graph
    input: Any = None
    pins: dict[str, Outputs] = Field(
        default_factory=dict,
        description="Node id -> outputs (port -> value) used instead of running the node.",
    )
    rerun_from: str | None = Field(
        default=None,
        description=(
            "Re-run from this node: every node outside its downstream is pinned to its"
            " outputs in previous_run_id (explicit pins win)."
        ),
    )
    previous_run_id: str | None = Field(default=None, max_length=64)


@router.post("", status_code=status.HTTP_201_CREATED)
async def run_draft(
    body: DraftRun, auth: Editor, state: State, recording: RunRecording
) -> RunRecord:
    """Run a graph without saving it: the builder's Run button, with pinned data."""
    principal, _ = auth
    empty = sorted(node for node, outputs in body.pins.items() if not outputs)
    if empty:
        # A pin that fires no port skips everything after it: what a failed node "produced".
        raise ApiError(
            422,
            "invalid",
            f"pins.{empty[0]}: no output to pin (did its last run fail? run it until it"
            " succeeds, then pin it)",
        )
    graph = await run_in_threadpool(with_secrets, recording, body.graph, body.graph.id)
    pins = dict(body.pins)
    if body.rerun_from is not None:
        if body.previous_run_id is None:
            raise ApiError(422, "invalid", "rerun_from needs previous_run_id")
        try:
            previous = await run_in_threadpool(recording.get_run, body.previous_run_id)
        except NotFound:
            raise ApiError(
                404, "not_found", f"previous_run_id: run {body.previous_run_id!r} not found"
            ) from None
        if previous.graph_id != body.graph.id:
            raise ApiError(
                422,
                "invalid",
                f"previous_run_id: run {body.previous_run_id!r} is of graph"
                f" {previous.graph_id!r}, not {body.graph.id!r}",
            )
        try:
            pins = rerun_pins(body.graph, previous.trace, body.rerun_from) | pins
        except KeyError:
            raise ApiError(
                422, "invalid", f"rerun_from: the graph has no node {body.rerun_from!r}"
            ) from None
    unknown = sorted(set(pins) - {node.id for node in body.graph.nodes})
    if unknown:
        raise ApiError(422, "invalid", f"pins: the graph has no node {', '.join(unknown)}")
    prepared = await run_in_threadpool(prepare_draft, state, recording, graph)
    return await execute_and_record(
        state,
        recording,
        graph_id=body.graph.id,
        version=prepared.version,
        event=body.input,
        trigger="manual",
        slug=None,
        actor=principal.actor,
        prepared=prepared,
        pins=pins,
    )


@router.get("")
def list_runs(
    auth: Viewer,
    runs: Runs,
    request: Request,
    response: Response,
    graph_id: str | None = Query(None, max_length=64),
    status: RunStatus | None = None,
    limit: int = Query(50, ge=1, le=500),
    before: str | None = Query(
        None, max_length=128, description="Runs older than this run id: the next page's cursor."
    ),
) -> list[RunRecord]:
    """Newest first. A full page names the next one in a ``Link: <...>; rel="next"`` header."""
    page = runs.list_runs(graph_id=graph_id, status=status, limit=limit, before=before)
    if len(page) == limit:
        following = request.url.include_query_params(before=page[-1].run_id)
        response.headers["Link"] = f'<{following.path}?{following.query}>; rel="next"'
    return page


@router.get("/{run_id}")
def get_run(run_id: str, auth: Viewer, runs: Runs) -> RunRecord:
    return runs.get_run(run_id)


@router.post("/{run_id}/cancel")
async def cancel_run(run_id: str, auth: Editor, state: State, kept: Resuming) -> RunRecord:
    """Stop a queued, running or waiting run, wherever it runs (409 once it ended)."""
    principal, _ = auth
    try:
        return await cancel(state, kept, run_id, by=principal.actor)
    except Conflict as exc:
        raise ApiError(409, "not_running", str(exc)) from None


@router.post("/{run_id}/redrive")
async def redrive_run(run_id: str, auth: Editor, state: State, kept: Resuming) -> RunRecord:
    """Start a failed run again from its failed step: what finished before is not run again."""
    principal, _ = auth
    record = await run_in_threadpool(kept.get_run, run_id)
    if record.status not in REDRIVABLE:
        raise ApiError(
            409, "not_failed", f"run {run_id!r} is {record.status}; only a failed run is redriven"
        )
    try:
        await run_in_threadpool(kept.get_run_state, run_id)
    except NotFound:
        raise ApiError(
            409,
            "not_durable",
            f"run {run_id!r} kept no checkpoints (no step of it acted on the world before it"
            " failed): run the graph again instead",
        ) from None
    await run_in_threadpool(
        lambda: kept.record_audit(
            actor=principal.actor,
            action="run.redrive",
            target=record.graph_id,
            details={"run_id": run_id},
        )
    )
    redriven = await resume(state, kept, run_id, redrive=True)
    if redriven is None:
        raise ApiError(409, "busy", f"run {run_id!r} is being resumed by another process")
    return redriven


@router.get("/{run_id}/waits")
def list_run_waits(run_id: str, auth: Viewer, waits: Answering) -> list[Wait]:
    """What the run waits for (or waited for): each waiting node and its answer."""
    waits.get_run(run_id)  # 404 for an unknown run or another tenant's
    return waits.list_waits(run_id=run_id, status=None)
