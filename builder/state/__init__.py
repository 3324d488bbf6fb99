"""Reflex states: the canvas (nodes, edges, refusal notices) and the palette (search)."""

from builder.state.canvas import CanvasState
from builder.state.palette import PaletteState

__all__ = ["CanvasState", "PaletteState"]
