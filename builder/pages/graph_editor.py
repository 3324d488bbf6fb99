"""The Editor route (``/graphs/<id>``).

The canvas editor of ``pages/editor.py`` inside the
app shell, with the saved graph's controls (save, history, deploy) and their side panels.
"""

from __future__ import annotations

import reflex as rx

from builder import routes
from builder.components.chat_panel import chat_panel
from builder.components.compliance_panel import compliance_panel
from builder.components.deploy_panel import deploy_panel
from builder.components.document_bar import document_actions, document_dialogs
from builder.components.history_panel import history_panel
from builder.components.run_panel import run_panel
from builder.components.shell import shell
from builder.pages.editor import editor
from builder.state.document import DocumentState


def side_panel() -> rx.Component:
    """Beside the canvas on wide screens; over its right edge on tablets."""
    return rx.cond(
        DocumentState.panel != "",
        rx.box(
            rx.match(
                DocumentState.panel,
                ("history", history_panel()),
                ("deploy", deploy_panel()),
                ("run", run_panel()),
                ("chat", chat_panel()),
                ("compliance", compliance_panel()),
                rx.fragment(),
            ),
            width="360px",
            max_width="90%",
            height="100%",
            overflow_y="auto",
            padding="12px 16px",
            border_left="1px solid var(--gray-a5)",
            background="var(--color-panel-solid)",
            position=rx.breakpoints(initial="absolute", lg="static"),
            right="0",
            top="0",
            z_index="20",
            box_shadow=rx.breakpoints(initial="var(--shadow-4)", lg="none"),
        ),
    )


def _missing() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon("file-question", size=40, color="var(--gray-8)"),
            rx.heading("This graph could not be opened", size="5"),
            rx.text(
                DocumentState.load_error,
                color_scheme="gray",
                custom_attrs={"data-testid": "load-error"},
            ),
            rx.link("Back to graphs", href=routes.GRAPHS),
            align="center",
            spacing="3",
        ),
        width="100%",
        flex="1",
    )


def graph_editor_page() -> rx.Component:
    content = rx.cond(
        DocumentState.load_error != "",
        _missing(),
        rx.cond(
            DocumentState.base_version > 0,
            rx.box(
                editor(document_actions(), side=side_panel()),
                document_dialogs(),
                width="100%",
                flex="1",
                min_height="0",
            ),
            rx.center(rx.spinner(size="3"), width="100%", flex="1"),
        ),
    )
    return shell(content, active="editor", title="Editor", guard=True)
