"""Tenant settings and API keys (admins only for changes)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, Field

from runtime.service.deps import Admin, Viewer
from runtime.store import ApiKey, Role, TenantSettings

router = APIRouter(tags=["settings"])


class NewKey(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    role: Role = "editor"


class CreatedKey(BaseModel):
    key: ApiKey
    secret: str = Field(description="Shown once: only a hash is stored.")


@router.get("/settings")
def get_settings(auth: Viewer) -> TenantSettings:
    return auth[1].get_settings()


@router.put("/settings")
def update_settings(body: TenantSettings, auth: Admin) -> TenantSettings:
    principal, store = auth
    # Audit first, change second: a change can never take effect without its event.
    store.record_audit(
        actor=principal.actor,
        action="settings.update",
        target="settings",
        details=body.model_dump(exclude={"revision"}),
    )
    return store.update_settings(body)


@router.get("/api-keys")
def list_keys(auth: Admin) -> list[ApiKey]:
    return auth[1].list_api_keys()


@router.post("/api-keys", status_code=status.HTTP_201_CREATED)
def create_key(body: NewKey, auth: Admin) -> CreatedKey:
    principal, store = auth
    store.record_audit(
        actor=principal.actor,
        action="api_key.create",
        target=body.name,
        details={"name": body.name, "role": body.role},
    )
    key, secret = store.create_api_key(body.name, body.role)
    return CreatedKey(key=key, secret=secret)


@router.delete("/api-keys/{key_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_key(key_id: str, auth: Admin) -> Response:
    principal, store = auth
    store.record_audit(actor=principal.actor, action="api_key.revoke", target=key_id)
    store.revoke_api_key(key_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
