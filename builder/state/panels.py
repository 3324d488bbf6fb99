"""Which side panels of the editor are open (view state only, nothing about the graph)."""

from __future__ import annotations

import reflex as rx


class ProblemsPanelState(rx.State):
    """The problems list opens from the toolbar and stays open while the graph is edited."""

    open: rx.Field[bool] = rx.field(False)

    @rx.event
    def toggle(self) -> None:
        self.open = not self.open

    @rx.event
    def close(self) -> None:
        self.open = False
