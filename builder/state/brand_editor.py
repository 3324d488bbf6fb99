"""The Brand page (Settings → Brand): edit a proposal, preview it, then Apply.

Every edit is checked by the service (``POST /brand/preview``, which stores nothing); its
problems show next to their fields, and the preview follows the fields that passed. Files
picked for the logo or favicon stay here until Apply. Apply saves the fields on the revision
that was loaded (a concurrent change is a conflict, not an overwrite), then the files, and only
then does the page's own brand change.
"""

from __future__ import annotations

import base64
from typing import Any

import reflex as rx

from builder.client.api import ServiceError
from builder.client.brand_calls import BRAND_FIELDS
from builder.state.session import api_for, failed
from builder.state.theme import ThemeState
from builder.views.theme import Theme, css_variables, theme_from
from runtime.service.schemas import BrandView
from runtime.tenant.assets import AssetKind
from runtime.tenant.brand import Brand

KINDS: tuple[AssetKind, ...] = ("logo", "favicon")


def draft_of(brand: Brand) -> dict[str, str]:
    """The brand's fields as form values (absent optional fields are empty)."""
    values = brand.model_dump(include=set(BRAND_FIELDS))
    return {name: "" if values[name] is None else str(values[name]) for name in BRAND_FIELDS}


def theme_of(view: BrandView, tenant: str) -> Theme:
    fields = {**view.brand.model_dump(), "logo_url": view.logo_url}
    return theme_from({**fields, "favicon_url": view.favicon_url}, tenant)


def data_url(media_type: str, data: bytes) -> str:
    """A proposed file for the preview's ``<img>`` (which never runs an SVG's scripts)."""
    return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"


class BrandEditorState(rx.State):
    draft: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    problems: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    preview: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    """The proposal as a checked theme: what the preview shows."""
    saved: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    pending: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    """``logo``/``favicon`` -> ``upload`` (a picked file) or ``remove``, until Apply."""
    revision: rx.Field[int] = rx.field(0)
    loaded: rx.Field[bool] = rx.field(False)
    applying: rx.Field[bool] = rx.field(False)
    _files: dict[str, bytes] = {}  # a backend-only var: never sent to the page
    _tenant: str = ""

    @rx.var
    def preview_variables(self) -> dict[str, str]:
        return css_variables(self.preview)

    @rx.var
    def dirty(self) -> bool:
        return self.draft != self.saved or bool(self.pending)

    @rx.var
    def can_apply(self) -> bool:
        return self.loaded and self.dirty and not self.problems and not self.applying

    def _show(self, view: BrandView, tenant: str) -> None:
        self._tenant = tenant
        self.draft = draft_of(view.brand)
        self.saved = dict(self.draft)
        self.revision = view.revision
        self.preview = theme_of(view, tenant)
        self.problems, self.pending, self._files = {}, {}, {}

    @rx.event
    async def load(self) -> Any:
        api = await api_for(self)
        if not api.token:
            return None
        self.loaded = False
        try:
            view = await api.brand()
        except ServiceError as exc:
            return await failed(self, exc, "Brand not loaded")
        theme = await self.get_state(ThemeState)
        self._show(view, theme.theme.get("tenant", ""))
        self.loaded = True
        return None

    @rx.event
    async def set_field(self, name: str, value: str) -> Any:
        if name not in BRAND_FIELDS:
            return None
        self.draft = {**self.draft, name: value}
        return await self._check()

    async def _check(self) -> Any:
        """Ask the service about the proposal; show its problems, preview what passed."""
        api = await api_for(self)
        files = {kind: data for kind, data in self._files.items() if kind in KINDS}
        try:
            result = await api.preview_brand(self.draft, files)
        except ServiceError as exc:
            return await failed(self, exc, "Not checked")
        self.problems = result.problems
        for kind in KINDS:
            if kind in result.problems and self.pending.get(kind) == "upload":
                self._files.pop(kind, None)  # a refused file is dropped; its reason stays shown
                self.pending = {k: v for k, v in self.pending.items() if k != kind}
        fields: dict[str, Any] = {**self._preview_fields()}
        fields.update({k: v for k, v in self.draft.items() if k not in result.problems})
        preview = theme_from(fields, self._tenant)
        proposed = result.brand
        for kind in KINDS:
            asset = getattr(proposed, kind) if proposed is not None else None
            if self.pending.get(kind) == "remove":
                preview[kind] = ""
            elif asset is not None and kind in self._files:
                preview[kind] = data_url(asset.media_type, self._files[kind])
            else:
                preview[kind] = self.preview.get(kind, "")
        self.preview = preview
        return None

    def _preview_fields(self) -> dict[str, str]:
        """The preview's current values under the brand's field names."""
        p = self.preview
        return {
            "product_name": p.get("product_name", ""),
            "primary_color": p.get("primary", ""),
            "accent_color": p.get("accent", ""),
            "font": p.get("font", ""),
            "legal_footer": p.get("footer", ""),
            "support_email": p.get("support_email", ""),
        }

    async def _picked(self, kind: AssetKind, files: list[rx.UploadFile]) -> Any:
        if not files:
            return None
        self._files = {**self._files, kind: await files[0].read()}
        self.pending = {**self.pending, kind: "upload"}
        return await self._check()

    @rx.event
    async def pick_logo(self, files: list[rx.UploadFile]) -> Any:
        return await self._picked("logo", files)

    @rx.event
    async def pick_favicon(self, files: list[rx.UploadFile]) -> Any:
        return await self._picked("favicon", files)

    @rx.event
    async def remove(self, kind: str) -> Any:
        if kind not in KINDS:
            return None
        self._files.pop(kind, None)
        self.pending = {**self.pending, kind: "remove"}
        return await self._check()

    @rx.event
    async def discard(self) -> Any:
        return await self.load()  # type: ignore[operator]

    @rx.event
    async def apply(self) -> Any:
        """Save the proposal; refused while any field or file has a problem."""
        await self._check()
        if self.problems:
            yield rx.toast.error("Fix the fields marked in red before applying.")
            return
        api = await api_for(self)
        self.applying = True
        yield
        try:
            view = await api.update_brand(self.draft, self.revision)
            for kind in KINDS:
                if self.pending.get(kind) == "upload" and kind in self._files:
                    view = await api.upload_asset(kind, self._files[kind])
                elif self.pending.get(kind) == "remove":
                    await api.delete_asset(kind)
                    view = await api.brand()
        except ServiceError as exc:
            self.applying = False
            if exc.conflict:
                yield rx.toast.error("Someone changed the brand meanwhile; reload to see it.")
                return
            yield await failed(self, exc, "Brand not applied")
            return
        self.applying = False
        self._show(view, self._tenant)
        theme = await self.get_state(ThemeState)
        theme.use(theme_of(view, self._tenant))
        yield rx.toast.success("Brand applied")
