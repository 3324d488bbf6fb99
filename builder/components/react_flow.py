"""React Flow (``@xyflow/react`` v12) wrapped as Reflex components.

``AuterityFlow`` is not React Flow itself but a small React component, written as JSX in
``js/auterity_flow.jsx`` and added as page custom code, that renders React Flow with the nodes
and edges mirrored in the browser. That mirror is what keeps dragging smooth at any round trip:
positions move locally and only the drag-stop position reaches the server (a fully controlled
canvas would send every mouse move over the websocket).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import reflex as rx
from reflex.utils.imports import ImportDict, ImportVar
from reflex_components_lucide.icon import LUCIDE_LIBRARY, Icon

from builder.canvas.catalog import icon_names

XYFLOW = "@xyflow/react@12.12.1"
"""Pinned: the JSX relies on v12's change objects (``dragging`` on position changes)."""

JSX_FILE = Path(__file__).with_name("js") / "auterity_flow.jsx"
EDITING_JSX_FILE = Path(__file__).with_name("js") / "auterity_editing.jsx"
"""Shortcuts, clipboard, focus and the problem-showing edge; used by ``JSX_FILE``."""


def _changes_spec(
    changes: rx.Var[list[dict[str, Any]]],
) -> tuple[rx.Var[list[dict[str, Any]]]]:
    """React Flow's change arrays pass through unchanged (already filtered in the browser)."""
    return (changes,)


def _object_spec(value: rx.Var[dict[str, Any]]) -> tuple[rx.Var[dict[str, Any]]]:
    """One object from the browser.

    A connection ``{source, sourceHandle, target, targetHandle}``, a drop ``{type, x, y}``,
    a deletion ``{nodes, edges}`` (ids) or a paste ``{text, view}``.
    """
    return (value,)


def _no_args_spec() -> tuple[()]:
    return ()


class XYFlowComponent(rx.Component):
    """Base for the pieces imported from ``@xyflow/react``; brings its stylesheet along."""

    library = XYFLOW

    def add_imports(self) -> ImportDict:
        return {"": "@xyflow/react/dist/style.css"}


class Background(XYFlowComponent):
    """The dotted grid behind the nodes."""

    tag = "Background"

    gap: rx.Var[int]
    size: rx.Var[float]
    color: rx.Var[str]
    variant: rx.Var[str]


class Controls(XYFlowComponent):
    """Zoom in/out, fit view and lock buttons."""

    tag = "Controls"

    show_interactive: rx.Var[bool]


class MiniMap(XYFlowComponent):
    """The overview in the corner; pannable and zoomable so large graphs stay navigable."""

    tag = "MiniMap"

    pannable: rx.Var[bool]
    zoomable: rx.Var[bool]
    node_color: rx.Var[Any]
    """A colour, or a JS function of the node (see ``CATEGORY_NODE_COLOR``)."""


CATEGORY_NODE_COLOR: rx.Var[Any] = rx.Var("((node) => node.data?.color ?? '#94a3b8')")
"""Minimap nodes in their category colour (the colour travels in each node's data)."""


@cache
def _icon_imports() -> tuple[tuple[ImportVar, ...], str]:
    """Deep imports of just the Lucide icons our node types use, plus the name -> component map.

    The names go through Reflex's own ``Icon`` so they resolve (and fall back) exactly like
    ``rx.icon`` does in the palette.
    """
    imports: list[ImportVar] = []
    entries: list[str] = []
    for name in icon_names():
        icon = Icon.create(name)
        imports.append(icon.import_var)
        entries.append(f"{json.dumps(name)}: {icon.alias}")
    mapping = "const AUTERITY_ICONS = {" + ", ".join(entries) + "};"
    return tuple(imports), mapping


class AuterityFlow(rx.Component):
    """The canvas: React Flow behind a browser-side mirror of nodes and edges (see module doc).

    The tag names a component defined in this component's own custom code, so nothing is
    imported for it; its imports (React Flow's exports, React's hooks, the icons) are added
    explicitly.
    """

    library = None
    tag = "AuterityFlow"

    nodes: rx.Var[list[dict[str, Any]]]
    edges: rx.Var[list[dict[str, Any]]]
    fit_view_request: rx.Var[int]
    """Bump to fit the view to the nodes (after loading a graph)."""
    default_viewport: rx.Var[dict[str, float]]
    snap_to_grid: rx.Var[bool]
    snap_grid: rx.Var[list[int]]
    min_zoom: rx.Var[float]
    max_zoom: rx.Var[float]
    delete_key_code: rx.Var[list[str]]
    color_mode: rx.Var[str]
    multi_selection_key_code: rx.Var[list[str]]
    selection_key_code: rx.Var[list[str]]
    focus_request: rx.Var[dict[str, Any]]
    """``{id, seq}``: bump ``seq`` to centre the view on node ``id``."""
    selection_ack: rx.Var[int]
    """The number of the last batch of select changes the server applied (see the JSX)."""

    # Reflex's documented ``EventHandler[spec]`` form, which mypy cannot read as a type.
    on_nodes_change: rx.EventHandler[_changes_spec]  # type: ignore[type-arg,valid-type]
    on_edges_change: rx.EventHandler[_changes_spec]  # type: ignore[type-arg,valid-type]
    on_connect: rx.EventHandler[_object_spec]  # type: ignore[type-arg,valid-type]
    on_node_drop: rx.EventHandler[_object_spec]  # type: ignore[type-arg,valid-type]
    on_delete_elements: rx.EventHandler[_object_spec]  # type: ignore[type-arg,valid-type]
    on_paste: rx.EventHandler[_object_spec]  # type: ignore[type-arg,valid-type]
    on_undo: rx.EventHandler[_no_args_spec]  # type: ignore[type-arg,valid-type]
    on_redo: rx.EventHandler[_no_args_spec]  # type: ignore[type-arg,valid-type]

    def add_imports(self) -> list[ImportDict]:
        icons, _ = _icon_imports()
        xyflow: list[str | ImportVar] = [
            "ReactFlow",
            "Handle",
            "Position",
            "applyNodeChanges",
            "applyEdgeChanges",
            "BaseEdge",
            "EdgeLabelRenderer",
            "getBezierPath",
        ]
        hooks: list[str | ImportVar] = ["memo", "useCallback", "useEffect", "useRef", "useState"]
        return [
            {XYFLOW: xyflow, "react": hooks, "": "@xyflow/react/dist/style.css"},
            {LUCIDE_LIBRARY: list(icons)},
        ]

    def add_custom_code(self) -> list[str]:
        _, mapping = _icon_imports()
        return [
            mapping,
            EDITING_JSX_FILE.read_text(encoding="utf-8"),
            JSX_FILE.read_text(encoding="utf-8"),
        ]


background = Background.create
controls = Controls.create
mini_map = MiniMap.create
auterity_flow = AuterityFlow.create
