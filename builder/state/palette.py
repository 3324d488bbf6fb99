"""Palette search: which node types the search box leaves visible."""

from __future__ import annotations

import reflex as rx

from builder.canvas import catalog


class PaletteState(rx.State):
    """The palette's items are static (one per registered type); only the filter is state."""

    query: rx.Field[str] = rx.field("")

    @rx.event
    def set_query(self, value: str) -> None:
        self.query = value[:100]

    @rx.event
    def clear_query(self) -> None:
        self.query = ""

    @rx.var
    def visible_types(self) -> list[str]:
        return catalog.search(self.query)

    @rx.var
    def visible_categories(self) -> list[str]:
        shown = set(self.visible_types)
        return [
            cat
            for cat, entries in catalog.palette_groups()
            if any(e.type in shown for e in entries)
        ]
