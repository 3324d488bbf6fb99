"""The deploy gate, and the one way a version goes live behind it.

Whatever changes what an endpoint runs (deploy, rollback, the redeploys after a GDPR erasure,
an import of deployments, ``make run``'s seeding) calls ``pass_gate``: the version must
compile, pass the tenant's compliance packs (counting the graph's waivers) and, with SOC2 on,
be the bundle a second person approved. Its answer, ``GatePassed``, is the only thing the
store's deployment writes and ``to_lambda`` accept, and nothing else can make one
(``runtime.store.gatepass``). A refusal is deploy's 422, naming the rule and node.

Imported by the routes on first use of the packs (see ``runtime.service.compliance_stance``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, Protocol

from runtime.core.errors import CompileError
from runtime.service.approvals import bundle_hash, require_approval
from runtime.service.audit import audited
from runtime.service.compliance_stance import ComplianceStore, refuse_violations, report_for
from runtime.service.errors import ApiError
from runtime.service.schedule_aws import refuse_unschedulable, schedule_on_eventbridge
from runtime.service.schemas import LambdaEndpoint
from runtime.service.workflow_choice import choose
from runtime.store import Deployment, DeploymentWorkflow, StoreError
from runtime.store.gatepass import GatePassed, GateRefused, claim_issuer
from runtime.store.slices import (
    ApprovalStore,
    AuditStore,
    DeploymentStore,
    GraphStore,
    SettingsStore,
)

if TYPE_CHECKING:
    from runtime.service.auth import Principal
    from runtime.service.state import ServiceState

_issue = claim_issuer()

GoLive = Literal["deployment.deploy", "deployment.rollback"]


class GateStore(GraphStore, ComplianceStore, ApprovalStore, Protocol):
    """What the gate reads: the version, the tenant's packs and waivers, and its approvals."""


class LiveStore(GraphStore, SettingsStore, DeploymentStore, AuditStore, Protocol):
    """What going live touches: the version to compile, the deployment, the audit trail."""


def pass_gate(store: GateStore, graph_id: str, version: int | None = None) -> GatePassed:
    """Check one stored version (default: the latest) against every deploy gate.

    Raises ``NotFound`` for a version the tenant does not have, ``CompileError`` for an invalid
    graph, and ``ApiError`` 422 ``compliance_violation``, ``approval_required`` or
    ``bundle_changed`` naming the rule (and node) that refuses it.
    """
    # cold start: the compiler brings NetworkX; only deploys need it
    from runtime.engine.compile import (
        build_plan,  # the compiler brings NetworkX: management API only
    )

    stored = store.get_graph(graph_id, version)
    plan = build_plan(stored.graph)
    report = report_for(store, stored.graph)
    refuse_violations(report)
    # SOC2: a second person approved exactly this bundle.
    approval = require_approval(store, report.packs, plan, stored.version)
    details: dict[str, Any] = {"graph_id": stored.graph_id, "version": stored.version}
    if report.packs:
        details["packs"] = list(report.packs)
        details["waived"] = [r.rule for r in report.rules if r.status == "waived"]
    details.update(approval)
    return _issue(
        tenant_id=store.tenant_id,
        graph_id=stored.graph_id,
        version=stored.version,
        graph_hash=stored.hash,
        bundle_hash=bundle_hash(plan),
        plan=plan,
        graph=stored.graph,
        details=details,
    )


def gate_of(store: GateStore) -> Callable[[str, int], GatePassed]:
    """``pass_gate`` for callers outside a request (``auterity data import``, ``make run``).

    A refusal is a ``GateRefused`` with deploy's message.
    """

    def gate(graph_id: str, version: int) -> GatePassed:
        try:
            return pass_gate(store, graph_id, version)
        except ApiError as refused:
            raise GateRefused(refused.message) from None
        except (CompileError, StoreError) as refused:
            raise GateRefused(str(refused)) from None

    return gate


def to_lambda(
    state: ServiceState,
    slug: str,
    passed: GatePassed,
    workflow: DeploymentWorkflow | None = None,
) -> LambdaEndpoint:
    """AWS mode: the passed version as the slug's state machine and its step handler.

    Where the deployer has no Step Functions client, or the ASL target cannot express the
    graph, the whole graph ships as one function instead.
    """
    # AWS mode only: the bundle builder and the ASL compiler load every node type
    from runtime.engine.asl.machine import AslMachine, compile_asl
    from runtime.engine.bundle import build_bundle

    assert state.aws is not None
    bundle = build_bundle(passed.plan, passed.graph)
    public = passed.plan.steps[passed.plan.trigger].config.get("auth") == "public"
    machine: AslMachine | None = None
    if state.aws.state_machines:
        workflow = workflow or choose(passed)
        try:
            machine = compile_asl(
                passed.plan, workflow="express" if workflow.type == "EXPRESS" else "standard"
            )
        except ValueError:  # a node type the target cannot express: one function runs it all
            machine = None
    return state.aws.deploy(passed.tenant_id, slug, bundle, public=public, machine=machine)


def go_live(
    state: ServiceState,
    principal: Principal,
    store: LiveStore,
    action: GoLive,
    slug: str,
    passed: GatePassed,
    workflow: DeploymentWorkflow | None = None,
) -> tuple[Deployment, LambdaEndpoint | None]:
    """Serve ``passed`` at ``slug``: its function first (AWS mode), then the store, audited.

    The function first: if the store write then fails, a retry ships the same code again.
    ``workflow``: Express or Standard (``workflow_choice.choose``; default: the compiler's).
    """
    chosen = workflow or choose(passed)
    # This instance's compiled executor of the version, ready for the endpoint's first request.
    state.executor(store, passed.graph_id, passed.version)
    refuse_unschedulable(state, passed.graph)

    def change() -> tuple[Deployment, LambdaEndpoint | None]:
        endpoint = to_lambda(state, slug, passed, chosen) if state.aws is not None else None
        if endpoint is not None:
            schedule_on_eventbridge(state, passed.tenant_id, slug, passed.graph, endpoint)
        if action == "deployment.rollback":
            deployment = store.rollback(slug, passed, by=principal.actor, workflow=chosen)
        else:
            deployment = store.deploy(slug, passed, by=principal.actor, workflow=chosen)
        return deployment, endpoint

    try:
        return audited(principal, store, action, slug, change, details=dict(passed.details))
    finally:
        state.lookups.forget(store.tenant_id)
