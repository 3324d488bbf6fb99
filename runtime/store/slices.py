"""The slices of a tenant's store that the app uses, as narrow interfaces.

``TenantStore`` is the one composition root that implements them all (mypy checks it below);
a route or a command names the slice it needs, so what it can touch is visible in its
signature, and a second backend has a list of what to implement.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from compliance.names import PackName
from runtime.core.graph import Graph
from runtime.store.assets import AssetFiles, S3Client
from runtime.store.audit import VERIFY_PASSES
from runtime.store.chain import ChainReport
from runtime.store.fires import Fire
from runtime.store.gatepass import GatePassed
from runtime.store.models import (
    ApiKey,
    Approval,
    AuditEvent,
    AuditOutcome,
    ChatTurn,
    Conversation,
    Deployment,
    DeploymentWorkflow,
    GraphHead,
    GraphVersion,
    GraphVersionInfo,
    Permission,
    Role,
    RunRecord,
    RunState,
    RunStatus,
    Tenant,
    TenantSettings,
    UsageRecord,
    User,
    Wait,
    WaitStatus,
    Waiver,
)
from runtime.store.spend import Reservation
from runtime.tenant.assets import Asset, AssetKind
from runtime.tenant.brand import Brand, StoredBrand

if TYPE_CHECKING:
    from runtime.store.tenant import TenantStore


class _Tenant(Protocol):
    @property
    def tenant_id(self) -> str: ...


class SettingsStore(_Tenant, Protocol):
    """The tenant's settings and compliance profile."""

    def get_settings(self) -> TenantSettings: ...
    def get_profile(self) -> Tenant: ...
    def compliance_packs(self, settings: TenantSettings | None = None) -> tuple[PackName, ...]: ...
    def bump_settings_revision(self) -> None: ...
    def update_settings(self, settings: TenantSettings) -> TenantSettings: ...


class BrandStore(_Tenant, Protocol):
    """The tenant's brand and its asset files."""

    def get_brand(self) -> StoredBrand: ...
    def put_brand(self, brand: Brand, revision: int) -> StoredBrand: ...
    def set_brand_asset(
        self, kind: AssetKind, asset: Asset | None
    ) -> tuple[StoredBrand, Asset | None]: ...
    def asset_files(self, client: S3Client, bucket: str) -> AssetFiles: ...


class IdentityStore(_Tenant, Protocol):
    """Users, sessions and API keys."""

    def create_user(
        self,
        email: str,
        password: str,
        role: Role,
        *,
        must_change_password: bool = False,
        permissions: tuple[Permission, ...] = (),
    ) -> User: ...
    def session_user(self, email: str) -> tuple[User, str] | None: ...
    def end_sessions(self, email: str) -> None: ...
    def set_user_role(self, email: str, role: Role) -> User: ...
    def authenticate(self, email: str, password: str) -> User | None: ...
    def authenticate_session(self, email: str, password: str) -> tuple[User, str] | None: ...
    def change_password(self, email: str, current: str, new: str) -> User: ...
    def get_user(self, email: str) -> User: ...
    def list_users(self) -> list[User]: ...
    def delete_user(self, email: str, *, actor: str = "operator") -> list[str]: ...
    def revoke_keys_created_by(self, creator: str) -> list[str]: ...
    def create_api_key(
        self, name: str, role: Role = "editor", *, created_by: str = ""
    ) -> tuple[ApiKey, str]: ...
    def verify_api_key(self, secret: str) -> ApiKey | None: ...
    def list_api_keys(self) -> list[ApiKey]: ...
    def revoke_api_key(self, key_id: str) -> None: ...


class GraphStore(_Tenant, Protocol):
    """Graphs and their saved versions."""

    def create_graph(self, graph: Graph, *, author: str, message: str = "") -> GraphVersion: ...
    def save_graph(
        self, graph: Graph, *, base_version: int, author: str, message: str = ""
    ) -> GraphVersion: ...
    def get_graph(self, graph_id: str, version: int | None = None) -> GraphVersion: ...
    def list_graphs(self) -> list[GraphHead]: ...
    def list_versions(self, graph_id: str) -> list[GraphVersionInfo]: ...
    def delete_graph(self, graph_id: str) -> None: ...


class DeploymentStore(_Tenant, Protocol):
    """Which version of a graph is live, and its history."""

    def deploy(
        self,
        slug: str,
        passed: GatePassed,
        *,
        by: str,
        workflow: DeploymentWorkflow | None = None,
    ) -> Deployment: ...
    def rollback_target(self, slug: str, version: int) -> Deployment: ...
    def rollback(
        self,
        slug: str,
        passed: GatePassed,
        *,
        by: str,
        workflow: DeploymentWorkflow | None = None,
    ) -> Deployment: ...
    def undeploy(self, slug: str) -> None: ...
    def get_deployment(self, slug: str) -> Deployment: ...
    def list_deployments(self) -> list[Deployment]: ...


class RunStore(_Tenant, Protocol):
    """Run records."""

    def new_run_id(self) -> str: ...
    def put_run(self, run: RunRecord) -> RunRecord: ...
    def update_run(
        self,
        run_id: str,
        *,
        status: RunStatus,
        finished_at: str | None = None,
        duration_ms: float | None = None,
        output: Any = None,
        error: dict[str, Any] | None = None,
        trace: list[dict[str, Any]] | None = None,
        redrive: bool = False,
    ) -> RunRecord: ...
    def get_run(self, run_id: str) -> RunRecord: ...
    def list_runs(
        self,
        *,
        graph_id: str | None = None,
        status: RunStatus | None = None,
        limit: int = 50,
        before: str | None = None,
    ) -> list[RunRecord]: ...


