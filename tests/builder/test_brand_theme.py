"""The builder's theme from a brand: only checked values reach the page's CSS variables."""

from __future__ import annotations

import pytest

from builder.routes import login_to
from builder.views.theme import DEFAULT_THEME, css_variables, theme_from
from runtime.tenant.brand import DEFAULT_BRAND

ASSET = "/api/v1/brand/public/assets/acme/logo-0123456789abcdef.svg"


def test_a_brand_becomes_a_theme(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTERITY_API_URL", "http://127.0.0.1:9")
    monkeypatch.delenv("AUTERITY_PUBLIC_API_URL", raising=False)
    theme = theme_from(
        {
            "product_name": "Acme Flow",
            "primary_color": "#B91C1C",
            "accent_color": "#7f1d1d",
            "font": "Georgia",
            "legal_footer": "© Acme",
            "support_email": "help@acme.example",
            "logo_url": ASSET,
            "favicon_url": None,
        },
        "acme",
    )
    assert theme["primary"] == "#b91c1c"
    assert theme["logo"] == "http://127.0.0.1:9" + ASSET
    assert theme["favicon"] == ""
    assert theme["tenant"] == "acme"
    assert css_variables(theme) == {
        "--brand-primary": "#b91c1c",
        "--brand-accent": "#7f1d1d",
        "--brand-font": "\"Georgia\", system-ui, -apple-system, 'Segoe UI', sans-serif",
    }


def test_browsers_may_reach_the_service_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTERITY_PUBLIC_API_URL", "https://api.acme.example/")
    assert theme_from({"logo_url": ASSET})["logo"] == "https://api.acme.example" + ASSET


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("primary_color", "red;}body{display:none"),
        ("primary_color", "#fff"),
        ("accent_color", "url(javascript:alert(1))"),
        ("font", 'Inter", sans-serif; } * { color: red'),
        ("font", "</style><script>"),
    ],
)
def test_unchecked_values_never_reach_the_css(field: str, value: str) -> None:
    theme = theme_from({**DEFAULT_BRAND.model_dump(), field: value})
    variables = css_variables(theme)
    assert value not in " ".join(variables.values())
    assert variables == css_variables(DEFAULT_THEME)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "https://evil.example/logo.svg",
        "/api/v1/brand/public/assets/acme/../../../graphs",
        "//evil.example" + ASSET,
        ASSET + "?x=1",
    ],
)
def test_only_the_service_asset_paths_become_image_urls(url: str) -> None:
    assert theme_from({"logo_url": url, "favicon_url": url})["logo"] == ""


def test_texts_are_plain_and_bounded() -> None:
    theme = theme_from({"product_name": "A\u0000cme\u202e" + "x" * 100, "legal_footer": "y" * 999})
    assert "\u0000" not in theme["product_name"]
    assert "\u202e" not in theme["product_name"]
    assert len(theme["product_name"]) == 60
    assert len(theme["footer"]) == 300
    assert theme_from({})["product_name"] == DEFAULT_BRAND.product_name
    assert theme_from({"support_email": "x@y.z' onmouseover='a"})["support_email"] == ""


def test_logging_out_returns_to_the_tenants_login_page() -> None:
    assert login_to("acme") == "/login?tenant=acme"
    assert login_to("a&b=c") == "/login?tenant=a%26b%3Dc"
    assert login_to("") == "/login"
