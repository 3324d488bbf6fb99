"""Pack names, kept free of imports so tenant settings can name packs without loading them."""

from __future__ import annotations

from typing import Literal

PackName = Literal["hipaa", "pci", "gdpr", "soc2"]
PACK_NAMES: tuple[PackName, ...] = ("hipaa", "pci", "gdpr", "soc2")
