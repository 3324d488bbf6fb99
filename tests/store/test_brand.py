"""The tenant's brand item and its asset files in S3 (moto): revisions, isolation, transfer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from runtime.service.gate import gate_of
from runtime.store import (
    AssetFiles,
    Conflict,
    InvalidInput,
    NotFound,
    TenantStore,
    create_bucket,
    create_table,
    make_client,
    make_s3_client,
)
from runtime.tenant.brand import DEFAULT_BRAND, check_brand, load_brand

BUCKET = "auterity-brand-assets"
BRANDS = Path(__file__).resolve().parents[2] / "examples" / "brands"


@pytest.fixture
def s3(client: Any) -> Any:
    """Made inside the ``client`` fixture's ``mock_aws``, so it is moto's S3 too."""
    s3 = make_s3_client(region="us-east-1")
    create_bucket(s3, BUCKET)
    create_bucket(s3, BUCKET)  # a second start finds it and carries on
    return s3


def _files(store: TenantStore, s3: Any) -> AssetFiles:
    return store.asset_files(s3, BUCKET)


def test_a_tenant_without_a_brand_has_the_default(acme: TenantStore) -> None:
    stored = acme.get_brand()
    assert stored.brand == DEFAULT_BRAND
    assert stored.revision == 0


def test_updates_need_the_current_revision(acme: TenantStore) -> None:
    acme_brand = load_brand(BRANDS / "acme.yaml").brand
    first = acme.put_brand(acme_brand, 0)
    assert first.revision == 1
    assert acme.get_brand() == first
    with pytest.raises(Conflict) as stale:
        acme.put_brand(DEFAULT_BRAND, 0)
    assert stale.value.current_version == 1
    second = acme.put_brand(acme_brand.model_copy(update={"primary_color": "#111111"}), 1)
    assert acme.get_brand().brand.primary_color == "#111111"
    assert second.revision == 2


def test_brands_are_per_tenant(acme: TenantStore, acme_co: TenantStore) -> None:
    acme.put_brand(load_brand(BRANDS / "acme.yaml").brand, 0)
    assert acme_co.get_brand().brand == DEFAULT_BRAND
    acme_co.put_brand(load_brand(BRANDS / "globex.yaml").brand, 0)
    assert acme.get_brand().brand.product_name == "Acme Flow"
    assert acme_co.get_brand().brand.product_name == "Globex Care Builder"


def test_setting_an_asset_keeps_the_other_fields_and_returns_the_old_one(
    acme: TenantStore,
) -> None:
    package = load_brand(BRANDS / "acme.yaml")
    acme.put_brand(package.brand.model_copy(update={"logo": None}), 0)
    assert package.brand.logo is not None
    stored, previous = acme.set_brand_asset("logo", package.brand.logo)
    assert previous is None
    assert stored.brand.logo == package.brand.logo
    assert stored.brand.primary_color == package.brand.primary_color
    stored, previous = acme.set_brand_asset("logo", None)
    assert previous == package.brand.logo
    assert stored.brand.logo is None
    assert stored.revision == 3


def test_asset_files_round_trip_under_the_tenant_prefix(acme: TenantStore, s3: Any) -> None:
    package = load_brand(BRANDS / "acme.yaml")
    logo = package.brand.logo
    assert logo is not None
    files = _files(acme, s3)
    files.put(logo, package.files[logo.file_name])
    assert files.get(logo.file_name) == package.files[logo.file_name]
    listed = s3.list_objects_v2(Bucket=BUCKET)["Contents"]
    assert [o["Key"] for o in listed] == [f"TENANT#acme#ASSET#{logo.file_name}"]
    head = s3.head_object(Bucket=BUCKET, Key=listed[0]["Key"])
    assert head["ContentType"] == "image/svg+xml"
    files.delete(logo.file_name)
    files.delete(logo.file_name)  # already gone: fine
    with pytest.raises(NotFound):
        files.get(logo.file_name)


def test_a_tenant_cannot_read_or_delete_another_tenants_asset(
    acme: TenantStore, acme_co: TenantStore, s3: Any
) -> None:
    package = load_brand(BRANDS / "acme.yaml")
    logo = package.brand.logo
    assert logo is not None
    _files(acme, s3).put(logo, package.files[logo.file_name])
    theirs = _files(acme_co, s3)
    with pytest.raises(NotFound):
        theirs.get(logo.file_name)  # the same name means acme-co's own (absent) object
    theirs.delete(logo.file_name)
    assert _files(acme, s3).get(logo.file_name) == package.files[logo.file_name]


@pytest.mark.parametrize(
    "name",
    [
        "../TENANT#acme#ASSET#logo-0123456789abcdef.svg",
        "TENANT#acme#ASSET#logo-0123456789abcdef.svg",
        "logo-0123456789abcdef.svg/../../x",
        "logo-0123456789ABCDEF.svg",
        "logo-0123456789abcdef.html",
        "banner-0123456789abcdef.png",
        "",
    ],
)
def test_names_that_are_not_asset_names_are_refused(acme: TenantStore, s3: Any, name: str) -> None:
    with pytest.raises(InvalidInput):
        _files(acme, s3).get(name)


def test_export_and_import_carry_the_brand(acme: TenantStore, aws_env: None) -> None:
    brand = check_brand({"product_name": "Moved", "primary_color": "#333333"}).brand
    acme.put_brand(brand, 0)
    lines = list(acme.export_lines())
    assert any('"BRAND"' in line for line in lines)
    other = make_client(region="us-east-1")
    create_table(other, "elsewhere")
    restored = TenantStore(other, "acme", "elsewhere")
    assert restored.import_lines(lines, gate_of(restored)) == len(lines)
    assert restored.get_brand() == acme.get_brand()
    assert restored.get_brand().brand.product_name == "Moved"
