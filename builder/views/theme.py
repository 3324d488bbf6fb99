"""A brand as the builder's page uses it: checked values, CSS variables and asset URLs.

The service has already checked every brand it stores, and the builder checks again before a
value reaches the page: a colour must be ``#rrggbb`` and a font a plain family name, or the
default is used. Values are only ever set as CSS custom properties (``--brand-primary``...),
never spliced into CSS or HTML source; ``assets/brand.css`` says where each one is used.
"""

from __future__ import annotations

import os
import re
from typing import Any

from builder.client.api import api_url
from runtime.tenant.brand import DEFAULT_BRAND

HEX = re.compile(r"^#[0-9a-f]{6}$")
FONT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 \-]{0,39}$")
ASSET_PATH = re.compile(
    r"^/api/v1/brand/public/assets/[a-z0-9-]{2,63}/[a-z]+-[0-9a-f]{16}\.[a-z]+$"
)
EMAIL = re.compile(r"^[^@\s<>\"'()]{1,64}@[A-Za-z0-9.\-]{1,190}$")
PUBLIC_API_URL_ENV = "AUTERITY_PUBLIC_API_URL"
"""Where browsers reach the service, if not at ``AUTERITY_API_URL`` (a proxy, another host)."""
FALLBACK_FONTS = "system-ui, -apple-system, 'Segoe UI', sans-serif"
DEFAULT_FAVICON = "/favicon.ico"

Theme = dict[str, str]
"""What the page shows; every value already checked (see ``theme_from``)."""


def browser_api_url() -> str:
    return (os.environ.get(PUBLIC_API_URL_ENV) or api_url()).rstrip("/")


def _color(value: Any, default: str) -> str:
    text = str(value or "").lower()
    return text if HEX.match(text) else default


def _asset(path: Any) -> str:
    """An absolute URL for an asset path the service gave, or "" for anything else."""
    text = str(path or "")
    return browser_api_url() + text if ASSET_PATH.match(text) else ""


def _plain(value: Any, limit: int) -> str:
    """Plain text (rendered as text, never HTML), without control characters."""
    text = "".join(ch for ch in str(value or "") if ch == " " or ch.isprintable())
    return text[:limit]


def theme_from(fields: dict[str, Any], tenant: str = "") -> Theme:
    """A theme from a public brand, or from ``BrandView.brand`` plus its ``*_url`` fields."""
    font = str(fields.get("font") or "")
    email = str(fields.get("support_email") or "")
    return {
        "tenant": tenant,
        "product_name": _plain(fields.get("product_name"), 60) or DEFAULT_BRAND.product_name,
        "primary": _color(fields.get("primary_color"), DEFAULT_BRAND.primary_color),
        "accent": _color(fields.get("accent_color"), DEFAULT_BRAND.accent_color),
        "font": font if FONT.match(font) else DEFAULT_BRAND.font,
        "footer": _plain(fields.get("legal_footer"), 300),
        "support_email": email if EMAIL.match(email) else "",
        "logo": _asset(fields.get("logo_url")),
        "favicon": _asset(fields.get("favicon_url")),
    }


DEFAULT_THEME: Theme = theme_from(DEFAULT_BRAND.model_dump())


def css_variables(theme: Theme) -> dict[str, str]:
    """The custom properties ``assets/brand.css`` reads, from checked values only."""
    primary = _color(theme.get("primary"), DEFAULT_BRAND.primary_color)
    accent = _color(theme.get("accent"), DEFAULT_BRAND.accent_color)
    font = theme.get("font", "")
    family = f'"{font}", {FALLBACK_FONTS}' if FONT.match(font) else FALLBACK_FONTS
    return {"--brand-primary": primary, "--brand-accent": accent, "--brand-font": family}
