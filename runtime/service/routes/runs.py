"""Run history with per-node traces."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from runtime.core.graph import Graph
from runtime.core.pins import rerun_pins
from runtime.service.deps import Editor, RunRecording, Runs, State, Viewer
from runtime.service.errors import ApiError
from runtime.service.graph_views import with_secrets
from runtime.service.run_recording import execute_and_record, prepare_draft
from runtime.store import NotFound, RunRecord, RunStatus

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
