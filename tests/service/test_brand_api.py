"""The brand API: admins change it, every role reads it, the login page sees display fields.

Tenants ``acme`` and ``acme-co`` (an id that starts with the other's) prove that neither can
read or change the other's brand or asset files, through any of the brand routes.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]  # boto3 ships no types
import pytest
from fastapi.testclient import TestClient

from runtime.store import Directory, Role
from runtime.tenant.brand import DEFAULT_BRAND, load_brand
from tests.service.conftest import PASSWORD, Tenant

BRANDS = Path(__file__).resolve().parents[2] / "examples" / "brands"
BUCKET = "auterity-brand-assets"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
)
SCRIPTED = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def _fields(name: str) -> dict[str, Any]:
    brand = load_brand(BRANDS / f"{name}.yaml").brand
    return brand.model_dump(exclude={"logo", "favicon"})


def _logo(name: str) -> bytes:
    return (BRANDS / f"{name}-logo.svg").read_bytes()


def _put(client: TestClient, tenant: Tenant, fields: dict[str, Any], revision: int = 0) -> Any:
    return client.put("/api/v1/brand", json={**fields, "revision": revision}, headers=tenant.auth)


def _upload(client: TestClient, tenant: Tenant, kind: str, data: bytes) -> Any:
    headers = {**tenant.auth, "content-type": "application/octet-stream"}
    return client.put(f"/api/v1/brand/assets/{kind}", content=data, headers=headers)


def _login_as(client: TestClient, aws: Any, tenant: str, role: Role) -> dict[str, str]:
    email = f"{role}@example.com"
    Directory(aws, "auterity").tenant(tenant).create_user(email, PASSWORD, role)
    answer = client.post(
        "/api/v1/auth/login", json={"tenant": tenant, "email": email, "password": PASSWORD}
    )
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def _objects() -> list[str]:
    listed = boto3.client("s3", region_name="us-east-1").list_objects_v2(Bucket=BUCKET)
    return sorted(o["Key"] for o in listed.get("Contents", []))


def test_a_new_tenant_reads_the_default_brand(client: TestClient, acme: Tenant) -> None:
    answer = client.get("/api/v1/brand", headers=acme.auth)
    assert answer.status_code == 200
    body = answer.json()
    assert body["revision"] == 0
    assert body["brand"]["product_name"] == DEFAULT_BRAND.product_name
    assert body["logo_url"] is None


def test_admins_change_the_brand_and_every_role_reads_it(
    client: TestClient, aws: Any, acme: Tenant
) -> None:
    saved = _put(client, acme, _fields("acme"))
    assert saved.status_code == 200, saved.text
    assert saved.json()["revision"] == 1
    for role in ("viewer", "editor"):
        headers = _login_as(client, aws, "acme", role)
        read = client.get("/api/v1/brand", headers=headers)
        assert read.json()["brand"]["primary_color"] == "#b91c1c"
        refused = client.put("/api/v1/brand", json=_fields("globex"), headers=headers)
        assert refused.status_code == 403
        assert _upload(client, acme, "logo", PNG).status_code == 200  # admin may
        upload = client.put(
            "/api/v1/brand/assets/logo",
            content=PNG,
            headers={**headers, "content-type": "image/png"},
        )
        assert upload.status_code == 403
        assert client.delete("/api/v1/brand/assets/logo", headers=headers).status_code == 403
        assert (
            client.post(
                "/api/v1/brand/preview", json={"product_name": "x"}, headers=headers
            ).status_code
            == 403
        )
    events = Directory(aws, "auterity").tenant("acme").list_audit()
    actions = [(e.action, e.outcome) for e in events]
    assert ("brand.update", "succeeded") in actions
    assert ("brand.asset.put", "succeeded") in actions


def test_bad_fields_are_named_one_by_one(client: TestClient, acme: Tenant) -> None:
    fields = {
        **_fields("acme"),
        "primary_color": "#fde68a",
        "accent_color": "red",
        "support_email": "not an address",
        "font": "Comic</style>",
    }
    answer = _put(client, acme, fields)
    assert answer.status_code == 422
    problems = {p["field"]: p["message"] for p in answer.json()["error"]["problems"]}
    assert set(problems) == {"primary_color", "accent_color", "support_email", "font"}
    assert "too light" in problems["primary_color"]
    assert client.get("/api/v1/brand", headers=acme.auth).json()["revision"] == 0


def test_a_stale_revision_is_a_conflict(client: TestClient, acme: Tenant) -> None:
    assert _put(client, acme, _fields("acme")).status_code == 200
    stale = _put(client, acme, _fields("globex"), revision=0)
    assert stale.status_code == 409
    assert stale.json()["error"]["current_version"] == 1
    assert _put(client, acme, _fields("globex"), revision=1).status_code == 200


def test_fields_updates_keep_the_assets(client: TestClient, acme: Tenant) -> None:
    uploaded = _upload(client, acme, "logo", _logo("acme"))
    assert uploaded.status_code == 200, uploaded.text
    assert uploaded.json()["logo_url"].endswith(".svg")
    again = _put(client, acme, _fields("acme"), revision=uploaded.json()["revision"])
    assert again.json()["brand"]["logo"] == uploaded.json()["brand"]["logo"]


def test_assets_upload_raw_or_multipart_and_are_served_safely(
    client: TestClient, acme: Tenant
) -> None:
    raw = _upload(client, acme, "logo", _logo("acme"))
    assert raw.status_code == 200, raw.text
    logo_url = raw.json()["logo_url"]
    form = client.put(
        "/api/v1/brand/assets/favicon",
        files={"file": ("favicon.png", PNG, "text/html")},  # the declared type is not trusted
        headers=acme.auth,
    )
    assert form.status_code == 200, form.text
    favicon = form.json()["brand"]["favicon"]
    assert favicon["media_type"] == "image/png"
    served = client.get(logo_url)  # no credential: the login page needs it
    assert served.status_code == 200
    assert served.content == _logo("acme")
    assert served.headers["content-type"] == "image/svg+xml"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'none'" in served.headers["content-security-policy"]
    assert "sandbox" in served.headers["content-security-policy"]
    assert "immutable" in served.headers["cache-control"]
    icon = client.get(form.json()["favicon_url"])
    assert icon.headers["content-type"] == "image/png"
    assert icon.content == PNG


def test_bad_assets_are_refused_with_the_reason(client: TestClient, acme: Tenant) -> None:
    too_big = _upload(client, acme, "favicon", PNG + b"\0" * (64 * 1024))
    assert too_big.status_code == 413
    assert "favicon" in too_big.json()["error"]["message"]
    for data, reason in (
        (SCRIPTED, "script"),
        (b"<html>hi</html>", "not an image"),
        (b"", "empty"),
    ):
        answer = _upload(client, acme, "logo", data)
        assert answer.status_code == 422, answer.text
        problem = answer.json()["error"]["problems"][0]
        assert problem["field"] == "logo"
        assert reason in problem["message"]
    ico = _upload(client, acme, "logo", b"\x00\x00\x01\x00" + b"\0" * 20)
    assert ico.status_code == 422  # a favicon type, not a logo type
    assert (
        client.put("/api/v1/brand/assets/banner", content=PNG, headers=acme.auth).status_code == 422
    )
    assert _objects() == []


def test_replacing_or_deleting_an_asset_stops_serving_the_old_file(
    client: TestClient, acme: Tenant
) -> None:
    first = _upload(client, acme, "logo", _logo("acme")).json()
    second = _upload(client, acme, "logo", PNG).json()
    assert client.get(first["logo_url"]).status_code == 404
    assert client.get(second["logo_url"]).status_code == 200
    assert len(_objects()) == 1  # the replaced file was removed
    deleted = client.delete("/api/v1/brand/assets/logo", headers=acme.auth)
    assert deleted.status_code == 204
    assert client.get(second["logo_url"]).status_code == 404
    assert client.get("/api/v1/brand", headers=acme.auth).json()["brand"]["logo"] is None
    assert _objects() == []
    assert client.delete("/api/v1/brand/assets/logo", headers=acme.auth).status_code == 204


def test_the_public_brand_shows_display_fields_and_never_probes_tenants(
    client: TestClient, acme: Tenant
) -> None:
    _put(client, acme, _fields("acme"))
    _upload(client, acme, "logo", _logo("acme"))
    public = client.get("/api/v1/brand/public", params={"tenant": "acme"})
    assert public.status_code == 200
    body = public.json()
    assert body["product_name"] == "Acme Flow"
    assert body["primary_color"] == "#b91c1c"
    assert body["logo_url"].startswith("/api/v1/brand/public/assets/acme/logo-")
    assert "custom_domain" not in body
    assert "flow.acme-motors.example" not in public.text
    assert "revision" not in body
    default = DEFAULT_BRAND.model_dump(include=set(body) - {"logo_url", "favicon_url"})
    for unknown in ("ghost", "acme-c", "ACME", "../acme", "", "a" * 150):
        answer = client.get("/api/v1/brand/public", params={"tenant": unknown})
        assert answer.status_code == 200, unknown
        assert {k: v for k, v in answer.json().items() if k in default} == default
        assert answer.json()["logo_url"] is None


def test_one_tenant_cannot_read_or_change_anothers_brand_or_assets(
    client: TestClient, acme: Tenant, acme_co: Tenant
) -> None:
    _put(client, acme, _fields("acme"))
    acme_logo = _upload(client, acme, "logo", _logo("acme")).json()
    file_name = acme_logo["brand"]["logo"]["sha256"]
    name = acme_logo["logo_url"].rsplit("/", 1)[-1]
    # acme-co's own credential reads and writes only acme-co.
    theirs = client.get("/api/v1/brand", headers=acme_co.auth).json()
    assert theirs["revision"] == 0
    assert theirs["brand"]["product_name"] == DEFAULT_BRAND.product_name
    changed = _put(client, acme_co, _fields("globex"))
    assert changed.status_code == 200
    assert _upload(client, acme_co, "logo", _logo("globex")).status_code == 200
    assert client.delete("/api/v1/brand/assets/logo", headers=acme_co.auth).status_code == 204
    mine = client.get("/api/v1/brand", headers=acme.auth).json()
    assert mine["brand"]["product_name"] == "Acme Flow"
    assert mine["brand"]["logo"]["sha256"] == file_name
    assert client.get(acme_logo["logo_url"]).content == _logo("acme")
    # acme's file under acme-co's path (or any other tenant's) is not there.
    for tenant in ("acme-co", "ghost"):
        answer = client.get(f"/api/v1/brand/public/assets/{tenant}/{name}")
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "not_found"
    for probe in ("..%2Facme%2F" + name, "TENANT%23acme%23ASSET%23" + name):
        answer = client.get(f"/api/v1/brand/public/assets/acme-co/{probe}")
        assert answer.status_code == 404
    assert all(key.startswith(("TENANT#acme#", "TENANT#acme-co#")) for key in _objects())


def test_preview_checks_without_storing(client: TestClient, acme: Tenant) -> None:
    proposed = {**_fields("globex"), "logo": base64.b64encode(_logo("globex")).decode()}
    good = client.post("/api/v1/brand/preview", json=proposed, headers=acme.auth)
    assert good.status_code == 200, good.text
    assert good.json()["valid"] is True
    assert good.json()["brand"]["logo"]["media_type"] == "image/svg+xml"
    bad = client.post(
        "/api/v1/brand/preview",
        json={
            **proposed,
            "primary_color": "#ffff00",
            "favicon": base64.b64encode(SCRIPTED).decode(),
            "logo": "%%%",
        },
        headers=acme.auth,
    )
    assert bad.status_code == 200
    assert bad.json()["valid"] is False
    assert set(bad.json()["problems"]) == {"primary_color", "favicon", "logo"}
    stored = client.get("/api/v1/brand", headers=acme.auth).json()
    assert stored["revision"] == 0
    assert _objects() == []


@pytest.mark.parametrize("kind", ["logo", "favicon"])
def test_a_declared_oversized_upload_is_refused_before_it_is_read(
    client: TestClient, acme: Tenant, kind: str
) -> None:
    headers = {**acme.auth, "content-type": "image/png", "content-length": str(10 * 1024 * 1024)}
    answer = client.put(f"/api/v1/brand/assets/{kind}", content=PNG * 10, headers=headers)
    assert answer.status_code == 413
