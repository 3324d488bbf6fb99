"""FastAPI dependencies: the caller's principal, and the slices of its tenant's store.

A route names its role check and each slice of the store it touches (``auth: Editor, graphs:
Graphs``); mypy then holds it to those slices. Every slice is the store of the same request:
FastAPI solves ``authenticate`` once per request however many dependencies ask for it.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Header, Request

from runtime.service.auth import Principal, api_key_tenant, read_token
from runtime.service.compliance_stance import ComplianceStore
from runtime.service.durable.answers import AnswerStore
from runtime.service.durable.resume import ResumeStore
from runtime.service.errors import ApiError
from runtime.service.gate import GateStore, LiveStore
from runtime.service.run_recording import RecordingStore
from runtime.service.state import ServiceState, VersionStore
from runtime.store import Role, TenantStore
from runtime.store.slices import (
    ApprovalStore,
    AuditStore,
    BrandStore,
    ConversationStore,
    DeploymentStore,
    GraphStore,
    IdentityStore,
    RunStore,
    SettingsStore,
    UsageStore,
    WaiverStore,
)


# Dependencies without I/O are ``async def``: FastAPI runs a plain ``def`` dependency in a
# worker thread, a hop that costs more than the work itself.
async def get_state(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.auterity
    return state


State = Annotated[ServiceState, Depends(get_state)]


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message)


def principal_from_key(state: ServiceState, secret: str) -> tuple[Principal, TenantStore] | None:
    tenant_id = api_key_tenant(secret)
    if tenant_id is None:
        return None
    store = state.directory.tenant_of_key(tenant_id)
    if store is None:
        return None
    key = state.lookups.api_key(store, secret)
    if key is None:
        return None
    return Principal(tenant_id, f"key:{key.key_id}", key.role, "api_key"), store


async def credentials(
    authorization: Annotated[str | None, Header()] = None,
    x_api_key: Annotated[str | None, Header()] = None,
) -> str | None:
    return secret_from_headers(authorization, x_api_key)


def secret_from_headers(authorization: str | None, x_api_key: str | None) -> str | None:
    """The caller's API key or token: ``X-API-Key`` first, else a bearer ``Authorization``."""
    if x_api_key:
        return x_api_key.strip()
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    return None


Credentials = Annotated[str | None, Depends(credentials)]


def authenticate(state: State, secret: Credentials) -> tuple[Principal, TenantStore]:
    if secret is None:
        raise _unauthorized("send a bearer token (POST /api/v1/auth/login) or an X-API-Key")
    if secret.startswith("aut_"):
        found = principal_from_key(state, secret)
        if found is None:
            raise _unauthorized("the API key is not valid")
        return found
    found = _from_token(state, secret)
    if found[0].password_change_only:
        raise ApiError(
            403,
            "password_change_required",
            "choose a new password first: POST /api/v1/auth/password",
        )
    return found


def _from_token(state: ServiceState, secret: str) -> tuple[Principal, TenantStore]:
    claimed = read_token(state.config.token_secret, secret)
    if claimed is None:
        raise _unauthorized("the token is not valid or has expired; log in again")
    return current_session(state, claimed)


def current_session(state: ServiceState, claimed: Principal) -> tuple[Principal, TenantStore]:
    """The token's user as stored now: it must exist and hold the token's generation.

    One strongly consistent read of the user item per request (no cache), so a logout, a
    password or role change or a removal ends the session at once in every process. The user
    item exists only inside an existing tenant, so it also proves the tenant: no second read.
    Role and permissions come from the store, never from the token.
    """
    store = state.directory.tenant_of_key(claimed.tenant_id)
    found = None if store is None else store.session_user(claimed.actor.removeprefix("user:"))
    if store is None or found is None:
        raise _unauthorized("the session's user no longer exists; log in again")
    user, generation = found
    if not hmac.compare_digest(generation.encode(), claimed.generation.encode()):
        raise _unauthorized("the session has ended (logout, password or role change); log in again")
    principal = Principal(
        claimed.tenant_id,
        claimed.actor,
        user.role,
        "token",
        frozenset(user.permissions),
        user.must_change_password,
        generation,
    )
    return principal, store


def signed_in(state: State, secret: Credentials) -> tuple[Principal, TenantStore]:
    """A person's session, including one that may only change its password."""
    if secret is None or secret.startswith("aut_"):
        raise _unauthorized("log in first: POST /api/v1/auth/login")
    return _from_token(state, secret)


Authenticated = Annotated[tuple[Principal, TenantStore], Depends(authenticate)]
SignedIn = Annotated[tuple[Principal, TenantStore], Depends(signed_in)]


def require(
    role: Role,
) -> Callable[[Authenticated], Coroutine[Any, Any, tuple[Principal, TenantStore]]]:
    async def check(auth: Authenticated) -> tuple[Principal, TenantStore]:
        principal, _ = auth
        if not principal.can(role):
            raise ApiError(
                403, "forbidden", f"this needs the {role} role; you are {principal.role}"
            )
        return auth

    return check


