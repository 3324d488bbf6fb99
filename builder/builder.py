"""The Reflex app: login, then Graphs, the Editor, Runs and Settings in one shell.

The theme is configured in ``rxconfig.py``; every route is in ``builder/routes.py``.
"""

from __future__ import annotations

import reflex as rx

from builder import routes
from builder.pages.graph_editor import graph_editor_page
from builder.pages.graphs import graphs_page
from builder.pages.login import login_page
from builder.pages.runs import runs_page
from builder.pages.settings import settings_page
from builder.state.document import DocumentState
from builder.state.graphs import GraphsState
from builder.state.runs import RunsState
from builder.state.session import SessionState
from builder.state.settings import SettingsState

TITLE = "Auterity"

app = rx.App()
app.add_page(
    login_page,
    route=routes.LOGIN,
    title=f"Log in · {TITLE}",
    on_load=SessionState.skip_login_if_signed_in,
)
app.add_page(
    graphs_page,
    route=routes.HOME,
    title=TITLE,
    on_load=[SessionState.require_login, GraphsState.load],
)
app.add_page(
    graphs_page,
    route=routes.GRAPHS,
    title=f"Graphs · {TITLE}",
    on_load=[SessionState.require_login, GraphsState.load],
)
app.add_page(
    graph_editor_page,
    route=routes.EDITOR,
    title=f"Editor · {TITLE}",
    on_load=[SessionState.require_login, DocumentState.load_document],
)
app.add_page(
    runs_page,
    route=routes.RUNS,
    title=f"Runs · {TITLE}",
    on_load=[SessionState.require_login, RunsState.load],
)
app.add_page(
    settings_page,
    route=routes.SETTINGS,
    title=f"Settings · {TITLE}",
    on_load=[SessionState.require_login, SettingsState.load],
)
