"""Brand files: the examples load; unusable brands are refused with the field that is wrong."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from runtime.tenant.assets import AssetError, check_asset, sniff
from runtime.tenant.brand import BrandError, check_brand, load_brand
from runtime.tenant.colors import contrast

ROOT = Path(__file__).resolve().parents[2]
BRANDS = ROOT / "examples" / "brands"
BAD = ROOT / "tests" / "fixtures" / "brands"


def _png(size: int = 1) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\xb9\x1c\x1c" * size for _ in range(size)))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("name", ["acme", "globex"])
def test_example_brands_load_with_their_assets(name: str) -> None:
    package = load_brand(BRANDS / f"{name}.yaml")
    brand = package.brand
    assert brand.logo is not None
    assert brand.logo.media_type == "image/svg+xml"
    assert package.files[brand.logo.file_name] == (BRANDS / f"{name}-logo.svg").read_bytes()
    assert contrast(brand.primary_color, "#ffffff") >= 4.5


def test_acme_brand_fields() -> None:
    brand = load_brand(BRANDS / "acme.yaml").brand
    assert (brand.product_name, brand.primary_color, brand.font) == (
        "Acme Flow",
        "#b91c1c",
        "Georgia",
    )
    assert brand.custom_domain == "flow.acme-motors.example"
    assert brand.favicon is not None


def test_json_brand_file(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text('{"product_name": "Json Co", "primary_color": "#1E3A8A"}')
    assert load_brand(path).brand.primary_color == "#1e3a8a"


def test_unreadable_colours_are_refused_naming_both_fields() -> None:
    with pytest.raises(BrandError) as caught:
        load_brand(BAD / "pale.yaml")
    assert set(caught.value.problems) == {"primary_color", "accent_color"}
    assert "too light" in caught.value.problems["primary_color"]
    assert "4.5:1" in str(caught.value)


def test_a_page_named_png_is_refused_by_its_bytes() -> None:
    with pytest.raises(BrandError) as caught:
        load_brand(BAD / "wrong-type.yaml")
    assert "not an image we recognise" in caught.value.problems["logo"]


@pytest.mark.parametrize("fixture", ["scripted.svg", "linked.svg"])
def test_svg_with_scripts_or_external_links_is_refused(fixture: str) -> None:
    with pytest.raises(AssetError, match="scripts and links are refused"):
        check_asset("logo", (BAD / fixture).read_bytes())


def test_scripted_svg_in_a_brand_file_names_the_logo() -> None:
    with pytest.raises(BrandError) as caught:
        load_brand(BAD / "scripted.yaml")
    assert "onload" in caught.value.problems["logo"]


def test_too_large_assets_are_refused_with_the_limit() -> None:
    with pytest.raises(AssetError, match="larger than the 64 KB allowed"):
        check_asset("favicon", _png() + b"\x00" * 70_000)
    with pytest.raises(AssetError, match="larger than the 512 KB allowed"):
        check_asset("logo", _png() + b"\x00" * 600_000)


def test_a_jpeg_favicon_is_refused_with_the_allowed_types() -> None:
    with pytest.raises(AssetError, match="use one of: png, svg, ico"):
        check_asset("favicon", b"\xff\xd8\xff\xe0" + b"\x00" * 20)


def test_png_is_recognised_and_named_by_content() -> None:
    asset = check_asset("logo", _png())
    assert sniff(_png()) == "image/png"
    assert asset.file_name.startswith("logo-")
    assert asset.file_name.endswith(".png")
    assert check_asset("logo", _png(2)).file_name != asset.file_name


@pytest.mark.parametrize(
    ("fixture", "field", "words"),
    [
        ("missing-logo.yaml", "logo", "cannot read no-such-file.png"),
        ("broken.yaml", "file", "is not valid YAML"),
    ],
)
def test_broken_files_say_what_is_wrong(fixture: str, field: str, words: str) -> None:
    with pytest.raises(BrandError) as caught:
        load_brand(BAD / fixture)
    assert words in caught.value.problems[field]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"product_name": "x", "font": "Inter; } body { display:none"}, "font"),
        ({"product_name": "x", "custom_domain": "http://acme.com/x"}, "custom_domain"),
        ({"product_name": "x", "support_email": "not-an-email"}, "support_email"),
        ({"product_name": "x", "colour": "#000000"}, "colour"),
        ({"product_name": ""}, "product_name"),
        ({"product_name": "x", "legal_footer": "y" * 301}, "legal_footer"),
    ],
)
def test_fields_are_constrained_to_what_they_mean(data: dict[str, str], field: str) -> None:
    with pytest.raises(BrandError) as caught:
        check_brand(data)
    assert field in caught.value.problems


def test_oversized_brand_file_is_not_parsed(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text("product_name: x\n" + "#" * 70_000)
    with pytest.raises(BrandError, match="at most 64 KB"):
        load_brand(path)
