"""Branded builders in headless Chromium: two tenants side by side, and the Brand page's preview.

Tenants ``acme`` (seeded by the ``service`` fixture) and ``globex`` get the brands of
``examples/brands/*.yaml`` through the API. Each logs in in its own browser context; the
header's computed background must be the tenant's primary colour, the logo must load, and the
title and footer must be the brand's. The two screenshots are composed side by side into
``artifacts/brand/side-by-side.png`` (a tiny local HTML page, screenshotted). Then the preview:
a new primary colour shows in the preview and not in the header until Apply; a colour too
light for white text is named next to its field and Apply is refused.
"""

from __future__ import annotations

import html
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from builder import routes
from runtime.tenant.brand import load_brand
from tests.builder.conftest import SERVICE_PASSWORD
from tests.builder.session import log_in, wait_for_path

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

BRANDS = Path(__file__).resolve().parents[2] / "examples" / "brands"
SHOTS = "brand"


@dataclass(frozen=True)
class Login:
    tenant: str
    email: str
    password: str = SERVICE_PASSWORD


def rgb(hex_color: str) -> str:
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def _api(service: Any, who: Login) -> httpx.Client:
    answer = httpx.post(
        service.url + "/api/v1/auth/login",
        json={"tenant": who.tenant, "email": who.email, "password": who.password},
        trust_env=False,
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return httpx.Client(
        base_url=service.url + "/api/v1",
        headers={"Authorization": f"Bearer {answer.json()['token']}"},
        trust_env=False,
        timeout=30,
    )


def _apply_brand_file(service: Any, who: Login, name: str) -> dict[str, Any]:
    """Load ``examples/brands/<name>.yaml`` into the tenant through the API, files included."""
    package = load_brand(BRANDS / f"{name}.yaml")
    fields = package.brand.model_dump(mode="json", exclude={"logo", "favicon"})
    with _api(service, who) as api:
        revision = api.get("/brand").json()["revision"]
        saved = api.put("/brand", json={**fields, "revision": revision})
        assert saved.status_code == 200, saved.text
        for kind in ("logo", "favicon"):
            asset = getattr(package.brand, kind)
            if asset is None:
                continue
            data = package.files[asset.file_name]
            headers = {"content-type": "application/octet-stream"}
            put = api.put(f"/brand/assets/{kind}", content=data, headers=headers)
            assert put.status_code == 200, put.text
    return fields


@pytest.fixture(scope="module")
def tenants(service: Any) -> dict[str, tuple[Login, dict[str, Any]]]:
    import boto3  # type: ignore[import-untyped]  # boto3 ships no types

    from runtime.store import Directory

    client = boto3.client(
        "dynamodb",
        endpoint_url=service.aws_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    directory = Directory(client, "auterity")
    directory.create_tenant("globex", "Globex Health", "healthcare")
    directory.tenant("globex").create_user("admin@globex.test", SERVICE_PASSWORD, "admin")
    acme = Login(service.tenant, service.email, service.password)
    globex = Login("globex", "admin@globex.test")
    return {
        "acme": (acme, _apply_brand_file(service, acme, "acme")),
        "globex": (globex, _apply_brand_file(service, globex, "globex")),
    }


@pytest.fixture
def contexts(browser: Any, artifacts: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    """Separate browser contexts (own storage, own session); failed pages are screenshotted."""
    opened: list[Any] = []

    def new_page() -> Any:
        context = browser.new_context(viewport={"width": 1100, "height": 720})
        opened.append(context)
        return context.new_page()

    failures = request.session.testsfailed
    try:
        yield new_page
    finally:
        failed = request.session.testsfailed > failures or sys.exc_info()[0] is not None
        for number, context in enumerate(opened):
            if failed and context.pages:
                _shot(context.pages[0], artifacts, f"failed-{request.node.name}-{number}")
            context.close()


def _shot(page: Any, artifacts: Path, name: str) -> Path:
    folder = artifacts / SHOTS
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def _background(page: Any, test_id: str) -> str:
    return str(
        page.evaluate(
            "(id) => getComputedStyle(document.querySelector(`[data-testid=${id}]`))"
            ".backgroundColor",
            test_id,
        )
    )


def _wait_background(page: Any, test_id: str, color: str) -> None:
    page.wait_for_function(
        "([id, want]) => { const el = document.querySelector(`[data-testid=${id}]`);"
        " return el && getComputedStyle(el).backgroundColor === want; }",
        arg=[test_id, rgb(color)],
        timeout=30_000,
    )


def _check_branded(page: Any, fields: dict[str, Any]) -> None:
    """The header, logo, title and footer are the brand's."""
    page.wait_for_function(
        "(name) => document.querySelector('[data-testid=brand-name]')?.textContent === name",
        arg=fields["product_name"],
        timeout=30_000,
    )
    _wait_background(page, "brand-header", fields["primary_color"])
    page.wait_for_function(
        "() => { const img = document.querySelector('[data-testid=brand-logo]');"
        " return img && img.complete && img.naturalWidth > 0; }",
        timeout=30_000,
    )
    page.wait_for_function(
        "(name) => document.title.endsWith(name)", arg=fields["product_name"], timeout=30_000
    )
    footer = page.get_by_test_id("brand-footer")
    assert footer.inner_text() == fields["legal_footer"]
    accent = page.evaluate(
        "() => getComputedStyle(document.querySelector('.brand-root'))"
        ".getPropertyValue('--brand-accent').trim()"
    )
    assert accent == fields["accent_color"]


def _side_by_side(page: Any, shots: list[tuple[str, Path]], out: Path) -> None:
    """Two screenshots next to each other in one PNG, through a local HTML page."""
    cells = "".join(
        f'<figure><img src="{html.escape(path.as_uri())}"><figcaption>{html.escape(label)}'
        "</figcaption></figure>"
        for label, path in shots
    )
    page_file = out.with_suffix(".html")
    page_file.write_text(
        "<!doctype html><style>body{margin:0;display:flex;gap:16px;padding:16px;"
        "background:#e5e7eb;font:14px sans-serif;width:max-content}figure{margin:0}"
        "img{display:block;width:1100px;border:1px solid #9ca3af}"
        f"figcaption{{padding:6px 0}}</style>{cells}",
        encoding="utf-8",
    )
    page.set_viewport_size({"width": 2300, "height": 800})
    page.goto(page_file.as_uri())
    page.wait_for_function("() => [...document.images].every(i => i.naturalWidth > 0)")
    page.screenshot(path=str(out), full_page=True)


def test_two_tenants_each_see_their_own_brand(
    service: Any, builder_app: Any, tenants: Any, contexts: Any, artifacts: Path
) -> None:
    base = builder_app.frontend_url.rstrip("/")
    shots: list[tuple[str, Path]] = []
    pages: dict[str, Any] = {}
    for name in ("acme", "globex"):
        who, fields = tenants[name]
        page = contexts()
        # Before logging in, the login page already wears the tenant's brand.
        page.goto(base + routes.login_to(who.tenant))
        page.wait_for_function(
            "(name) => document.querySelector('[data-testid=login-title]')?.textContent"
            " === 'Log in to ' + name",
            arg=fields["product_name"],
            timeout=60_000,
        )
        log_in(page, base, who)
        _check_branded(page, fields)
        page.get_by_test_id("empty-state").wait_for()
        shots.append((f"{who.tenant}: {fields['product_name']}", _shot(page, artifacts, name)))
        pages[name] = page
    # Both pages hold their own brand at the same time.
    assert _background(pages["acme"], "brand-header") == rgb(tenants["acme"][1]["primary_color"])
    out = artifacts / SHOTS / "side-by-side.png"
    _side_by_side(contexts(), shots, out)
    assert out.stat().st_size > 10_000

    # Logging out and in as the other tenant switches the brand in the same tab.
    page = pages["acme"]
    page.get_by_test_id("logout").click()
    wait_for_path(page, routes.LOGIN)
    acme_name = tenants["acme"][1]["product_name"]
    page.wait_for_function(
        "(name) => document.querySelector('[data-testid=login-title]')?.textContent"
        " === 'Log in to ' + name",
        arg=acme_name,
    )
    log_in(page, base, tenants["globex"][0])
    _check_branded(page, tenants["globex"][1])


def test_the_brand_page_previews_before_it_applies(
    service: Any, builder_app: Any, tenants: Any, contexts: Any, artifacts: Path
) -> None:
    base = builder_app.frontend_url.rstrip("/")
    who, fields = tenants["acme"]
    page = contexts()
    log_in(page, base, who)
    _check_branded(page, fields)
    page.get_by_test_id("nav-settings").click()
    page.get_by_test_id("open-brand").click()
    wait_for_path(page, routes.BRAND)
    field = page.get_by_test_id("brand-field-primary_color")
    field.wait_for(timeout=30_000)
    _wait_background(page, "preview-header", fields["primary_color"])

    # A new colour and a new logo: the preview follows, the page's own header does not (yet).
    logo_before = page.get_by_test_id("brand-logo").get_attribute("src")
    field.fill("#1e3a8a")
    _wait_background(page, "preview-header", "#1e3a8a")
    page.locator("input[type=file]").first.set_input_files(str(BRANDS / "globex-logo.svg"))
    page.wait_for_function(
        "() => document.querySelector('[data-testid=preview-logo]')?.src"
        ".startsWith('data:image/svg+xml;base64,')",
        timeout=30_000,
    )
    assert _background(page, "brand-header") == rgb(fields["primary_color"])
    assert page.get_by_test_id("brand-logo").get_attribute("src") == logo_before
    assert page.get_by_test_id("brand-error-primary_color").count() == 0
    _shot(page, artifacts, "preview-before-apply")
    page.get_by_test_id("brand-apply").click()
    _wait_background(page, "brand-header", "#1e3a8a")
    page.wait_for_function(
        "(before) => { const img = document.querySelector('[data-testid=brand-logo]');"
        " return img && img.src !== before && img.complete && img.naturalWidth > 0; }",
        arg=logo_before,
        timeout=30_000,
    )
    _shot(page, artifacts, "applied")

    # Too light for white text: named next to the field, and Apply is refused.
    field.fill("#fde68a")
    error = page.get_by_test_id("brand-error-primary_color")
    error.wait_for(timeout=30_000)
    assert "too light" in error.inner_text()
    assert page.get_by_test_id("brand-apply").is_disabled()
    assert _background(page, "preview-header") == rgb("#1e3a8a")
    _shot(page, artifacts, "refused")
    with _api(service, who) as api:
        stored = api.get("/brand").json()["brand"]
    assert stored["primary_color"] == "#1e3a8a"
    assert stored["logo"]["sha256"] == load_brand(BRANDS / "globex.yaml").brand.logo.sha256  # type: ignore[union-attr]
    # Reloading the page shows the applied brand, not the refused proposal.
    page.reload()
    _check_branded(page, {**fields, "primary_color": "#1e3a8a"})


def _cli(service: Any, *args: str) -> Any:
    import os
    import subprocess

    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": service.aws_endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AUTERITY_TABLE": "auterity",
        "COLUMNS": "220",
        "NO_COLOR": "1",
        "TERM": "dumb",
    }
    return subprocess.run(
        [sys.executable, "-m", "runtime.cli", "tenant", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
        cwd=BRANDS.parents[1],
    )


def test_a_tenant_provisioned_from_the_cli_logs_in_to_its_own_brand(
    service: Any, builder_app: Any, contexts: Any
) -> None:
    """The issue's Done-when: `auterity tenant provision ... --target local` shows its steps
    and the stack's outputs; the tenant's builder wears Acme's brand (its first admin chooses
    a password first); `teardown` removes stack and account."""
    import re

    done = _cli(
        service,
        "provision",
        "acme-motors",
        "--brand",
        str(BRANDS / "acme.yaml"),
        "--target",
        "local",
        "--industry",
        "automotive",
        "--admin-email",
        "owner@acme-motors.example",
    )
    assert done.returncode == 0, done.stderr[-3000:]
    for step in ("synth", "deploy", "validate", "account"):
        assert step in done.stderr
    assert "BucketName" in done.stdout
    assert "FunctionName" in done.stdout or "ApiUrl" in done.stdout
    found = re.search(r"one-time password (\S+)", done.stdout)
    assert found is not None, done.stdout
    fields = load_brand(BRANDS / "acme.yaml").brand.model_dump()

    base = builder_app.frontend_url.rstrip("/")
    page = contexts()
    page.goto(base + routes.login_to("acme-motors"))
    page.wait_for_function(
        "(name) => document.querySelector('[data-testid=login-title]')?.textContent"
        " === 'Log in to ' + name",
        arg=fields["product_name"],
        timeout=60_000,
    )
    page.get_by_test_id("login-tenant").fill("acme-motors")
    page.get_by_test_id("login-email").fill("owner@acme-motors.example")
    page.get_by_test_id("login-password").fill(found.group(1))
    page.get_by_test_id("login-submit").click()
    page.get_by_test_id("choose-password").wait_for(timeout=30_000)
    page.get_by_test_id("login-new_password").fill("acme-owner-chose-1")
    page.get_by_test_id("login-repeat_password").fill("acme-owner-chose-2")
    page.get_by_test_id("choose-password-submit").click()
    assert "differ" in page.get_by_test_id("login-error").inner_text()
    page.get_by_test_id("login-repeat_password").fill("acme-owner-chose-1")
    page.get_by_test_id("choose-password-submit").click()
    wait_for_path(page, routes.GRAPHS)
    _check_branded(page, fields)
    page.get_by_text("Dealership lead triage (AI)").first.wait_for(timeout=30_000)

    gone = _cli(service, "teardown", "acme-motors", "--target", "local", "--yes")
    assert gone.returncode == 0, gone.stderr[-3000:]
    assert "deleted" in gone.stdout
    assert _cli(service, "status", "acme-motors", "--target", "local").returncode == 1
    answer = httpx.post(
        service.url + "/api/v1/auth/login",
        json={
            "tenant": "acme-motors",
            "email": "owner@acme-motors.example",
            "password": "acme-owner-chose-1",
        },
        trust_env=False,
        timeout=30,
    )
    assert answer.status_code == 401