class RunStateStore(_Tenant, Protocol):
    """Durable runs: the state any process resumes from, checkpoints and the lease."""

    def fits_run_state(self, state: RunState) -> bool: ...
    def put_run_state(self, state: RunState) -> None: ...
    def get_run_state(self, run_id: str) -> RunState: ...
    def claim_run(self, run_id: str, owner: str, lease_seconds: int) -> RunState: ...
    def release_run(self, run_id: str, owner: str) -> None: ...
    def cancel_run_state(self, run_id: str) -> None: ...
    def save_checkpoints(
        self,
        run_id: str,
        owner: str,
        entries: Sequence[dict[str, Any]],
        lease_seconds: int,
        expires_at: int,
    ) -> None: ...
    def drop_run_state(self, run_id: str) -> None: ...
    def renew_lease(self, run_id: str, owner: str, lease_seconds: int) -> None: ...
    def checkpoints(self, run_id: str) -> list[dict[str, Any]]: ...


class WaitStore(_Tenant, Protocol):
    """Nodes waiting for a person, a callback or a timer, and their one answer each."""

    def put_wait(self, wait: Wait) -> None: ...
    def get_wait(self, run_id: str, node: str, iteration: tuple[int, ...] = ()) -> Wait: ...
    def list_waits(
        self, *, status: WaitStatus | None = "pending", run_id: str | None = None
    ) -> list[Wait]: ...
    def consume_waits(self, run_id: str, waits: list[Wait]) -> None: ...
    def answer_wait(
        self,
        run_id: str,
        node: str,
        iteration: tuple[int, ...],
        *,
        status: WaitStatus,
        outputs: dict[str, Any],
        by: str,
        comment: str = "",
    ) -> Wait: ...


class UsageStore(_Tenant, Protocol):
    """The usage ledger and the monthly spend it is charged against."""

    def record_usage(self, usage: UsageRecord) -> None: ...
    def list_usage(self, month: str) -> list[UsageRecord]: ...
    def get_spend(self, month: str) -> int: ...
    def add_spend(self, month: str, micros: int) -> int: ...
    def reserve_spend(self, month: str, micros: int, limit_micros: int) -> Reservation: ...


class AuditStore(_Tenant, Protocol):
    """The hash-chained audit trail."""

    def record_audit(
        self,
        *,
        actor: str,
        action: str,
        target: str,
        details: dict[str, Any] | None = None,
        outcome: AuditOutcome = "attempted",
    ) -> AuditEvent: ...
    def seal_audit(self, max_passes: int = VERIFY_PASSES) -> None: ...
    def list_audit(self, limit: int = 100) -> list[AuditEvent]: ...
    def iter_audit(self) -> Iterator[AuditEvent]: ...
    def verify_audit(self, *, seal: bool = True, incremental: bool = False) -> ChainReport: ...


class ConversationStore(_Tenant, Protocol):
    """Assistant conversations."""

    def create_conversation(self, owner: str, title: str) -> Conversation: ...
    def get_conversation(self, owner: str, conversation_id: str) -> Conversation: ...
    def list_conversations(self, owner: str, limit: int = 50) -> list[Conversation]: ...
    def append_turns(self, conversation: Conversation, turns: list[ChatTurn]) -> Conversation: ...
    def delete_conversation(self, owner: str, conversation_id: str) -> None: ...


class TransferStore(_Tenant, Protocol):
    """Export, import and erasure of everything the tenant owns."""

    def export_lines(self) -> Iterator[str]: ...
    def delete_all(self) -> int: ...
    def import_lines(self, lines: Iterable[str], gate: Callable[[str, int], GatePassed]) -> int: ...


class WaiverStore(_Tenant, Protocol):
    """Compliance waivers."""

    def add_waiver(self, graph_id: str, rule_id: str, reason: str, *, by: str) -> Waiver: ...
    def list_waivers(self, graph_id: str) -> list[Waiver]: ...
    def remove_waiver(self, graph_id: str, rule_id: str) -> None: ...


class ApprovalStore(_Tenant, Protocol):
    """Approvals of changes that need a second person."""

    def request_approval(
        self, graph_id: str, version: int, bundle_hash: str, *, author: str, by: str
    ) -> Approval: ...
    def get_approval(self, graph_id: str, version: int) -> Approval: ...
    def approve(self, graph_id: str, version: int, *, by: str) -> Approval: ...


class FireStore(_Tenant, Protocol):
    """Schedule slots: claimed by one scheduler, bound to their run, or recorded as missed."""

    def claim_fire(
        self,
        slug: str,
        slot: datetime,
        *,
        owner: str,
        graph_id: str,
        version: int,
        now: float,
        lease_seconds: int,
    ) -> tuple[bool, Fire | None]: ...
    def bind_fire(self, slug: str, slot: datetime, *, owner: str, run_id: str) -> bool: ...
    def record_missed(
        self, slug: str, slot: datetime, *, graph_id: str, version: int, now: float
    ) -> bool: ...
    def list_fires(self, slug: str, limit: int = 10) -> list[Fire]: ...


if TYPE_CHECKING:

    def _implements_every_slice(
        store: TenantStore,
    ) -> tuple[
        SettingsStore,
        BrandStore,
        IdentityStore,
        GraphStore,
        DeploymentStore,
        RunStore,
        UsageStore,
        AuditStore,
        ConversationStore,
        TransferStore,
        WaiverStore,
        ApprovalStore,
        RunStateStore,
        WaitStore,
        FireStore,
    ]:
        return (
            store,
            store,
            store,
            store,
            store,
            store,
            store,
            store,
            store,
            store,
            store,
            store,
            store,
            store,
            store,
        )
