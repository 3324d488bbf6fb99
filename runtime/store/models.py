"""What the store hands out.

Secrets (password hashes, API key hashes) have no field here, so no serializer can leak them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from compliance.names import PackName
from runtime.core.graph import Graph
from runtime.core.llm.policy import AiPolicy
from runtime.tenant.industry import PROFILES, Industry

Role = Literal["admin", "editor", "viewer"]
RunStatus = Literal["queued", "running", "waiting", "succeeded", "failed", "cancelled", "timed_out"]
Trigger = Literal["http", "manual", "schedule", "api", "subgraph"]
WaitStatus = Literal["pending", "approved", "rejected", "answered", "timed_out", "cancelled"]
DeploymentAction = Literal["deploy", "rollback"]

ROLES: tuple[Role, ...] = ("admin", "editor", "viewer")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Tenant(_Model):
    id: str
    name: str
    industry: Industry
    created_at: str


class TenantSettings(_Model):
    egress_allow: list[str] = Field(default_factory=list)
    run_retention_days: int = Field(default=30, ge=1, le=3650)
    max_run_seconds: float = Field(default=30.0, gt=0, le=900)
    public_endpoints: bool = True
    compliance_packs: list[PackName] | None = Field(
        default=None, description="Compliance packs checked at validate/deploy; null: industry's."
    )
    baa_providers: list[str] = Field(
        default_factory=list,
        max_length=100,
        description="Model providers and hosts with a signed HIPAA BAA (e.g. `anthropic`).",
    )
    dpa_providers: list[str] = Field(
        default_factory=list,
        max_length=100,
        description="Model providers and hosts with a signed GDPR data processing agreement.",
    )
    data_regions: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="Regions personal data may go to (e.g. `eu`, `eu-west-1`); empty: any.",
    )
    ai: AiPolicy = Field(default_factory=AiPolicy)
    """Models, fallback order, prices and the monthly budget of the tenant's AI calls."""
    revision: int = Field(default=0, ge=0)
    """Optimistic-locking counter: send back the revision you read; the store bumps it."""


Permission = Literal["white_label"]
"""Rights beyond a role: ``white_label`` lets an admin provision branded tenant stacks."""
PERMISSIONS: tuple[Permission, ...] = ("white_label",)


def effective_packs(settings: TenantSettings, industry: Industry) -> tuple[PackName, ...]:
    """The packs an admin chose, or the industry's preset when none were chosen."""
    if settings.compliance_packs is not None:
        return tuple(dict.fromkeys(settings.compliance_packs))
    return PROFILES[industry].packs


class User(_Model):
    email: str
    role: Role
    created_at: str
    must_change_password: bool = False
    """Set for an account made with a password someone else chose (a provisioned tenant's
    first admin): its first login can only choose a new one."""
    permissions: list[Permission] = Field(default_factory=list)


class ApiKey(_Model):
    key_id: str
    name: str
    role: Role
    hint: str
    """Enough to recognise the key in a list (``aut_acme_3f9a…c2``), never enough to use it."""
    created_at: str
    revoked: bool = False
    created_by: str = ""
    """``user:<email>`` or ``key:<id>`` that made it ("" for keys made outside the API). A key
    a user made is revoked when that user is removed."""


class GraphHead(_Model):
    graph_id: str
    name: str
    version: int
    updated_at: str
    updated_by: str


class GraphVersionInfo(_Model):
    graph_id: str
    version: int
    message: str
    author: str
    created_at: str
    hash: str


class GraphVersion(_Model):
    graph_id: str
    version: int
    graph: Graph
    message: str
    author: str
    created_at: str
    hash: str
    """``runtime.engine.compile.graph_hash`` of ``graph``: equal hashes mean equal graphs."""


class DeploymentChange(_Model):
    version: int
    at: str
    by: str
    action: DeploymentAction


WorkflowType = Literal["EXPRESS", "STANDARD"]


class DeploymentWorkflow(_Model):
    """The kind of Step Functions workflow a deployment runs as, and why (the ASL target)."""

    type: WorkflowType
    reasons: list[str] = Field(default_factory=list)
    """The compiler's reasons, the deciding ones first (an override's risk first of all)."""
    overridden: bool = False
    """The user chose ``type`` (``workflow_type`` on deploy) rather than the compiler."""


class Deployment(_Model):
    slug: str
    graph_id: str
    version: int
    deployed_at: str
    deployed_by: str
    history: list[DeploymentChange] = Field(default_factory=list)
    """Oldest first, bounded to the most recent changes."""
    workflow: DeploymentWorkflow | None = None
    """Express or Standard and why; None for deployments written before the ASL target."""


