"""A tenant's brand: what its builder is called, how it looks, and where its users get help.

Two shapes: :class:`BrandFile` is what a person writes (YAML or JSON, assets as file paths next
to it); :class:`Brand` is the checked result, assets named by content hash, that is stored and
served. Everything a brand holds ends up in the builder's page, so every field is constrained to
what it means (a colour is ``#rrggbb``, a font a plain family name) and nothing is ever rendered
as HTML or CSS source.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from runtime.tenant.assets import Asset, AssetError, AssetKind, check_asset
from runtime.tenant.colors import HEX, TEXT_CONTRAST, UI_CONTRAST, WHITE, contrast

_FONT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 \-]{0,39}$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9\-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@([a-z0-9\-]+\.)+[a-z]{2,63}$", re.IGNORECASE)
MAX_FILE_BYTES = 64 * 1024
"""A brand file is a few lines; anything bigger is a mistake (or an attack on the parser)."""


class BrandError(ValueError):
    """A brand that cannot be used. ``problems`` maps each field to what is wrong with it."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{field}: {why}" for field, why in problems.items()))


def _hex(value: str) -> str:
    if not HEX.match(value):
        raise ValueError(f"{value!r} is not a colour; write it as #rrggbb, e.g. #1d4ed8")
    return value.lower()


def _font(value: str) -> str:
    if not _FONT.match(value):
        raise ValueError("a font is a family name of letters, digits, spaces and hyphens")
    return value


def _domain(value: str) -> str:
    value = value.lower().rstrip(".")
    if not _DOMAIN.match(value):
        raise ValueError(f"{value!r} is not a domain name like builder.acme.com")
    return value


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError(f"{value!r} is not an email address")
    return value


def _readable(minimum: float, use: str) -> Any:
    def check(value: str) -> str:
        value = _hex(value)
        ratio = contrast(value, WHITE)
        if ratio < minimum:
            raise ValueError(
                f"{value} is too light {use} (contrast {ratio:.2f}:1 against white, "
                f"needs {minimum}:1); choose a darker colour"
            )
        return value

    return AfterValidator(check)


PrimaryColor = Annotated[str, _readable(TEXT_CONTRAST, "under white text")]
AccentColor = Annotated[str, _readable(UI_CONTRAST, "to see on a white page")]
Font = Annotated[str, AfterValidator(_font)]
Domain = Annotated[str, AfterValidator(_domain)]
Email = Annotated[str, AfterValidator(_email)]


class _Look(BaseModel):
    """Fields shared by the written and the checked brand."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    product_name: str = Field(min_length=1, max_length=60)
    primary_color: PrimaryColor = "#1d4ed8"
    """Buttons and the header; white text sits on it, so it must be dark enough."""
    accent_color: AccentColor = "#0f766e"
    """Links, focus rings and selection outlines on a white canvas."""
    font: Font = "Inter"
    custom_domain: Domain | None = None
    support_email: Email | None = None
    legal_footer: str = Field(default="", max_length=300)
    """Plain text shown at the foot of every page (never HTML)."""


class BrandFile(_Look):
    """A brand as written by a person; ``logo`` and ``favicon`` are paths next to the file."""

    logo: str | None = None
    favicon: str | None = None


class Brand(_Look):
    """A checked brand; its assets are stored separately and named by content hash."""

    logo: Asset | None = None
    favicon: Asset | None = None


DEFAULT_BRAND = Brand(product_name="Auterity")


class StoredBrand(BaseModel):
    """A tenant's brand as stored, with the revision a writer must send back to replace it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    brand: Brand = DEFAULT_BRAND
    revision: int = Field(default=0, ge=0)
    """Optimistic-locking counter: 0 until the first write; the store bumps it on each."""


class BrandPackage(BaseModel):
    """A checked brand plus the bytes of its assets, ready to be stored or uploaded."""

    brand: Brand
    files: dict[str, bytes] = Field(default_factory=dict)
    """Asset file name (content-hashed) -> bytes."""


def _problems(error: ValidationError) -> dict[str, str]:
    found: dict[str, str] = {}
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"]) or "brand"
        message = str(item["msg"]).removeprefix("Value error, ")
        found.setdefault(field, message)
    return found


def check_brand(data: Any, assets: dict[AssetKind, bytes] | None = None) -> BrandPackage:
    """Check a brand given as data (``logo``/``favicon`` absent) plus asset bytes."""
    if not isinstance(data, dict):
        raise BrandError({"brand": "a brand is a mapping of fields, e.g. product_name: Acme"})
    try:
        look = _Look.model_validate({k: v for k, v in data.items() if k not in ("logo", "favicon")})
    except ValidationError as error:
        raise BrandError(_problems(error)) from None
    checked: dict[str, Asset] = {}
    files: dict[str, bytes] = {}
    problems: dict[str, str] = {}
    for kind, blob in (assets or {}).items():
        try:
            asset = check_asset(kind, blob)
        except AssetError as error:
            problems[kind] = str(error).removeprefix(f"{kind}: ")
            continue
        checked[kind] = asset
        files[asset.file_name] = blob
    if problems:
        raise BrandError(problems)
    brand = Brand(**look.model_dump(), **checked)
    return BrandPackage(brand=brand, files=files)


def _read(path: Path) -> Any:
    import yaml  # not in the Lambda layer (the store carries this module); only files need it

    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise BrandError({"file": f"{path} is {size} bytes; a brand file is at most 64 KB"})
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise BrandError({"file": f"cannot read {path}: {error}"}) from None
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as error:
        raise BrandError(
            {"file": f"{path} is not valid {path.suffix[1:].upper()}: {error}"}
        ) from None


def load_brand(path: Path) -> BrandPackage:
    """Read a brand file (``.yaml``, ``.yml`` or ``.json``) and the assets it names."""
    data = _read(path)
    if not isinstance(data, dict):
        raise BrandError({"file": f"{path} must hold a mapping of brand fields"})
    try:
        written = BrandFile.model_validate(data)
    except ValidationError as error:
        raise BrandError(_problems(error)) from None
    assets: dict[AssetKind, bytes] = {}
    problems: dict[str, str] = {}
    for kind, name in (("logo", written.logo), ("favicon", written.favicon)):
        if name is None:
            continue
        asset_path = (path.parent / name).resolve()
        try:
            assets[kind] = asset_path.read_bytes()  # type: ignore[index]
        except OSError as error:
            problems[kind] = f"cannot read {name}: {error.strerror or error}"
    if problems:
        raise BrandError(problems)
    return check_brand(written.model_dump(exclude={"logo", "favicon"}), assets)
