"""The editor canvas: the React Flow wrapper bound to ``CanvasState``.

While an assistant proposal is previewed (``CanvasState.previewing``) it draws the
proposal's nodes instead of the canvas's; the canvas state itself is not touched.
"""

from __future__ import annotations

import reflex as rx

from builder.canvas.flow import GRID
from builder.components.chat_panel import proposal_bar
from builder.components.notice import connection_notice
from builder.components.problems import problems_panel
from builder.components.react_flow import (
    CATEGORY_NODE_COLOR,
    auterity_flow,
    background,
    controls,
    mini_map,
)
from builder.state import CanvasState
from builder.state.chat import ChatState


def canvas() -> rx.Component:
    return rx.box(
        auterity_flow(
            background(gap=GRID, size=1),
            controls(),
            mini_map(pannable=True, zoomable=True, node_color=CATEGORY_NODE_COLOR),
            nodes=rx.cond(CanvasState.previewing, ChatState.preview_nodes, CanvasState.nodes),
            edges=rx.cond(CanvasState.previewing, ChatState.preview_edges, CanvasState.edges),
            on_nodes_change=CanvasState.on_nodes_change,
            on_edges_change=CanvasState.on_edges_change,
            on_connect=CanvasState.on_connect,
            on_node_drop=CanvasState.on_node_drop,
            fit_view_request=CanvasState.fit_view_request,
            default_viewport={"x": 0, "y": 0, "zoom": 1},
            snap_to_grid=True,
            snap_grid=[GRID, GRID],
            min_zoom=0.2,
            max_zoom=2.0,
            delete_key_code=["Backspace", "Delete"],
            # Shift-click adds to the selection, Shift-drag draws a selection box.
            multi_selection_key_code=["Shift", "Meta", "Control"],
            selection_key_code=["Shift"],
            on_delete_elements=CanvasState.on_delete_elements,
            on_undo=CanvasState.undo,
            on_redo=CanvasState.redo,
            on_paste=CanvasState.on_paste,
            focus_request=CanvasState.focus_request,
            selection_ack=CanvasState.selection_ack,
        ),
        proposal_bar(),
        connection_notice(),
        problems_panel(),
        position="relative",
        flex="1",
        height="100%",
        custom_attrs={"data-testid": "canvas"},
    )
