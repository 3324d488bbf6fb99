"""The tenant's brand: read by everyone, changed by admins, and shown before login.

``/brand/public`` and ``/brand/public/assets/...`` need no credential: the login page shows a
tenant's name, colours and logo before anyone has logged in. They answer only display fields,
and an unknown tenant gets the default brand (never a 404), so they cannot tell which tenants
exist. An asset is served only while it is the tenant's current logo or favicon, with its
stored media type, ``nosniff`` and a CSP that runs nothing, so a file opened directly cannot
script the API's origin.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from runtime.service.audit import audited
from runtime.service.auth import Principal
from runtime.service.deps import Admin, AuditTrail, Brands, State, Viewer
from runtime.service.errors import ApiError, not_found
from runtime.service.schemas import BrandView, PreviewResult, PublicBrand
from runtime.service.state import ServiceState
from runtime.service.uploads import read_upload
from runtime.store import NotFound
from runtime.store.slices import AuditStore, BrandStore
from runtime.tenant.assets import MAX_BYTES, Asset, AssetError, AssetKind, check_asset
from runtime.tenant.brand import DEFAULT_BRAND, Brand, BrandError, StoredBrand, check_brand

router = APIRouter(prefix="/brand", tags=["brand"])

PUBLIC_ASSETS = "/api/v1/brand/public/assets"
ASSET_HEADERS = {
    "Cache-Control": "public, max-age=31536000, immutable",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'none'; sandbox"
    ),
    "Cross-Origin-Resource-Policy": "cross-origin",
}
"""Names are content hashes, so a cached copy can never be stale."""
_DEFAULTS = DEFAULT_BRAND


class BrandFields(BaseModel):
    """The brand's fields as an admin sends them; ``check_brand`` says what is wrong."""

    model_config = ConfigDict(extra="forbid")

    product_name: str = Field(max_length=1000)
    primary_color: str = Field(default=_DEFAULTS.primary_color, max_length=100)
    accent_color: str = Field(default=_DEFAULTS.accent_color, max_length=100)
    font: str = Field(default=_DEFAULTS.font, max_length=100)
    custom_domain: str | None = Field(default=None, max_length=300)
    support_email: str | None = Field(default=None, max_length=300)
    legal_footer: str = Field(default="", max_length=1000)


class BrandUpdate(BrandFields):
    revision: int = Field(default=0, ge=0, description="The revision you read (0: never set).")


class BrandPreview(BrandFields):
    """A proposed brand; ``logo``/``favicon`` are proposed files as base64 (not stored)."""

    logo: str | None = Field(default=None, max_length=1_000_000)
    favicon: str | None = Field(default=None, max_length=100_000)


def asset_url(tenant_id: str, asset: Asset | None) -> str | None:
    return None if asset is None else f"{PUBLIC_ASSETS}/{tenant_id}/{asset.file_name}"


def view(brands: BrandStore, stored: StoredBrand) -> BrandView:
    brand = stored.brand
    return BrandView(
        brand=brand,
        revision=stored.revision,
        logo_url=asset_url(brands.tenant_id, brand.logo),
        favicon_url=asset_url(brands.tenant_id, brand.favicon),
    )


def _invalid(problems: dict[str, str]) -> ApiError:
    listed = [{"field": field, "message": why} for field, why in problems.items()]
    first = listed[0]
    return ApiError(422, "invalid", f"{first['field']}: {first['message']}", problems=listed)


def _checked(fields: BrandFields) -> Brand:
    try:
        return check_brand(fields.model_dump(include=set(BrandFields.model_fields))).brand
    except BrandError as exc:
        raise _invalid(exc.problems) from None


@router.get("")
def get_brand(auth: Viewer, brands: Brands) -> BrandView:
    return view(brands, brands.get_brand())


@router.put("")
def update_brand(
    body: BrandUpdate, auth: Admin, state: State, brands: Brands, trail: AuditTrail
) -> BrandView:
    """Replace the brand's fields (its logo and favicon stay); 409 on a stale revision."""
    principal, _ = auth
    checked = _checked(body)

    def change() -> StoredBrand:
        current = brands.get_brand().brand
        brand = checked.model_copy(update={"logo": current.logo, "favicon": current.favicon})
        return brands.put_brand(brand, body.revision)

    details = body.model_dump(exclude={"revision"})
    try:
        stored = audited(principal, trail, "brand.update", "brand", change, details=details)
        return view(brands, stored)
    finally:
        state.lookups.forget(brands.tenant_id)


