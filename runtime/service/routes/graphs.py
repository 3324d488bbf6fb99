"""Graphs: CRUD with immutable versions, diff, validate, compile and test runs."""

from __future__ import annotations

import hashlib
from typing import Any, Literal

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from runtime.core.diagnostics import Diagnostic
from runtime.core.diff import GraphDiff, diff_graphs
from runtime.core.errors import CompileError
from runtime.core.graph import ID_PATTERN, Graph
from runtime.service.audit import audited
from runtime.service.compliance_stance import PackRequest, pack_diagnostics
from runtime.service.deps import (
    AuditTrail,
    ComplianceChecks,
    Editor,
    Gated,
    Graphs,
    RunRecording,
    State,
    Viewer,
)
from runtime.service.errors import ApiError
from runtime.service.gate import pass_gate
from runtime.service.graph_views import shown, with_secrets
from runtime.service.run_recording import execute_and_record
from runtime.service.schemas import Saved, Validation
from runtime.service.workflow_choice import Override, choose
from runtime.store import (
    DeploymentWorkflow,
    GraphHead,
    GraphVersion,
    GraphVersionInfo,
    RunRecord,
)

router = APIRouter(prefix="/graphs", tags=["graphs"])


def check(graph: Graph) -> list[Diagnostic]:
    """The validator's diagnostics.

    Imported on first use: validation brings NetworkX, which a Lambda that only serves
    endpoints never needs (``bench/lambda_cold_start.py`` counts it).
    """
    from runtime.engine.validate import validate  # cold start: see above

    return validate(graph)


class CreateGraph(BaseModel):
    graph: Graph
    message: str = Field(default="", max_length=1000)
    secrets_from: str | None = Field(
        default=None,
        pattern=ID_PATTERN,
        description="A copy: masked secrets keep this graph's values (its newest version).",
    )


class SaveGraph(BaseModel):
    graph: Graph
    base_version: int = Field(ge=1, description="The version this edit started from.")
    message: str = Field(default="", max_length=1000)


class Compiled(BaseModel):
    graph_id: str
    version: int
    steps: int
    levels: list[list[str]]
    bundle_bytes: int
    bundle_sha256: str


class AslCompiled(BaseModel):
    """``target=asl``: the state machine's definition, its workflow type and why."""

    graph_id: str
    version: int
    target: Literal["asl"] = "asl"
    workflow_type: Literal["EXPRESS", "STANDARD"]
    reasons: list[str]
    distributed_above: dict[str, int] = Field(
        default_factory=dict,
        description="Per top-level for-each: above this many items a Distributed Map runs them.",
    )
    definition: dict[str, Any] = Field(
        description="The Amazon States Language definition; its Tasks invoke ${StepHandler}."
    )


class TestRun(BaseModel):
    input: Any = None
    version: int | None = None


@router.get("")
def list_graphs(auth: Viewer, graphs: Graphs) -> list[GraphHead]:
    return graphs.list_graphs()


@router.post("", status_code=status.HTTP_201_CREATED)
def create_graph(body: CreateGraph, auth: Editor, graphs: Graphs, trail: AuditTrail) -> Saved:
    principal, _ = auth
    graph = with_secrets(graphs, body.graph, body.secrets_from)
    saved = audited(
        principal,
        trail,
        "graph.create",
        body.graph.id,
        lambda: graphs.create_graph(graph, author=principal.actor, message=body.message),
        details={"name": body.graph.name},
    )
    return Saved(version=shown(saved, principal), diagnostics=check(saved.graph))


@router.get("/{graph_id}")
def get_graph(
    graph_id: str, auth: Viewer, graphs: Graphs, version: int | None = Query(None, ge=1)
) -> GraphVersion:
    return shown(graphs.get_graph(graph_id, version), auth[0])


@router.put("/{graph_id}")
def save_graph(
    graph_id: str, body: SaveGraph, auth: Editor, graphs: Graphs, trail: AuditTrail
) -> Saved:
    principal, _ = auth
    if body.graph.id != graph_id:
        raise ApiError(422, "invalid", f"graph.id: {body.graph.id!r} does not match {graph_id!r}")
    graphs.get_graph(graph_id)  # 404 before 409: an unknown id is not a conflict
    graph = with_secrets(graphs, body.graph, graph_id, body.base_version)
    saved = audited(
        principal,
        trail,
        "graph.save",
        graph_id,
        lambda: graphs.save_graph(
            graph, base_version=body.base_version, author=principal.actor, message=body.message
        ),
        details={"base_version": body.base_version},
    )
    return Saved(version=shown(saved, principal), diagnostics=check(saved.graph))


