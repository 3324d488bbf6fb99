"""Credentials as text: the mask that stands in for a saved secret, and literals that look like one.

Secret config values (``nodes.base.Secret``, credential headers) are write-only: every read
shows ``MASK`` instead, and a save that sends ``MASK`` back keeps what was stored. A credential
typed into a plain field has no such protection, so the validator warns about it and reads by
viewers mask it; both find it with ``find_credentials``. The patterns are specific on purpose
(a prefix or a shape that real keys have) so that ordinary text is never flagged.
"""

from __future__ import annotations

import base64
import binascii
import re

MASK = "\u2022" * 8
"""What a saved secret looks like everywhere outside the server (eight bullets)."""

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a bearer token", re.compile(r"(?i)\bbearer\s+(?P<secret>[A-Za-z0-9\-._~+/]{8,}=*)")),
    (
        "a password in a URL",
        re.compile(r"(?i)\b[a-z][a-z0-9+.-]*://[^/\s:@{}]+:(?P<secret>[^/\s@{}]+)@"),
    ),
    ("an API key (sk-...)", re.compile(r"\b(?P<secret>sk-[A-Za-z0-9_\-]{16,})")),
    ("a Stripe key", re.compile(r"\b(?P<secret>[rsp]k_(?:live|test)_[A-Za-z0-9]{16,})")),
    ("an AWS access key", re.compile(r"\b(?P<secret>(?:AKIA|ASIA)[0-9A-Z]{16})\b")),
    ("a Slack token", re.compile(r"\b(?P<secret>xox[abposr]-[A-Za-z0-9-]{10,})")),
    ("a GitHub token", re.compile(r"\b(?P<secret>gh[pousr]_[A-Za-z0-9]{30,})")),
    (
        "a JSON Web Token",
        re.compile(r"\b(?P<secret>eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})"),
    ),
    (
        "a private key",
        re.compile(r"(?P<secret>-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END|$))"),
    ),
)


_BASIC = re.compile(r"(?i)\bbasic\s+(?P<secret>[A-Za-z0-9+/]{4,}={0,2})(?![A-Za-z0-9+/=])")


def _is_user_colon_password(encoded: str) -> bool:
    """``Basic <base64>`` is a credential only when it decodes to ``user:password``."""
    try:
        decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return ":" in decoded and decoded.isprintable()


_ANY = re.compile(
    r"(?i)bearer|basic|://|sk-|k_live_|k_test_|akia|asia|xox|gh[pousr]_|eyj|-----begin"
)
"""A part every pattern above needs: one search rules out most text (validation runs this on
every string of every node, and a 10,000-node graph must still validate in well under 1 s)."""


def find_credentials(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, what)`` of each credential-looking span, in order and not overlapping."""
    if _ANY.search(text) is None:
        return []
    spans: list[tuple[int, int, str]] = []
    for what, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            spans.append((match.start("secret"), match.end("secret"), what))
    for match in _BASIC.finditer(text):
        if _is_user_colon_password(match.group("secret")):
            spans.append((match.start("secret"), match.end("secret"), "basic-auth credentials"))
    spans.sort()
    merged: list[tuple[int, int, str]] = []
    for start, end, what in spans:
        if merged and start < merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), last[2])
        else:
            merged.append((start, end, what))
    return merged


def mask_credentials(text: str) -> str:
    """``text`` with every credential-looking span replaced by ``MASK``."""
    out, last = [], 0
    for start, end, _ in find_credentials(text):
        out += [text[last:start], MASK]
        last = end
    return "".join(out) + text[last:] if out else text
