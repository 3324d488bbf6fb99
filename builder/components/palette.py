"""The node palette: every registered node type, grouped by category, searchable.

Items are built once from the registry (the list is static for a running app), so each one
gets a static icon import; the search only toggles visibility. An item can be dragged onto
the canvas (HTML5 drag and drop, read by the canvas's drop handler) or clicked to add it at
the centre of the visible canvas.
"""

from __future__ import annotations

import json

import reflex as rx

from builder.canvas import catalog
from builder.state import CanvasState, PaletteState

DRAG_MIME = "application/x-auterity-node"
"""Must match ``AUTERITY_DRAG_TYPE`` in ``js/auterity_flow.jsx``."""

_VIEWPORT_CENTER = rx.Var(
    "((typeof window !== 'undefined' && window.auterityViewportCenter)"
    " ? window.auterityViewportCenter() : ({x: 0, y: 0}))"
).to(dict)


def _drag_start(node_type: str) -> rx.Var[str]:
    """The browser-side ``onDragStart``: put the node type on the drag's data transfer."""
    return rx.Var(
        "((e) => { e.dataTransfer.setData("
        f"{json.dumps(DRAG_MIME)}, {json.dumps(node_type)}); "
        "e.dataTransfer.effectAllowed = 'move'; })"
    )


PALETTE_KEYS = """
(() => {
  if (typeof window === 'undefined' || window.auterityPaletteKeys) return;
  window.auterityPaletteKeys = true;
  const typing = (el) => el && (el.isContentEditable ||
    ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
  const search = () => document.querySelector('[data-testid="palette-search"]');
  const firstVisible = () => Array.from(document.querySelectorAll('[data-node-type]'))
    .find((el) => el.offsetParent !== null);
  document.addEventListener('keydown', (e) => {
    const box = search();
    if (!box) return;
    if (e.target === box && e.key === 'Enter') {
      const item = firstVisible();
      if (item) { e.preventDefault(); item.click(); }
      return;
    }
    if (e.target === box && e.key === 'Escape') { box.blur(); return; }
    if (e.target && e.target.dataset && e.target.dataset.nodeType && e.key === 'Enter') {
      e.preventDefault(); e.target.click(); return;
    }
    if (typing(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === '/' || (e.key === 'Tab' && !e.shiftKey &&
        e.target.closest && e.target.closest('.react-flow'))) {
      e.preventDefault(); box.focus(); box.select();
    }
  });
})();
"""
"""``/`` anywhere (or Tab on the canvas) opens the search; Enter adds the first match; Enter on
a focused item adds it; Escape leaves the search. Static code, no user data in it."""


def palette_item(entry: catalog.PaletteEntry) -> rx.Component:
    return rx.hstack(
        rx.box(
            rx.icon(entry.icon, size=14, color="white"),
            background=entry.color,
            border_radius="4px",
            padding="3px",
            display="flex",
        ),
        rx.vstack(
            rx.text(entry.title, size="2", weight="medium"),
            rx.text(entry.type, size="1", color_scheme="gray", font_family="monospace"),
            spacing="0",
        ),
        title=entry.description,
        align="center",
        spacing="2",
        padding="6px 8px",
        border_radius="6px",
        border="1px solid var(--gray-a5)",
        background="var(--color-panel-solid)",
        cursor="grab",
        width="100%",
        display=rx.cond(PaletteState.visible_types.contains(entry.type), "flex", "none"),
        # mypy reads @rx.event as a class, not the EventCallback Reflex makes of the method.
        on_click=CanvasState.add_node(entry.type, _VIEWPORT_CENTER),  # type: ignore[operator]
        custom_attrs={
            "draggable": "true",
            "onDragStart": _drag_start(entry.type),
            "data-testid": f"palette-{entry.type}",
            "data-node-type": entry.type,
            "tabIndex": 0,
            "role": "button",
            "aria-label": f"Add {entry.title}",
        },
        _hover={"border_color": entry.color},
    )


def palette_group(category: str, entries: list[catalog.PaletteEntry]) -> rx.Component:
    return rx.vstack(
        rx.text(
            catalog.CATEGORY_TITLES.get(category, category.title()),
            size="1",
            weight="bold",
            color=catalog.category_color(category),
            text_transform="uppercase",
            letter_spacing="0.05em",
        ),
        *[palette_item(e) for e in entries],
        spacing="1",
        width="100%",
        display=rx.cond(PaletteState.visible_categories.contains(category), "flex", "none"),
    )


def palette() -> rx.Component:
    return rx.vstack(
        rx.script(PALETTE_KEYS),
        rx.input(
            rx.input.slot(rx.icon("search", size=14)),
            placeholder="Search nodes  ( / )",
            value=PaletteState.query,
            on_change=PaletteState.set_query,
            width="100%",
            custom_attrs={"data-testid": "palette-search"},
        ),
        rx.cond(
            PaletteState.visible_types.length() == 0,
            rx.text("No node type matches.", size="2", color_scheme="gray"),
        ),
        *[palette_group(category, entries) for category, entries in catalog.palette_groups()],
        rx.text(
            "Drag a node onto the canvas, or click it (or press Enter) to add it in the middle."
            " Press / to search.",
            size="1",
            color_scheme="gray",
        ),
        spacing="3",
        padding="12px",
        width="260px",
        min_width="260px",
        height="100%",
        overflow_y="auto",
        border_right="1px solid var(--gray-a5)",
        background="var(--gray-2)",
    )
