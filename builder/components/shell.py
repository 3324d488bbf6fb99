"""The app shell around every signed-in page.

A header in the tenant's brand (logo, product name, primary colour) with the page title, the
tenant, the user and their role, and Log out; a sidebar (Graphs, Editor, Runs, Inbox,
Compliance, Settings); and the brand's legal footer. Below 1280 px the sidebar shows icons
only, so a tablet (768 px) keeps the page's width for its content. In the editor the
sidebar's items ask before leaving unsaved changes (``guard=True``): they are buttons that go
through ``DocumentState.navigate``.
"""

from __future__ import annotations

import reflex as rx

from builder import routes
from builder.components.brand import brand_footer, brand_mark, branded
from builder.state.document import DocumentState
from builder.state.inbox import InboxState
from builder.state.session import SessionState

WIDE = rx.breakpoints(initial="none", lg="inline")
"""Labels that only fit next to their icons on wide screens."""


def _editor_href() -> rx.Var[str]:
    """The graph last opened in this tab, else the list to pick one from."""
    return rx.cond(
        DocumentState.doc_id != "", routes.GRAPHS + "/" + DocumentState.doc_id, routes.GRAPHS
    )


NAV: list[tuple[str, str, str]] = [
    ("graphs", "Graphs", "layout-grid"),
    ("editor", "Editor", "workflow"),
    ("runs", "Runs", "activity"),
    ("inbox", "Inbox", "inbox"),
    ("compliance", "Compliance", "shield-check"),
    ("settings", "Settings", "settings"),
]


def _target(key: str) -> rx.Var[str] | str:
    targets = {
        "graphs": routes.GRAPHS,
        "runs": routes.RUNS,
        "inbox": routes.INBOX,
        "compliance": routes.COMPLIANCE,
        "settings": routes.SETTINGS,
    }
    return targets.get(key, _editor_href())


def _item(key: str, label: str, icon: str, active: str, guard: bool) -> rx.Component:
    current = key == active
    inner = rx.hstack(
        rx.icon(icon, size=18),
        rx.text(label, size="2", display=WIDE),
        *([_count_badge()] if key == "inbox" else []),
        align="center",
        spacing="2",
        padding="8px 10px",
        border_radius="6px",
        width="100%",
        background="var(--accent-a4)" if current else "transparent",
        color="var(--accent-12)" if current else "var(--gray-12)",
        _hover={"background": "var(--accent-a3)"},
    )
    attrs = {"data-testid": f"nav-{key}", "aria-current": "page" if current else "false"}
    if guard:
        return rx.el.button(
            inner,
            on_click=DocumentState.navigate(_target(key)),  # type: ignore[operator]
            title=label,
            aria_label=label,
            width="100%",
            background="none",
            border="none",
            padding="0",
            cursor="pointer",
            text_align="left",
            custom_attrs=attrs,
        )
    return rx.link(
        inner,
        href=_target(key),
        title=label,
        aria_label=label,
        underline="none",
        width="100%",
        custom_attrs=attrs,
    )


def _count_badge() -> rx.Component:
    """The approvals the user may decide, as last counted.

    The Inbox, Graphs and Runs pages count them on load.
    """
    return rx.cond(
        InboxState.count > 0,
        rx.badge(
            InboxState.count,
            color_scheme="red",
            variant="solid",
            radius="full",
            size="1",
            custom_attrs={"data-testid": "nav-inbox-count"},
        ),
    )


def sidebar(active: str, guard: bool = False) -> rx.Component:
    return rx.vstack(
        *(_item(key, label, icon, active, guard) for key, label, icon in NAV),
        spacing="1",
        padding="12px 8px",
        width=rx.breakpoints(initial="56px", lg="200px"),
        min_width=rx.breakpoints(initial="56px", lg="200px"),
        height="100%",
        border_right="1px solid var(--gray-a5)",
        background="var(--gray-2)",
        custom_attrs={"role": "navigation"},
    )


def user_header(title: rx.Component | str) -> rx.Component:
    heading = rx.heading(title, size="4") if isinstance(title, str) else title
    return rx.hstack(
        brand_mark(),
        rx.separator(orientation="vertical", size="1", background="rgba(255,255,255,0.45)"),
        heading,
        rx.spacer(),
        rx.cond(
            SessionState.service_error != "",
            rx.badge(SessionState.service_error, color_scheme="red", max_width="40ch"),
        ),
        rx.hstack(
            rx.icon("building-2", size=16),
            rx.text(
                rx.cond(
                    SessionState.tenant_name != "", SessionState.tenant_name, SessionState.tenant
                ),
                size="2",
                weight="medium",
                custom_attrs={"data-testid": "header-tenant"},
            ),
            align="center",
            spacing="1",
        ),
        rx.text(
            SessionState.email,
            size="2",
            opacity="0.85",
            display=WIDE,
            custom_attrs={"data-testid": "header-email"},
        ),
        rx.badge(
            SessionState.role,
            variant="solid",
            color_scheme="gray",
            high_contrast=True,
            custom_attrs={"data-testid": "header-role"},
        ),
        rx.button(
            rx.icon("log-out", size=14),
            rx.text("Log out", display=WIDE),
            on_click=SessionState.logout,
            size="1",
            variant="surface",
            color_scheme="gray",
            custom_attrs={"data-testid": "logout"},
        ),
        align="center",
        spacing="3",
        padding="8px 16px",
        min_height="52px",
        width="100%",
        class_name="brand-header",
        custom_attrs={"data-testid": "brand-header"},
    )


def shell(
    content: rx.Component, *, active: str, title: rx.Component | str, guard: bool = False
) -> rx.Component:
    """A signed-in page.

    Nothing but a spinner shows until the session is confirmed, so a
    visitor without one never sees another page's empty frame before the redirect.
    """
    return branded(
        user_header(title),
        rx.hstack(
            sidebar(active, guard),
            rx.vstack(
                rx.cond(
                    SessionState.signed_in,
                    content,
                    rx.center(rx.spinner(size="3"), width="100%", flex="1"),
                ),
                spacing="0",
                flex="1",
                min_width="0",
                height="100%",
            ),
            spacing="0",
            width="100%",
            flex="1",
            min_height="0",
        ),
        brand_footer(),
    )


def page_body(*children: rx.Component) -> rx.Component:
    """A scrolling content column with comfortable width on desktops and tablets."""
    return rx.box(
        rx.vstack(*children, spacing="4", width="100%", max_width="1100px", margin="0 auto"),
        padding=rx.breakpoints(initial="16px", md="24px"),
        width="100%",
        flex="1",
        overflow_y="auto",
    )


def empty_state(icon: str, title: str, text: str, *actions: rx.Component) -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon(icon, size=40, color="var(--gray-8)"),
            rx.heading(title, size="5"),
            rx.text(text, color_scheme="gray", text_align="center", max_width="52ch"),
            rx.hstack(*actions, spacing="3", wrap="wrap", justify="center"),
            align="center",
            spacing="3",
        ),
        padding="48px 16px",
        border="1px dashed var(--gray-a6)",
        border_radius="12px",
        width="100%",
        custom_attrs={"data-testid": "empty-state"},
    )
