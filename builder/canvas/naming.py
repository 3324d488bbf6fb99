"""Ids and slugs the builder makes up from names a person typed.

A graph id is permanent (every version and run is filed under it) and must match
``runtime.core.graph.ID_PATTERN``; a deployment slug becomes part of a URL and must match the
service's ``SLUG`` pattern. Both come from the name so they read well in URLs and logs.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Iterable

from runtime.core.graph import ID_PATTERN

GRAPH_ID = re.compile(ID_PATTERN)
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
"""The service's rule for ``/t/<tenant>/<slug>`` (``runtime/service/routes/deployments.py``)."""

MAX_ID_STEM = 40
MAX_NAME = 200


def _ascii_words(name: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.findall(r"[a-z0-9]+", plain.lower())


def graph_id_for(name: str, taken: Iterable[str] = (), suffix: str | None = None) -> str:
    """``lead_scoring_3fa2c1``: the name's words plus a random tail.

    The tail is there so two people creating "Untitled" at once never collide (the service
    refuses a second create with 409).
    """
    stem = "_".join(_ascii_words(name))[:MAX_ID_STEM].strip("_") or "graph"
    if not re.match(r"[a-z_]", stem):
        stem = f"g_{stem}"
    existing = set(taken)
    while True:
        candidate = f"{stem}_{suffix or secrets.token_hex(3)}"
        if candidate not in existing and GRAPH_ID.match(candidate):
            return candidate
        suffix = None


def deploy_slug(name: str) -> str:
    """``Dealership lead scoring`` -> ``dealership-lead-scoring``; never empty."""
    slug = "-".join(_ascii_words(name))[:63].strip("-")
    return slug if SLUG.match(slug) else "graph"


def valid_slug(slug: str) -> bool:
    return bool(SLUG.match(slug))


def copy_name(name: str, taken: Iterable[str]) -> str:
    """``Lead scoring (copy)``, then ``(copy 2)``... whichever is not a graph's name yet."""
    names = set(taken)
    base = re.sub(r" \(copy(?: \d+)?\)$", "", name)
    candidate = f"{base} (copy)"
    n = 2
    while candidate in names:
        candidate = f"{base} (copy {n})"
        n += 1
    return candidate[:MAX_NAME]


def clean_name(name: str) -> str:
    """A graph name as saved: trimmed, one line, at most the model's 200 characters."""
    return " ".join(name.split())[:MAX_NAME]