Viewer = Annotated[tuple[Principal, TenantStore], Depends(require("viewer"))]
Editor = Annotated[tuple[Principal, TenantStore], Depends(require("editor"))]
Admin = Annotated[tuple[Principal, TenantStore], Depends(require("admin"))]


async def _white_label(auth: Admin) -> tuple[Principal, TenantStore]:
    principal, _ = auth
    if "white_label" not in principal.permissions:
        raise ApiError(403, "forbidden", "this needs an admin with the white-label permission")
    return auth


WhiteLabelAdmin = Annotated[tuple[Principal, TenantStore], Depends(_white_label)]


# The slices of the caller's store, each from the same authenticated request.


async def settings_store(auth: Authenticated) -> SettingsStore:
    return auth[1]


async def brand_store(auth: Authenticated) -> BrandStore:
    return auth[1]


async def identity_store(auth: Authenticated) -> IdentityStore:
    return auth[1]


async def graph_store(auth: Authenticated) -> GraphStore:
    return auth[1]


async def deployment_store(auth: Authenticated) -> DeploymentStore:
    return auth[1]


async def run_store(auth: Authenticated) -> RunStore:
    return auth[1]


async def usage_store(auth: Authenticated) -> UsageStore:
    return auth[1]


async def audit_store(auth: Authenticated) -> AuditStore:
    return auth[1]


async def conversation_store(auth: Authenticated) -> ConversationStore:
    return auth[1]


async def waiver_store(auth: Authenticated) -> WaiverStore:
    return auth[1]


async def approval_store(auth: Authenticated) -> ApprovalStore:
    return auth[1]


Settings = Annotated[SettingsStore, Depends(settings_store)]
Brands = Annotated[BrandStore, Depends(brand_store)]
Identities = Annotated[IdentityStore, Depends(identity_store)]
Graphs = Annotated[GraphStore, Depends(graph_store)]
Deployments = Annotated[DeploymentStore, Depends(deployment_store)]
Runs = Annotated[RunStore, Depends(run_store)]
Usage = Annotated[UsageStore, Depends(usage_store)]
AuditTrail = Annotated[AuditStore, Depends(audit_store)]
Conversations = Annotated[ConversationStore, Depends(conversation_store)]
Waivers = Annotated[WaiverStore, Depends(waiver_store)]
Approvals = Annotated[ApprovalStore, Depends(approval_store)]


# The slices a session that may only change its password touches (``SignedIn``, not
# ``Authenticated``, which refuses such a session).


async def signed_in_identity_store(auth: SignedIn) -> IdentityStore:
    return auth[1]


async def signed_in_audit_store(auth: SignedIn) -> AuditStore:
    return auth[1]


SignedInIdentities = Annotated[IdentityStore, Depends(signed_in_identity_store)]
SignedInAuditTrail = Annotated[AuditStore, Depends(signed_in_audit_store)]


# Slices that helpers take together, each combination defined next to its helper.


async def version_store(auth: Authenticated) -> VersionStore:
    return auth[1]


async def compliance_store(auth: Authenticated) -> ComplianceStore:
    return auth[1]


async def gate_store(auth: Authenticated) -> GateStore:
    return auth[1]


async def live_store(auth: Authenticated) -> LiveStore:
    return auth[1]


async def recording_store(auth: Authenticated) -> RecordingStore:
    return auth[1]


Versions = Annotated[VersionStore, Depends(version_store)]
"""Graph versions and the settings revision they compile under (``ServiceState.executor``)."""
ComplianceChecks = Annotated[ComplianceStore, Depends(compliance_store)]
"""The tenant's packs and context and the graphs' waivers (``compliance_stance``)."""
Gated = Annotated[GateStore, Depends(gate_store)]
"""What the deploy gate reads (``gate.pass_gate``)."""
GoingLive = Annotated[LiveStore, Depends(live_store)]
"""What serving a passed version writes (``gate.go_live``)."""
RunRecording = Annotated[RecordingStore, Depends(recording_store)]
"""What running a version and recording the run touch (``run_recording``)."""


async def resume_store(auth: Authenticated) -> ResumeStore:
    return auth[1]


async def answer_store(auth: Authenticated) -> AnswerStore:
    return auth[1]


Resuming = Annotated[ResumeStore, Depends(resume_store)]
"""What resuming, redriving or cancelling a durable run touches (``durable.resume``)."""
Answering = Annotated[AnswerStore, Depends(answer_store)]
"""What answering a waiting node touches (``durable.answers``)."""


async def tenant_store(auth: Authenticated) -> TenantStore:
    return auth[1]


WholeStore = Annotated[TenantStore, Depends(tenant_store)]
"""The store itself: only for a route that says, where it takes it, why no slice will do."""
