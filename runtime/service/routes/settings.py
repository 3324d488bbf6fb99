"""Tenant settings and API keys (admins only for changes)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, Field

from nodes.http.allowlist import entry_problem
from runtime.service.audit import audited
from runtime.service.auth import Principal
from runtime.service.deps import (
    Admin,
    AuditTrail,
    Identities,
    Settings,
    State,
    Viewer,
    current_session,
)
from runtime.service.errors import ApiError
from runtime.service.schemas import CreatedKey
from runtime.service.state import ServiceState
from runtime.store import ApiKey, Role, TenantSettings
from runtime.store.slices import AuditStore, IdentityStore

router = APIRouter(tags=["settings"])


class NewKey(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    role: Role = "editor"


@router.get("/settings")
def get_settings(auth: Viewer, settings: Settings) -> TenantSettings:
    return settings.get_settings()


@router.put("/settings")
def update_settings(
    body: TenantSettings, auth: Admin, state: State, settings: Settings, trail: AuditTrail
) -> TenantSettings:
    _check_egress_allow(body, state)
    details = body.model_dump(exclude={"revision"})
    try:
        change = lambda: settings.update_settings(body)  # noqa: E731
        return audited(auth[0], trail, "settings.update", "settings", change, details=details)
    finally:
        state.lookups.forget(settings.tenant_id)


def _check_egress_allow(body: TenantSettings, state: ServiceState) -> None:
    """Refuse entries the guard would never honour, rather than let every run fail.

    See ``nodes.http.allowlist``: special-use names and ranges, and what the operator did not
    open.
    """
    for index, entry in enumerate(body.egress_allow):
        problem = entry_problem(entry, state.egress)
        if problem is not None:
            field = f"egress_allow.{index}"
            message = f"{field}: {entry!r} {problem}"
            problems = [{"field": field, "message": f"{entry!r} {problem}"}]
            raise ApiError(422, "invalid", message, problems=problems)


@router.get("/api-keys")
def list_keys(auth: Admin, identities: Identities) -> list[ApiKey]:
    return identities.list_api_keys()


@router.post("/api-keys", status_code=status.HTTP_201_CREATED)
def create_key(
    body: NewKey, auth: Admin, state: State, identities: Identities, trail: AuditTrail
) -> CreatedKey:
    principal, _ = auth
    details = {"name": body.name, "role": body.role}
    key, secret = audited(
        principal,
        trail,
        "api_key.create",
        body.name,
        lambda: identities.create_api_key(body.name, body.role, created_by=principal.actor),
        details=details,
    )
    if principal.via == "token":
        _creator_still_current(principal, identities, trail, state, key.key_id)
    return CreatedKey(key=key, secret=secret)


def _creator_still_current(
    principal: Principal,
    identities: IdentityStore,
    trail: AuditStore,
    state: ServiceState,
    key_id: str,
) -> None:
    """Revoke a key whose creator's session ended while it was being made.

    Checked after the write: a user removed (or logged out) meanwhile either had the key
    revoked by the removal's sweep, or has it revoked here.
    """
    try:
        current_session(state, principal)
    except ApiError:
        revoke = lambda: identities.revoke_api_key(key_id)  # noqa: E731
        audited(principal, trail, "api_key.revoke", key_id, revoke)
        state.lookups.forget(identities.tenant_id)
        raise


@router.delete("/api-keys/{key_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_key(
    key_id: str, auth: Admin, state: State, identities: Identities, trail: AuditTrail
) -> Response:
    try:
        revoke = lambda: identities.revoke_api_key(key_id)  # noqa: E731
        audited(auth[0], trail, "api_key.revoke", key_id, revoke)
    finally:
        state.lookups.forget(identities.tenant_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