@router.post("/preview")
def preview_brand(body: BrandPreview, auth: Admin) -> PreviewResult:
    """Check a proposed brand, files included, without storing anything."""
    assets: dict[AssetKind, bytes] = {}
    problems: dict[str, str] = {}
    kinds: tuple[AssetKind, ...] = ("logo", "favicon")
    for kind in kinds:
        encoded = getattr(body, kind)
        if encoded is None:
            continue
        try:  # a data: URL is fine too
            blob = base64.b64decode(encoded.split(",", 1)[-1], validate=True)
        except (binascii.Error, ValueError):
            problems[kind] = "the file is not valid base64"
            continue
        try:  # each file on its own, so every bad one is named even when a field is bad too
            check_asset(kind, blob)
        except AssetError as exc:
            problems[kind] = str(exc).removeprefix(f"{kind}: ")
            continue
        assets[kind] = blob
    try:
        package = check_brand(body.model_dump(include=set(BrandFields.model_fields)), assets)
    except BrandError as exc:
        return PreviewResult(valid=False, problems={**exc.problems, **problems})
    if problems:
        return PreviewResult(valid=False, problems=problems)
    return PreviewResult(valid=True, brand=package.brand)


def _store_asset(
    principal: Principal,
    brands: BrandStore,
    trail: AuditStore,
    state: ServiceState,
    kind: AssetKind,
    asset: Asset | None,
    data: bytes,
) -> StoredBrand:
    files = state.asset_files(brands)

    def change() -> StoredBrand:
        if asset is not None:
            files.put(asset, data)
        stored, previous = brands.set_brand_asset(kind, asset)
        if previous is not None and previous != asset:
            files.delete(previous.file_name)  # content-named: nothing else points at it
        return stored

    details = {"kind": kind, **({} if asset is None else asset.model_dump(exclude={"kind"}))}
    action = "brand.asset.put" if asset is not None else "brand.asset.delete"
    try:
        return audited(principal, trail, action, kind, change, details=details)
    finally:
        state.lookups.forget(brands.tenant_id)


ASSET_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            "multipart/form-data": {
                "schema": {"type": "object", "properties": {"file": {"format": "binary"}}}
            },
        },
    }
}


@router.put("/assets/{kind}", openapi_extra=ASSET_BODY)
async def put_asset(
    kind: AssetKind,
    request: Request,
    auth: Admin,
    state: State,
    brands: Brands,
    trail: AuditTrail,
) -> BrandView:
    """The file as the raw body (any image type) or as the ``file`` of a multipart form."""
    data = await read_upload(request, MAX_BYTES[kind], kind)
    try:
        asset = check_asset(kind, data)
    except AssetError as exc:
        raise _invalid({kind: str(exc).removeprefix(f"{kind}: ")}) from None
    stored = await run_in_threadpool(_store_asset, auth[0], brands, trail, state, kind, asset, data)
    return view(brands, stored)


@router.delete("/assets/{kind}", status_code=status.HTTP_204_NO_CONTENT)
def delete_asset(
    kind: AssetKind, auth: Admin, state: State, brands: Brands, trail: AuditTrail
) -> Response:
    _store_asset(auth[0], brands, trail, state, kind, None, b"")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _public(state: ServiceState, tenant: str) -> tuple[BrandStore | None, Brand]:
    """The tenant's brand, or the default for a tenant that does not exist (or is malformed)."""
    store = state.directory.tenant_of_key(tenant)
    if store is None:
        return None, DEFAULT_BRAND
    return store, state.lookups.brand(store).brand


@router.get("/public")
def public_brand(state: State, tenant: str = Query(default="", max_length=200)) -> PublicBrand:
    """For the login page, before anyone logs in: unknown tenants get the default brand."""
    store, brand = _public(state, tenant)
    tenant_id = store.tenant_id if store is not None else ""
    return PublicBrand(
        **brand.model_dump(
            include={
                "product_name",
                "primary_color",
                "accent_color",
                "font",
                "legal_footer",
                "support_email",
            }
        ),
        logo_url=asset_url(tenant_id, brand.logo) if store else None,
        favicon_url=asset_url(tenant_id, brand.favicon) if store else None,
    )


@router.get(
    "/public/assets/{tenant}/{file_name}",
    response_class=Response,
    responses={200: {"content": {"image/*": {}}, "description": "The file."}},
)
def public_asset(tenant: str, file_name: str, state: State) -> Response:
    """A file of the tenant's current brand, by its content-hashed name."""
    store, brand = _public(state, tenant)
    current = [a for a in (brand.logo, brand.favicon) if a is not None]
    asset = next((a for a in current if a.file_name == file_name), None)
    if store is None or asset is None:
        raise not_found("asset")
    try:
        data = state.asset_files(store).get(asset.file_name)
    except NotFound:
        raise not_found("asset") from None
    if hashlib.sha256(data).hexdigest() != asset.sha256:
        raise not_found("asset")  # never serve bytes other than the ones that were checked
    return Response(data, media_type=asset.media_type, headers=ASSET_HEADERS)
