"""The brand calls of the builder's API client (``builder.client.api.Api`` inherits them).

Asset URLs in the answers are paths on the service (``/api/v1/brand/public/assets/...``);
``builder.views.theme`` turns them into what the browser loads.
"""

from __future__ import annotations

import base64
from typing import Any, Protocol

import httpx
from pydantic import TypeAdapter

from runtime.service.schemas import BrandView, PreviewResult, PublicBrand
from runtime.tenant.assets import AssetKind

BRAND_VIEW = TypeAdapter(BrandView)
PREVIEW = TypeAdapter(PreviewResult)
PUBLIC_BRAND = TypeAdapter(PublicBrand)

BRAND_FIELDS = (
    "product_name",
    "primary_color",
    "accent_color",
    "font",
    "custom_domain",
    "support_email",
    "legal_footer",
)
"""What ``PUT /brand`` and the preview take besides the revision and the files."""


class _Calls(Protocol):
    async def _call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        seconds: float | None = None,
        content: bytes | None = None,
        content_type: str | None = None,
    ) -> httpx.Response: ...


def _fields(fields: dict[str, str]) -> dict[str, Any]:
    """Empty optional fields mean "none", as the service expects them."""
    body: dict[str, Any] = {k: fields.get(k, "") for k in BRAND_FIELDS}
    for optional in ("custom_domain", "support_email"):
        body[optional] = body[optional].strip() or None
    return body


class BrandCalls:
    async def brand(self: _Calls) -> BrandView:
        return BRAND_VIEW.validate_json((await self._call("GET", "/brand")).content)

    async def public_brand(self: _Calls, tenant: str) -> PublicBrand:
        response = await self._call("GET", "/brand/public", params={"tenant": tenant})
        return PUBLIC_BRAND.validate_json(response.content)

    async def update_brand(self: _Calls, fields: dict[str, str], revision: int) -> BrandView:
        body = {**_fields(fields), "revision": revision}
        return BRAND_VIEW.validate_json((await self._call("PUT", "/brand", json=body)).content)

    async def preview_brand(
        self: _Calls, fields: dict[str, str], files: dict[AssetKind, bytes] | None = None
    ) -> PreviewResult:
        body = _fields(fields)
        for kind, data in (files or {}).items():
            body[kind] = base64.b64encode(data).decode("ascii")
        response = await self._call("POST", "/brand/preview", json=body)
        return PREVIEW.validate_json(response.content)

    async def upload_asset(self: _Calls, kind: AssetKind, data: bytes) -> BrandView:
        """The service recognises the file by its bytes, whatever type is declared."""
        response = await self._call(
            "PUT",
            f"/brand/assets/{kind}",
            content=data,
            content_type="application/octet-stream",
        )
        return BRAND_VIEW.validate_json(response.content)

    async def delete_asset(self: _Calls, kind: AssetKind) -> None:
        await self._call("DELETE", f"/brand/assets/{kind}")
