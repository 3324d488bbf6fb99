"""Login (email + password within a tenant) for people; API keys are for machines."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from runtime.service.auth import issue_token
from runtime.service.deps import SignedIn, State, Viewer
from runtime.service.errors import ApiError
from runtime.service.state import ServiceState
from runtime.store import (
    Conflict,
    Industry,
    InvalidInput,
    NotFound,
    Permission,
    Role,
    TenantStore,
    User,
)

router = APIRouter(prefix="/auth", tags=["auth"])


class Login(BaseModel):
    tenant: str = Field(min_length=1, max_length=63)
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=1024)


class Session(BaseModel):
    token: str
    expires_at: int
    tenant: str
    email: str
    role: Role
    permissions: list[Permission] = Field(default_factory=list)
    password_change_required: bool = False
    """The token only opens ``POST /auth/password`` until a new password is chosen."""


class PasswordChange(BaseModel):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=8, max_length=1024)


PASSWORD_CHANGE_TTL = 15 * 60


def _session(state: ServiceState, store: TenantStore, user: User) -> Session:
    restricted = user.must_change_password
    token, expires = issue_token(
        state.config.token_secret,
        tenant_id=store.tenant_id,
        email=user.email,
        role=user.role,
        ttl=PASSWORD_CHANGE_TTL if restricted else state.config.token_ttl_seconds,
        permissions=user.permissions,
        password_change_only=restricted,
    )
    return Session(
        token=token,
        expires_at=expires,
        tenant=store.tenant_id,
        email=user.email,
        role=user.role,
        permissions=list(user.permissions),
        password_change_required=restricted,
    )


class Me(BaseModel):
    tenant: str
    tenant_name: str
    actor: str
    role: Role
    via: str
    industry: Industry = "general"
    """The tenant's industry: its preset compliance packs until an admin chooses some."""


@router.post("/login")
def login(body: Login, state: State) -> Session:
    failure = ApiError(401, "unauthorized", "wrong tenant, email or password")
    try:
        store = state.directory.tenant(body.tenant)
    except NotFound:
        raise failure from None
    user = store.authenticate(body.email, body.password)
    if user is None:
        raise failure
    store.record_audit(actor=f"user:{user.email}", action="auth.login", target=user.email)
    return _session(state, store, user)


@router.post("/password")
def change_password(body: PasswordChange, auth: SignedIn, state: State) -> Session:
    """Choose a new password (required after a first login with a given one): a new session."""
    principal, store = auth
    email = principal.actor.removeprefix("user:")
    try:
        user = store.change_password(email, body.current_password, body.new_password)
    except NotFound:
        raise ApiError(
            422, "invalid", "current_password: that is not your current password"
        ) from None
    except InvalidInput as exc:
        raise ApiError(422, "invalid", f"new_password: {exc}") from None
    except Conflict as exc:
        raise ApiError(409, "conflict", str(exc)) from None
    store.record_audit(actor=principal.actor, action="auth.password_changed", target=email)
    return _session(state, store, user)


@router.get("/me")
def me(auth: Viewer, state: State) -> Me:
    principal, store = auth
    tenant = state.directory.get_tenant(store.tenant_id)
    return Me(
        tenant=tenant.id,
        tenant_name=tenant.name,
        actor=principal.actor,
        role=principal.role,
        via=principal.via,
        industry=tenant.industry,
    )
