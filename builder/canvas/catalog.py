"""The palette's view of the node registry: what the builder shows for each node type.

Kept free of Reflex so the tests (and a future non-Reflex client) can use it directly. Every
entry comes from ``nodes.registry``: the builder has no list of node types of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from nodes.registry import AnyNodeType, default_registry

CATEGORY_ORDER: tuple[str, ...] = (
    "trigger",
    "transform",
    "logic",
    "flow",
    "integration",
    "ai",
    "compliance",
    "output",
)
"""Palette order: where a workflow starts, what it does, where it ends."""

CATEGORY_TITLES: dict[str, str] = {
    "trigger": "Triggers",
    "transform": "Transforms",
    "logic": "Logic",
    "flow": "Flow control",
    "integration": "Integrations",
    "ai": "AI",
    "compliance": "Compliance",
    "output": "Output",
}

CATEGORY_COLORS: dict[str, str] = {
    "trigger": "#d97706",
    "transform": "#2563eb",
    "logic": "#7c3aed",
    "flow": "#ca8a04",
    "integration": "#0891b2",
    "ai": "#db2777",
    "compliance": "#059669",
    "output": "#475569",
}
"""One colour per category, shared by the palette and the canvas so the two read as one."""

FALLBACK_COLOR = "#64748b"
FALLBACK_ICON = "box"


@dataclass(frozen=True, slots=True)
class PaletteEntry:
    """One draggable palette item."""

    type: str
    title: str
    category: str
    description: str
    icon: str
    color: str

    def matches(self, query: str) -> bool:
        """Whether a search box text selects this entry (every word must appear somewhere)."""
        haystack = f"{self.title} {self.type} {self.category} {self.description}".lower()
        return all(word in haystack for word in query.lower().split())


def category_color(category: str) -> str:
    return CATEGORY_COLORS.get(category, FALLBACK_COLOR)


def entry_for(node_type: AnyNodeType) -> PaletteEntry:
    return PaletteEntry(
        type=node_type.type,
        title=node_type.title,
        category=node_type.category,
        description=node_type.description,
        icon=node_type.icon or FALLBACK_ICON,
        color=category_color(node_type.category),
    )


@cache
def palette_entries() -> tuple[PaletteEntry, ...]:
    """Every registered node type (latest versions), in palette order."""
    rank = {c: i for i, c in enumerate(CATEGORY_ORDER)}
    entries = [entry_for(t) for t in default_registry().latest()]
    return tuple(sorted(entries, key=lambda e: (rank.get(e.category, len(rank)), e.title.lower())))


def palette_groups() -> list[tuple[str, list[PaletteEntry]]]:
    """Entries grouped by category, in palette order; empty categories are left out."""
    groups: dict[str, list[PaletteEntry]] = {}
    for entry in palette_entries():
        groups.setdefault(entry.category, []).append(entry)
    return list(groups.items())


def search(query: str) -> list[str]:
    """Node type names whose entry matches ``query`` (all of them for a blank query)."""
    return [e.type for e in palette_entries() if e.matches(query)]


def icon_names() -> list[str]:
    """Every icon a node type uses, for the canvas's icon imports."""
    return sorted({e.icon for e in palette_entries()} | {FALLBACK_ICON})


EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "examples"
"""The repository's runnable examples; absent when the builder runs from an installed wheel."""


def example_files() -> dict[str, Path]:
    """Example graphs the editor can open, by file stem (``lead-scoring``...)."""
    if not EXAMPLES_DIR.is_dir():
        return {}
    return {
        p.name.removesuffix(".graph.json"): p for p in sorted(EXAMPLES_DIR.glob("*.graph.json"))
    }
