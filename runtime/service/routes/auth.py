"""Login (email + password within a tenant) for people; API keys are for machines."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from runtime.service.auth import issue_token
from runtime.service.deps import State, Viewer
from runtime.service.errors import ApiError
from runtime.store import NotFound, Role

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


class Me(BaseModel):
    tenant: str
    tenant_name: str
    actor: str
    role: Role
    via: str


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
    token, expires = issue_token(
        state.config.token_secret,
        tenant_id=store.tenant_id,
        email=user.email,
        role=user.role,
        ttl=state.config.token_ttl_seconds,
    )
    store.record_audit(actor=f"user:{user.email}", action="auth.login", target=user.email)
    return Session(
        token=token, expires_at=expires, tenant=store.tenant_id, email=user.email, role=user.role
    )


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
    )
