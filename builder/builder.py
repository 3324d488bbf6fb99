"""The Reflex app: login, then Graphs, Editor, Runs, Inbox, Compliance, Settings in one shell.

The theme is configured in ``rxconfig.py`` and follows the tenant's brand (``assets/brand.css``,
``builder.state.theme``); every route is in ``builder/routes.py``.
"""

from __future__ import annotations

import reflex as rx

from builder import routes
from builder.components.brand import STYLESHEET, favicon_link
from builder.pages.brand import brand_page
from builder.pages.compliance import compliance_page
from builder.pages.graph_editor import graph_editor_page
from builder.pages.graphs import graphs_page
from builder.pages.inbox import inbox_page
from builder.pages.login import login_page
from builder.pages.runs import runs_page
from builder.pages.settings import settings_page
from builder.state.brand_editor import BrandEditorState
from builder.state.compliance import ComplianceState
from builder.state.compliance_packs import CompliancePacksState
from builder.state.compliance_report import TenantReportState
from builder.state.document import DocumentState
from builder.state.graphs import GraphsState
from builder.state.inbox import InboxState
from builder.state.runs import RunsState
from builder.state.session import SessionState
from builder.state.settings import SettingsState
from builder.state.theme import ThemeState, page_title

META = [favicon_link()]

app = rx.App(stylesheets=[STYLESHEET])
app.add_page(
    login_page,
    route=routes.LOGIN,
    title=page_title("Log in"),
    meta=META,
    on_load=[SessionState.skip_login_if_signed_in, ThemeState.load_public],
)
app.add_page(
    graphs_page,
    route=routes.HOME,
    title=page_title(""),
    meta=META,
    on_load=[SessionState.require_login, GraphsState.load, InboxState.load],
)
app.add_page(
    graphs_page,
    route=routes.GRAPHS,
    title=page_title("Graphs"),
    meta=META,
    on_load=[SessionState.require_login, GraphsState.load, InboxState.load],
)
app.add_page(
    graph_editor_page,
    route=routes.EDITOR,
    title=page_title("Editor"),
    meta=META,
    on_load=[SessionState.require_login, DocumentState.load_document, ComplianceState.check],
)
app.add_page(
    runs_page,
    route=routes.RUNS,
    title=page_title("Runs"),
    meta=META,
    on_load=[SessionState.require_login, RunsState.load, InboxState.load],
)
app.add_page(
    inbox_page,
    route=routes.INBOX,
    title=page_title("Inbox"),
    meta=META,
    on_load=[SessionState.require_login, InboxState.load],
)
app.add_page(
    compliance_page,
    route=routes.COMPLIANCE,
    title=page_title("Compliance"),
    meta=META,
    on_load=[SessionState.require_login, TenantReportState.load],
)
app.add_page(
    settings_page,
    route=routes.SETTINGS,
    title=page_title("Settings"),
    meta=META,
    on_load=[SessionState.require_login, SettingsState.load, CompliancePacksState.load],
)
app.add_page(
    brand_page,
    route=routes.BRAND,
    title=page_title("Brand"),
    meta=META,
    on_load=[SessionState.require_login, BrandEditorState.load],
)