class RunRecord(_Model):
    run_id: str
    graph_id: str
    version: int
    slug: str | None = None
    status: RunStatus
    trigger: Trigger
    started_at: str
    finished_at: str | None = None
    duration_ms: float | None = None
    output: Any = None
    error: dict[str, Any] | None = None
    trace: list[dict[str, Any]] = Field(default_factory=list)
    trace_truncated: bool = False
    """Some node data (or, for huge runs, the output or trailing trace entries) was replaced by
    ``{"_truncated": true, "bytes": N}`` to keep the record under DynamoDB's item size limit."""
    idempotency_key: str | None = None
    expires_at: int
    """Epoch seconds; DynamoDB's TTL deletes the record some time after this, and the store
    stops returning it at this moment."""
    parent_run_id: str | None = None
    """The run whose ``flow.subgraph`` node started this one."""
    redrives: int = 0
    """How many times a failed run was started again from its failed step."""


class RunState(_Model):
    """What a durable run needs to be resumed by any process: its start and who runs it now."""

    run_id: str
    graph_id: str
    version: int
    slug: str | None = None
    trigger: Trigger
    event: Any = None
    started_at: str
    expires_at: int
    idempotency_key: str | None = None
    owner: str = ""
    """The process running it now (``""`` while it waits)."""
    lease_until: int = 0
    """Epoch seconds: past this, another process may take the run over (it crashed)."""
    cancelled: bool = False
    parent_run_id: str | None = None
    depth: int = 0
    """How deep in ``flow.subgraph`` calls this run is (the top run is 0)."""
    call_chain: list[str] = Field(default_factory=list)
    """The graph ids of the runs above it, outermost first (a cycle is refused at run time)."""


class Wait(_Model):
    """A node of a run waiting for a person, an external system or a timer."""

    run_id: str
    graph_id: str
    version: int
    node: str
    node_type: str
    iteration: list[int] = Field(default_factory=list)
    kind: Literal["approval", "callback", "timer"]
    status: WaitStatus = "pending"
    title: str = ""
    details: dict[str, Any] = Field(default_factory=dict)
    input: Any = None
    created_at: str
    until: str | None = None
    on_timeout: dict[str, Any] | None = None
    decided_by: str | None = None
    decided_at: str | None = None
    outputs: dict[str, Any] | None = None
    """The node's outputs once answered: what the resumed run fires from it."""
    consumed: bool = False
    """A resume has taken the answer up (the sweeper no longer needs to start one for it)."""
    comment: str = ""
    expires_at: int


AuditOutcome = Literal["attempted", "succeeded", "failed"]


class AuditEvent(_Model):
    event_id: str
    at: str
    actor: str
    action: str
    target: str
    details: dict[str, Any] = Field(default_factory=dict)
    outcome: AuditOutcome = "attempted"
    """An attempt is written before its change and its outcome after (``details.attempt``)."""
    seq: int = 0
    """Place in the tenant's chain, from 1."""
    prev_hash: str = ""
    """``hash`` of the event before (``GENESIS`` for the first): editing, deleting or moving
    any event breaks the link of the one after it."""
    hash: str = ""
    """SHA-256 of this event's other fields (``runtime.store.chain.event_hash``)."""


ApprovalStatus = Literal["pending", "approved"]


class Approval(_Model):
    """SOC2 change control: one graph version's compiled bundle, approved by a second person."""

    graph_id: str
    version: int
    bundle_hash: str
    """SHA-256 of the compiled plan when approval was asked for: what may be deployed."""
    requested_by: str
    requested_at: str
    author: str
    """Who saved the version: never its approver."""
    status: ApprovalStatus = "pending"
    approved_by: str | None = None
    approved_at: str | None = None


class Waiver(_Model):
    """An admin's decision that one rule does not block deploying one graph, and why."""

    graph_id: str
    rule_id: str
    reason: str = Field(min_length=10, max_length=2000)
    by: str
    at: str


class UsageRecord(_Model):
    at: str
    kind: str
    graph_id: str | None = None
    run_id: str | None = None
    quantity: float
    details: dict[str, Any] = Field(default_factory=dict)


ChatRole = Literal["user", "assistant"]


class ChatTurn(_Model):
    """One message of an AI chat; an assistant turn may carry the graph it proposed."""

    role: ChatRole
    content: str = Field(max_length=20_000)
    at: str
    graph: Graph | None = None
    diagnostics: list[dict[str, Any]] = Field(default_factory=list)
    source: str | None = None
    """For assistant turns: ``model`` or ``template`` (no provider configured)."""


class Conversation(_Model):
    conversation_id: str
    owner: str
    """The principal it belongs to (``user:<email>`` or ``key:<id>``); only they can read it."""
    title: str
    created_at: str
    updated_at: str
    turns: list[ChatTurn] = Field(default_factory=list)
    dropped_turns: int = 0
    """Older turns removed to keep the conversation within one item."""
    revision: int = 0
