"""The Reflex app: one page, the graph editor (the theme is configured in ``rxconfig.py``)."""

from __future__ import annotations

import reflex as rx

from builder.pages.editor import editor

app = rx.App()
app.add_page(editor, route="/", title="Auterity builder")
