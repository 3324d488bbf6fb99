"""Brand asset files (logo, favicon): recognised by their bytes, bounded in size, made safe.

The file name's extension is not trusted: a ``logo.png`` that is really an HTML page would be
served to every user of the tenant's builder. SVG is accepted only without scripts, event
handlers, foreign objects or external references, because browsers run SVG scripts when the
file is opened directly (``<img>`` alone would be safe, a link to the asset would not).
"""

from __future__ import annotations

import hashlib
import re
from typing import Literal

from pydantic import BaseModel

AssetKind = Literal["logo", "favicon"]
MediaType = Literal["image/png", "image/jpeg", "image/webp", "image/svg+xml", "image/x-icon"]

MAX_BYTES: dict[AssetKind, int] = {"logo": 512 * 1024, "favicon": 64 * 1024}
ALLOWED: dict[AssetKind, tuple[MediaType, ...]] = {
    "logo": ("image/png", "image/jpeg", "image/webp", "image/svg+xml"),
    "favicon": ("image/png", "image/svg+xml", "image/x-icon"),
}
SUFFIX: dict[MediaType, str] = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
    "image/svg+xml": "svg",
    "image/x-icon": "ico",
}

_SVG_FORBIDDEN = re.compile(
    rb"<\s*(script|foreignobject|iframe|embed|object)\b|\son[a-z]+\s*=|javascript:|<!entity"
    rb"|(?:xlink:)?href\s*=\s*[\"']\s*(?!#|data:image/)",
    re.IGNORECASE,
)


class AssetError(ValueError):
    """A brand asset that cannot be used; the message names the asset and the reason."""


class Asset(BaseModel):
    """A checked asset: what it is and a content hash that names it in storage and caches."""

    kind: AssetKind
    media_type: MediaType
    size: int
    sha256: str

    @property
    def file_name(self) -> str:
        return f"{self.kind}-{self.sha256[:16]}.{SUFFIX[self.media_type]}"


def sniff(data: bytes) -> MediaType | None:
    """The media type the bytes really are, or ``None``."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"\x00\x00\x01\x00"):
        return "image/x-icon"
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<svg", b"<?xml")) and b"<svg" in head:
        return "image/svg+xml"
    return None


def check_asset(kind: AssetKind, data: bytes) -> Asset:
    """Accept ``data`` as the brand's ``kind`` or raise :class:`AssetError` saying why."""
    limit = MAX_BYTES[kind]
    if not data:
        raise AssetError(f"{kind}: the file is empty")
    if len(data) > limit:
        raise AssetError(f"{kind}: {len(data)} bytes is larger than the {limit // 1024} KB allowed")
    media = sniff(data)
    if media is None or media not in ALLOWED[kind]:
        kinds = ", ".join(SUFFIX[m] for m in ALLOWED[kind])
        found = f"a {SUFFIX[media]} file" if media else "not an image we recognise"
        raise AssetError(f"{kind}: the file is {found}; use one of: {kinds}")
    if media == "image/svg+xml":
        match = _SVG_FORBIDDEN.search(data)
        if match:
            shown = match.group(0).decode("utf-8", "replace").strip()
            raise AssetError(f"{kind}: the SVG contains {shown!r}; scripts and links are refused")
    return Asset(
        kind=kind, media_type=media, size=len(data), sha256=hashlib.sha256(data).hexdigest()
    )