@router.delete("/{graph_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_graph(graph_id: str, auth: Editor, graphs: Graphs, trail: AuditTrail) -> Response:
    audited(auth[0], trail, "graph.delete", graph_id, lambda: graphs.delete_graph(graph_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{graph_id}/versions")
def list_versions(graph_id: str, auth: Viewer, graphs: Graphs) -> list[GraphVersionInfo]:
    graphs.get_graph(graph_id)
    return graphs.list_versions(graph_id)


@router.get("/{graph_id}/versions/{version}")
def get_version(graph_id: str, version: int, auth: Viewer, graphs: Graphs) -> GraphVersion:
    return shown(graphs.get_graph(graph_id, version), auth[0])


@router.get("/{graph_id}/diff")
def diff_versions(
    graph_id: str,
    auth: Viewer,
    graphs: Graphs,
    from_version: int = Query(alias="from", ge=1),
    to_version: int | None = Query(None, alias="to", ge=1),
) -> GraphDiff:
    old = graphs.get_graph(graph_id, from_version)
    new = graphs.get_graph(graph_id, to_version)
    return diff_graphs(old.graph, new.graph)


PACKS_QUERY = Query(
    default=[],
    description="Also check these compliance packs (`tenant`: the workspace's own).",
)


@router.post("/{graph_id}/workflow")
async def preview_workflow(
    graph_id: str,
    auth: Viewer,
    gated: Gated,
    version: int | None = Query(None, ge=1),
    workflow_type: Override | None = None,
) -> DeploymentWorkflow:
    """What deploying this version would run as (Express or Standard), and why.

    The deploy gate and choice a deploy uses, so the same 422s (an override that cannot work
    names ``workflow_type``): the deploy panel shows it before the user deploys.
    """
    passed = await run_in_threadpool(pass_gate, gated, graph_id, version)
    return choose(passed, workflow_type)


@router.post("/{graph_id}/validate")
def validate_stored(
    graph_id: str,
    auth: Viewer,
    graphs: Graphs,
    checks: ComplianceChecks,
    version: int | None = Query(None, ge=1),
    packs: list[PackRequest] = PACKS_QUERY,
) -> Validation:
    graph = graphs.get_graph(graph_id, version).graph
    diagnostics = check(graph) + pack_diagnostics(checks, graph, packs)
    return Validation(
        valid=not any(d.severity == "error" for d in diagnostics), diagnostics=diagnostics
    )


@router.post("/{graph_id}/compile")
def compile_stored(
    graph_id: str,
    auth: Viewer,
    graphs: Graphs,
    version: int | None = Query(None, ge=1),
    target: Literal["bundle", "asl"] = Query(
        "bundle", description="bundle: the Lambda zip. asl: a Step Functions state machine."
    ),
    workflow: Literal["express", "standard"] | None = Query(
        None, alias="type", description="asl: this workflow type instead of the one chosen."
    ),
    exactly_once: bool = Query(
        False, description="asl: every step runs exactly once (an audit trail): Standard."
    ),
) -> Compiled | AslCompiled:
    stored = graphs.get_graph(graph_id, version)
    # cold start: compiling loads NetworkX and every node type
    from runtime.engine.compile import plan_from_analysis
    from runtime.engine.validate import analyze

    analysis = analyze(stored.graph)
    if not analysis.ok:
        raise CompileError(analysis.diagnostics)
    plan = plan_from_analysis(analysis)
    if target == "asl":
        from runtime.engine.asl.machine import compile_asl  # cold start: as above

        machine = compile_asl(plan, workflow=workflow, exactly_once=exactly_once)
        return AslCompiled(
            graph_id=graph_id,
            version=stored.version,
            workflow_type=machine.workflow.type,
            reasons=machine.workflow.reasons,
            distributed_above=machine.distributed_above,
            definition=machine.definition,
        )
    if workflow is not None or exactly_once:
        raise ApiError(422, "invalid", "type and exactly_once apply to target=asl only")
    from runtime.engine.bundle import build_bundle  # cold start: as above

    bundle = build_bundle(plan, stored.graph)
    return Compiled(
        graph_id=graph_id,
        version=stored.version,
        steps=len(plan.steps),
        levels=plan.root.levels,
        bundle_bytes=len(bundle),
        bundle_sha256=hashlib.sha256(bundle).hexdigest(),
    )


@router.post("/{graph_id}/run")
async def test_run(
    graph_id: str, body: TestRun, auth: Editor, state: State, recording: RunRecording
) -> RunRecord:
    """Run a saved version now with sample input, as the builder's Run button does."""
    principal, _ = auth
    return await execute_and_record(
        state,
        recording,
        graph_id=graph_id,
        version=body.version,
        event=body.input,
        trigger="manual",
        slug=None,
        actor=principal.actor,
    )
