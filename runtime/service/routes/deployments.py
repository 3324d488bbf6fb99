"""Deployments: a slug serves one graph version; deploy validates and compiles first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from runtime.service.approvals import require_approval
from runtime.service.audit import audited
from runtime.service.aws_deploy import LambdaEndpoint
from runtime.service.compliance import refuse_violations, report_for, stance
from runtime.service.deps import Editor, State, Viewer
from runtime.store import Deployment

if TYPE_CHECKING:
    from runtime.graph import Graph
    from runtime.plan import Plan
    from runtime.service.state import ServiceState

router = APIRouter(prefix="/deployments", tags=["deployments"])

SLUG = r"^[a-z0-9][a-z0-9-]{0,62}$"


class Deploy(BaseModel):
    slug: str = Field(pattern=SLUG, description="The endpoint becomes /t/<tenant>/<slug>.")
    graph_id: str = Field(min_length=1, max_length=64)
    version: int | None = Field(default=None, ge=1, description="Default: the latest version.")


class Rollback(BaseModel):
    version: int = Field(ge=1)


class DeploymentView(BaseModel):
    deployment: Deployment
    url: str
    curl: str
    aws: LambdaEndpoint | None = None
    """In AWS mode: the function and API Gateway URL serving this deployment."""


def _view(state: State, tenant_id: str, deployment: Deployment) -> DeploymentView:
    url = f"{state.config.public_base_url}/t/{tenant_id}/{deployment.slug}"
    curl = (
        f'curl -s -X POST {url} -H "X-API-Key: $AUTERITY_API_KEY"'
        " -H 'content-type: application/json' -d '{}'"
    )
    return DeploymentView(deployment=deployment, url=url, curl=curl)


def to_lambda(
    state: ServiceState, tenant_id: str, slug: str, plan: Plan, graph: Graph
) -> LambdaEndpoint:
    """AWS mode: the version's bundle as the slug's function (created or updated)."""
    from runtime.bundle import build_bundle  # AWS mode only

    assert state.aws is not None
    bundle = build_bundle(plan, graph)
    public = plan.steps[plan.trigger].config.get("auth") == "public"
    return state.aws.deploy(tenant_id, slug, bundle, public=public)


@router.get("")
def list_deployments(auth: Viewer, state: State) -> list[DeploymentView]:
    store = auth[1]
    return [_view(state, store.tenant_id, d) for d in store.list_deployments()]


@router.get("/{slug}")
def get_deployment(slug: str, auth: Viewer, state: State) -> DeploymentView:
    store = auth[1]
    return _view(state, store.tenant_id, store.get_deployment(slug))


@router.post("", status_code=status.HTTP_201_CREATED)
async def deploy(body: Deploy, auth: Editor, state: State) -> DeploymentView:
    principal, store = auth
    stored = await run_in_threadpool(store.get_graph, body.graph_id, body.version)
    # Compiling refuses an invalid graph with its diagnostics (422) before anything is written.
    executor = await run_in_threadpool(state.executor, store, stored.graph_id, stored.version)
    # So do the tenant's compliance packs, unless an admin waived the rule for this graph.
    report = await run_in_threadpool(report_for, store, stored.graph)
    refuse_violations(report)
    # SOC2: a second person approved exactly this bundle.
    approval = await run_in_threadpool(
        require_approval, store, report.packs, executor.plan, stored.version
    )

    def change() -> tuple[Deployment, LambdaEndpoint | None]:
        endpoint = None
        if state.aws is not None:
            # The function first: if the store write then fails, a retry redeploys the same code.
            endpoint = to_lambda(state, store.tenant_id, body.slug, executor.plan, stored.graph)
        deployment = store.deploy(body.slug, stored.graph_id, stored.version, by=principal.actor)
        return deployment, endpoint

    details: dict[str, object] = {"graph_id": stored.graph_id, "version": stored.version}
    if report.packs:
        details["packs"] = list(report.packs)
        details["waived"] = [r.rule for r in report.rules if r.status == "waived"]
    details.update(approval)
    try:
        deployment, endpoint = await run_in_threadpool(
            audited, auth, "deployment.deploy", body.slug, change, details=details
        )
    finally:
        state.lookups.forget(store.tenant_id)
    view = _view(state, store.tenant_id, deployment)
    view.aws = endpoint
    return view


@router.post("/{slug}/rollback")
async def rollback(slug: str, body: Rollback, auth: Editor, state: State) -> DeploymentView:
    principal, store = auth
    current = await run_in_threadpool(store.get_deployment, slug)
    executor = await run_in_threadpool(state.executor, store, current.graph_id, body.version)
    packs, _ = await run_in_threadpool(stance, store)
    # A rollback deploys an older bundle: with SOC2 on, it too must be the approved one.
    approval = await run_in_threadpool(require_approval, store, packs, executor.plan, body.version)
    details: dict[str, object] = {"graph_id": current.graph_id, "version": body.version}
    details.update(approval)
    try:
        deployment = await run_in_threadpool(
            audited,
            auth,
            "deployment.rollback",
            slug,
            lambda: store.rollback(slug, body.version, by=principal.actor),
            details=details,
        )
    finally:
        state.lookups.forget(store.tenant_id)
    return _view(state, store.tenant_id, deployment)


@router.delete("/{slug}", status_code=status.HTTP_204_NO_CONTENT)
def undeploy(slug: str, auth: Editor, state: State) -> Response:
    store = auth[1]

    def change() -> None:
        store.undeploy(slug)
        if state.aws is not None:
            state.aws.undeploy(store.tenant_id, slug)

    try:
        audited(auth, "deployment.undeploy", slug, change)
    finally:
        state.lookups.forget(store.tenant_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
