"""Login (email + password within a tenant) for people; API keys are for machines.

A session token names its user and the user's credential generation; ``deps`` checks both
against the store on every request, so logout, a password change, a role change or the user's
removal ends every session at once. Logins are throttled (``runtime.service.login_guard``).
"""

from __future__ import annotations

import functools

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel, Field

from runtime.service import login_guard
from runtime.service.audit import audited
from runtime.service.auth import issue_token
from runtime.service.deps import (
    Admin,
    AuditTrail,
    SignedIn,
    SignedInAuditTrail,
    SignedInIdentities,
    State,
    Viewer,
)
from runtime.service.errors import ApiError
from runtime.service.schemas import Me, Session
from runtime.service.state import ServiceState
from runtime.store import (
    Conflict,
    InvalidInput,
    NotFound,
    TenantStore,
    User,
)
from runtime.store.identity import dummy_password_check
from runtime.store.login_attempts import LoginAttempts

router = APIRouter(prefix="/auth", tags=["auth"])


class Login(BaseModel):
    tenant: str = Field(min_length=1, max_length=63)
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=1024)


class PasswordChange(BaseModel):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)
    """The policy (length, common passwords) is the store's, so its 422 names the rule."""


class Unlock(BaseModel):
    email: str = Field(min_length=3, max_length=254)


PASSWORD_CHANGE_TTL = 15 * 60


def _session(state: ServiceState, tenant_id: str, user: User, generation: str) -> Session:
    restricted = user.must_change_password
    token, expires = issue_token(
        state.config.token_secret,
        tenant_id=tenant_id,
        email=user.email,
        role=user.role,
        ttl=PASSWORD_CHANGE_TTL if restricted else state.config.token_ttl_seconds,
        permissions=user.permissions,
        password_change_only=restricted,
        generation=generation,
    )
    return Session(
        token=token,
        expires_at=expires,
        tenant=tenant_id,
        email=user.email,
        role=user.role,
        permissions=list(user.permissions),
        password_change_required=restricted,
    )


def _attempts(state: ServiceState) -> LoginAttempts:
    return LoginAttempts(state.client, state.config.table_name)


@router.post("/login")
def login(body: Login, request: Request, state: State) -> Session:
    """Every refusal costs the same work: an unknown tenant or user still runs scrypt."""
    source = request.client.host if request.client else "unknown"
    attempt = login_guard.begin(_attempts(state), body.tenant, body.email, source)
    try:  # no caller yet: the store of the tenant the login names
        store: TenantStore | None = state.directory.tenant(body.tenant)
    except NotFound:
        store = None
    found = None
    if store is None:
        dummy_password_check(body.password)
    else:
        found = store.authenticate_session(body.email, body.password)
    if store is None or found is None:
        # Audited after the answer is sent: only a known tenant has a trail to write to, and
        # the time that takes would otherwise tell an unknown tenant from a known one.
        after = functools.partial(attempt.failed, store)
        raise ApiError(401, "unauthorized", "wrong tenant, email or password", after=after)
    attempt.succeeded()
    user, generation = found
    store.record_audit(actor=f"user:{user.email}", action="auth.login", target=user.email)
    return _session(state, store.tenant_id, user, generation)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(auth: SignedIn, identities: SignedInIdentities, trail: SignedInAuditTrail) -> Response:
    """Ends every session of the caller (all devices): their credential generation moves on."""
    principal, _ = auth
    email = principal.actor.removeprefix("user:")
    try:
        audited(principal, trail, "auth.logout", email, lambda: identities.end_sessions(email))
    except NotFound:
        raise ApiError(401, "unauthorized", "the session's user no longer exists") from None
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/unlock", status_code=status.HTTP_204_NO_CONTENT)
def unlock(body: Unlock, auth: Admin, state: State, trail: AuditTrail) -> Response:
    """Lift a lockout of one of the tenant's accounts (204 whether or not it was locked)."""
    principal, _ = auth
    email = body.email.strip().lower()
    audited(
        principal,
        trail,
        "auth.unlock",
        email,
        lambda: login_guard.unlock(_attempts(state), trail.tenant_id, email),
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/password")
def change_password(
    body: PasswordChange,
    auth: SignedIn,
    state: State,
    identities: SignedInIdentities,
    trail: SignedInAuditTrail,
) -> Session:
    """Choose a new password (required after a first login with a given one): a new session.

    Every other session of the user ends: the change moves the credential generation on.
    """
    principal, _ = auth
    email = principal.actor.removeprefix("user:")
    try:
        user = identities.change_password(email, body.current_password, body.new_password)
    except NotFound:
        raise ApiError(
            422, "invalid", "current_password: that is not your current password"
        ) from None
    except InvalidInput as exc:
        raise ApiError(422, "invalid", f"new_password: {exc}") from None
    except Conflict as exc:
        raise ApiError(409, "conflict", str(exc)) from None
    trail.record_audit(actor=principal.actor, action="auth.password_changed", target=email)
    found = identities.session_user(email)
    if found is None:
        raise ApiError(401, "unauthorized", "the session's user no longer exists")
    return _session(state, identities.tenant_id, user, found[1])


@router.get("/me")
def me(auth: Viewer, state: State) -> Me:
    principal, _ = auth
    tenant = state.directory.get_tenant(principal.tenant_id)
    return Me(
        tenant=tenant.id,
        tenant_name=tenant.name,
        actor=principal.actor,
        role=principal.role,
        via=principal.via,
        industry=tenant.industry,
    )
