"""The palette is the registry, grouped and searchable."""

from __future__ import annotations

from builder.canvas import catalog
from nodes.registry import default_registry


def test_every_registered_type_is_in_the_palette_once() -> None:
    types = [e.type for e in catalog.palette_entries()]
    assert sorted(types) == sorted(t.type for t in default_registry().latest())
    assert len(types) == len(set(types))


def test_groups_follow_the_category_order_and_keep_titles_sorted() -> None:
    groups = catalog.palette_groups()
    categories = [c for c, _ in groups]
    assert categories[0] == "trigger"
    ranks = [catalog.CATEGORY_ORDER.index(c) for c in categories]
    assert ranks == sorted(ranks)
    for _, entries in groups:
        titles = [e.title.lower() for e in entries]
        assert titles == sorted(titles)


def test_every_entry_has_its_category_colour() -> None:
    for entry in catalog.palette_entries():
        assert entry.color == catalog.CATEGORY_COLORS[entry.category]


def test_search_matches_every_word_in_title_type_category_or_description() -> None:
    assert catalog.search("") == [e.type for e in catalog.palette_entries()]
    assert "trigger.webhook" in catalog.search("webhook")
    assert "trigger.webhook" in catalog.search("TRIGGER hook")
    assert catalog.search("webhook json") == []
    assert set(catalog.search("trigger")) >= {
        "trigger.manual",
        "trigger.schedule",
        "trigger.webhook",
    }


def test_icon_names_cover_every_entry_and_the_fallback() -> None:
    names = catalog.icon_names()
    assert catalog.FALLBACK_ICON in names
    assert {e.icon for e in catalog.palette_entries()} <= set(names)


def test_the_repository_examples_can_be_opened() -> None:
    files = catalog.example_files()
    assert "lead-scoring" in files
    assert all(p.is_file() for p in files.values())
