"""The builder's brand calls against the real service app (moto's DynamoDB and S3), via ASGI."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]  # boto3 ships no types
import httpx
import pytest
from moto import mock_aws

from builder.client.api import Api, ServiceError
from builder.state.brand_editor import draft_of, theme_of
from runtime.service.app import create_app
from runtime.service.config import ServiceConfig
from runtime.store import Directory, create_bucket, create_table
from runtime.tenant.brand import DEFAULT_BRAND, load_brand

BRANDS = Path(__file__).resolve().parents[2] / "examples" / "brands"
PASSWORD = "correct horse battery"
BASE = "http://service.test"


@pytest.fixture
def transport(monkeypatch: pytest.MonkeyPatch) -> Iterator[httpx.ASGITransport]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_table(client, "auterity")
        create_bucket(boto3.client("s3", region_name="us-east-1"), "auterity-brand-assets")
        directory = Directory(client, "auterity")
        directory.create_tenant("acme", "Acme")
        store = directory.tenant("acme")
        store.create_user("admin@example.com", PASSWORD, "admin")
        store.create_user("viewer@example.com", PASSWORD, "viewer")
        app = create_app(ServiceConfig(token_secret="t" * 48), client)
        yield httpx.ASGITransport(app=app)


async def _login(transport: httpx.ASGITransport, who: str = "admin") -> Api:
    session = await Api(base_url=BASE, transport=transport).login(
        "acme", f"{who}@example.com", PASSWORD
    )
    return Api(session.token, base_url=BASE, transport=transport)


async def test_the_brand_page_round_trip(transport: httpx.ASGITransport, monkeypatch: Any) -> None:
    monkeypatch.setenv("AUTERITY_API_URL", BASE)
    api = await _login(transport)
    view = await api.brand()
    assert view.brand == DEFAULT_BRAND
    package = load_brand(BRANDS / "acme.yaml")
    draft = draft_of(package.brand)
    assert draft["custom_domain"] == "flow.acme-motors.example"
    logo = (BRANDS / "acme-logo.svg").read_bytes()
    checked = await api.preview_brand({**draft, "support_email": ""}, {"logo": logo})
    assert checked.valid
    assert checked.brand is not None
    assert checked.brand.support_email is None  # an empty optional field means "none"
    refused = await api.preview_brand({**draft, "primary_color": "#fef3c7"}, {"logo": b"GIF89a"})
    assert set(refused.problems) == {"primary_color", "logo"}

    saved = await api.update_brand(draft, view.revision)
    assert saved.revision == 1
    uploaded = await api.upload_asset("logo", logo)
    assert uploaded.logo_url is not None
    theme = theme_of(uploaded, "acme")
    assert theme["logo"] == BASE + uploaded.logo_url
    assert theme["primary"] == "#b91c1c"
    public = await Api(base_url=BASE, transport=transport).public_brand("acme")
    assert public.product_name == "Acme Flow"
    assert public.logo_url == uploaded.logo_url

    with pytest.raises(ServiceError) as stale:
        await api.update_brand(draft, 0)
    assert stale.value.conflict
    with pytest.raises(ServiceError) as bad:
        await api.upload_asset("favicon", b"<html></html>")
    assert bad.value.status == 422
    assert bad.value.extra["problems"][0]["field"] == "favicon"
    await api.delete_asset("logo")
    assert (await api.brand()).logo_url is None


async def test_viewers_read_but_cannot_change(transport: httpx.ASGITransport) -> None:
    viewer = await _login(transport, "viewer")
    assert (await viewer.brand()).revision == 0
    with pytest.raises(ServiceError) as refused:
        await viewer.update_brand(draft_of(DEFAULT_BRAND), 0)
    assert refused.value.status == 403
