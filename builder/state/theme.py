"""The brand the page is dressed in.

The logged-in tenant's brand, or on the login page the brand of ``?tenant=`` (the default
brand for none, or for a tenant that does not exist).
``SessionState`` sets it after every session check and resets it on logout; the Brand page sets
it after Apply. Components read the checked values below and ``variables`` (CSS custom
properties), never raw brand fields.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from builder.client.api import Api, ServiceError
from builder.views.theme import DEFAULT_FAVICON, DEFAULT_THEME, Theme, css_variables, theme_from


class ThemeState(rx.State):
    theme: rx.Field[dict[str, str]] = rx.field(default_factory=lambda: dict(DEFAULT_THEME))

    @rx.var
    def product_name(self) -> str:
        return self.theme.get("product_name", "")

    @rx.var
    def logo(self) -> str:
        return self.theme.get("logo", "")

    @rx.var
    def favicon(self) -> str:
        return self.theme.get("favicon", "") or DEFAULT_FAVICON

    @rx.var
    def footer(self) -> str:
        return self.theme.get("footer", "")

    @rx.var
    def support_email(self) -> str:
        return self.theme.get("support_email", "")

    @rx.var
    def variables(self) -> dict[str, str]:
        return css_variables(self.theme)

    def use(self, theme: Theme) -> None:
        self.theme = theme

    def use_default(self) -> None:
        self.theme = dict(DEFAULT_THEME)

    async def use_tenant(self, api: Api, tenant: str) -> None:
        """The logged-in tenant's brand; on an error the page keeps the brand it has."""
        try:
            view = await api.brand()
        except ServiceError:
            return
        fields = {**view.brand.model_dump(), "logo_url": view.logo_url}
        self.theme = theme_from({**fields, "favicon_url": view.favicon_url}, tenant)

    @rx.event
    async def load_public(self) -> None:
        """On load of the login page: the brand of ``?tenant=``."""
        tenant = self.router.url.query_parameters.get("tenant", "")
        await self._public(tenant if isinstance(tenant, str) else "")

    @rx.event
    async def show_public(self, tenant: str) -> None:
        """The login page's organisation field was filled in: show that tenant's brand."""
        if tenant.strip().lower() != self.theme.get("tenant"):
            await self._public(tenant)

    async def _public(self, tenant: str) -> None:
        tenant = tenant.strip().lower()[:63]
        if not tenant:
            self.use_default()
            return
        try:
            public = await Api().public_brand(tenant)
        except ServiceError:
            return
        self.theme = theme_from(public.model_dump(), tenant)


def page_title(page: str) -> Any:
    """``Graphs · Acme Flow``: the tab's title, following the brand."""
    return f"{page} · {ThemeState.product_name}" if page else ThemeState.product_name
