"""Deployments: a slug serves one graph version; deploy and rollback pass the deploy gate first."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from runtime.service.audit import audited
from runtime.service.deps import (
    AuditTrail,
    Deployments,
    Editor,
    Gated,
    GoingLive,
    State,
    Viewer,
)
from runtime.service.gate import go_live, pass_gate
from runtime.service.schedule_aws import unschedule_on_eventbridge
from runtime.service.schemas import DeploymentView
from runtime.service.state import ServiceState
from runtime.service.workflow_choice import Override, choose
from runtime.store import Deployment
from runtime.store.slices import DeploymentStore

router = APIRouter(prefix="/deployments", tags=["deployments"])

SLUG = r"^[a-z0-9][a-z0-9-]{0,62}$"


class Deploy(BaseModel):
    slug: str = Field(pattern=SLUG, description="The endpoint becomes /t/<tenant>/<slug>.")
    graph_id: str = Field(min_length=1, max_length=64)
    version: int | None = Field(default=None, ge=1, description="Default: the latest version.")
    workflow_type: Override | None = Field(
        default=None,
        description="Run as this Step Functions workflow instead of the compiler's choice;"
        " Express is refused (422) for a graph that needs Standard.",
    )


class Rollback(BaseModel):
    version: int = Field(ge=1)
    workflow_type: Override | None = None


def _view(state: State, tenant_id: str, deployment: Deployment) -> DeploymentView:
    url = f"{state.config.public_base_url}/t/{tenant_id}/{deployment.slug}"
    curl = (
        f'curl -s -X POST {url} -H "X-API-Key: $AUTERITY_API_KEY"'
        " -H 'content-type: application/json' -d '{}'"
    )
    return DeploymentView(deployment=deployment, url=url, curl=curl)


@router.get("")
def list_deployments(auth: Viewer, state: State, deployments: Deployments) -> list[DeploymentView]:
    return [_view(state, deployments.tenant_id, d) for d in deployments.list_deployments()]


@router.get("/{slug}")
def get_deployment(
    slug: str, auth: Viewer, state: State, deployments: Deployments
) -> DeploymentView:
    return _view(state, deployments.tenant_id, deployments.get_deployment(slug))


@router.post("", status_code=status.HTTP_201_CREATED)
async def deploy(
    body: Deploy, auth: Editor, state: State, gated: Gated, live: GoingLive
) -> DeploymentView:
    # The gate refuses an invalid graph, a compliance finding or a missing SOC2 approval with
    # a 422 before anything is written.
    passed = await run_in_threadpool(pass_gate, gated, body.graph_id, body.version)
    workflow = choose(passed, body.workflow_type)  # a 422 before anything ships
    deployment, endpoint = await run_in_threadpool(
        go_live, state, auth[0], live, "deployment.deploy", body.slug, passed, workflow
    )
    view = _view(state, live.tenant_id, deployment)
    view.aws = endpoint
    return view


@router.post("/{slug}/rollback")
async def rollback(
    slug: str, body: Rollback, auth: Editor, state: State, gated: Gated, live: GoingLive
) -> DeploymentView:
    """A rollback deploys an older version: the same gate holds (issue 13)."""
    current = await run_in_threadpool(live.get_deployment, slug)
    passed = await run_in_threadpool(pass_gate, gated, current.graph_id, body.version)
    # Checked before the function ships (AWS mode), so a refused target changes nothing.
    await run_in_threadpool(live.rollback_target, slug, body.version)
    workflow = choose(passed, body.workflow_type)
    deployment, endpoint = await run_in_threadpool(
        go_live, state, auth[0], live, "deployment.rollback", slug, passed, workflow
    )
    view = _view(state, live.tenant_id, deployment)
    view.aws = endpoint
    return view


def take_down(state: ServiceState, deployments: DeploymentStore, slug: str) -> None:
    """Stop serving ``slug``: the store's deployment, then (AWS mode) its function and route."""
    deployments.undeploy(slug)
    unschedule_on_eventbridge(state, deployments.tenant_id, slug)
    if state.aws is not None:
        state.aws.undeploy(deployments.tenant_id, slug)


@router.delete("/{slug}", status_code=status.HTTP_204_NO_CONTENT)
def undeploy(
    slug: str, auth: Editor, state: State, deployments: Deployments, trail: AuditTrail
) -> Response:
    down = partial(take_down, state, deployments, slug)
    try:
        audited(auth[0], trail, "deployment.undeploy", slug, down)
    finally:
        state.lookups.forget(deployments.tenant_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
