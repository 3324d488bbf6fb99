"""Colour arithmetic for brand checks: WCAG 2.x relative luminance and contrast ratio.

A brand whose button text cannot be read is a support ticket waiting to happen, so brands are
refused at load time instead of being shown badly; the thresholds are WCAG's AA levels.
"""

from __future__ import annotations

import re

HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
WHITE = "#ffffff"

TEXT_CONTRAST = 4.5
"""WCAG AA for normal text: white labels on primary-coloured buttons and headers."""
UI_CONTRAST = 3.0
"""WCAG AA for user-interface components: accent-coloured outlines and links on white."""


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(color: str) -> float:
    """Relative luminance of a ``#rrggbb`` colour (0 black … 1 white)."""
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio between two colours, 1.0 (same) to 21.0 (black on white)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
