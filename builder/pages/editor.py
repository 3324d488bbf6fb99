"""The graph editor: palette on the left, canvas on the right, a header with the graph's name."""

from __future__ import annotations

import reflex as rx

from builder.canvas import catalog
from builder.components.canvas import canvas
from builder.components.inspector import inspector
from builder.components.palette import palette
from builder.components.toolbar import edit_toolbar
from builder.state import CanvasState


def header(*actions: rx.Component) -> rx.Component:
    """``actions``: the app shell's document controls (save, history, deploy)."""
    return rx.hstack(
        rx.icon("workflow", size=18),
        rx.heading("Auterity builder", size="3"),
        rx.text(CanvasState.graph_name, size="2", color_scheme="gray"),
        edit_toolbar(),
        *actions,
        rx.spacer(),
        rx.text(
            CanvasState.nodes.length().to_string()
            + " nodes · "
            + CanvasState.edges.length().to_string()
            + " edges",
            size="1",
            color_scheme="gray",
            custom_attrs={"data-testid": "graph-counts"},
        ),
        rx.select(
            list(catalog.example_files()),
            placeholder="Open an example",
            on_change=CanvasState.open_example,
            value="",
            size="1",
            custom_attrs={"data-testid": "open-example"},
        ),
        rx.button(
            rx.icon("trash-2", size=14),
            "Clear",
            on_click=CanvasState.clear,
            size="1",
            variant="soft",
            color_scheme="gray",
        ),
        align="center",
        spacing="3",
        padding="8px 16px",
        border_bottom="1px solid var(--gray-a5)",
        width="100%",
        wrap="wrap",
    )


def editor(*actions: rx.Component, side: rx.Component | None = None) -> rx.Component:
    """The editor fills its parent (the app shell); ``side`` is a panel right of the canvas."""
    return rx.vstack(
        header(*actions),
        rx.hstack(
            palette(),
            canvas(),
            inspector(),
            *([side] if side is not None else []),
            spacing="0",
            width="100%",
            flex="1",
            min_height="0",
            position="relative",
        ),
        spacing="0",
        width="100%",
        height="100%",
    )
