"""Every page's path in one place: links, redirects and tests use these, never literals."""

from __future__ import annotations

from urllib.parse import quote, unquote

LOGIN = "/login"
HOME = "/"
GRAPHS = "/graphs"
EDITOR = "/graphs/[graph_id]"
"""The editor of one saved graph; ``graph_id`` is a dynamic route argument."""
RUNS = "/runs"
INBOX = "/inbox"
COMPLIANCE = "/compliance"
SETTINGS = "/settings"
BRAND = "/settings/brand"

PUBLIC = frozenset({LOGIN})
"""Pages shown without a session; every other page sends a visitor without one to LOGIN."""


def login(next_path: str = "") -> str:
    """The login page, returning to ``next_path`` afterwards (only a path inside this app)."""
    return f"{LOGIN}?next={quote(next_path, safe='/')}" if safe_next(next_path) else LOGIN


def safe_next(path: str) -> bool:
    """A same-app path: no scheme or host (``//evil.example``), not the login page itself."""
    return (
        path.startswith("/")
        and not path.startswith("//")
        and "\\" not in path
        and (
            path != LOGIN and not path.startswith(LOGIN + "/") and not path.startswith(LOGIN + "?")
        )
    )


def login_to(tenant: str) -> str:
    """The login page in ``tenant``'s brand (``?tenant=``)."""
    return f"{LOGIN}?tenant={quote(tenant, safe='')}" if tenant else LOGIN


def editor(graph_id: str) -> str:
    return f"{GRAPHS}/{quote(graph_id, safe='')}"


def runs(graph_id: str = "") -> str:
    return f"{RUNS}?graph={quote(graph_id, safe='')}" if graph_id else RUNS


def run(run_id: str) -> str:
    """The runs page with one run open (a child run's link to its parent)."""
    return f"{RUNS}?run={quote(run_id, safe='')}"


def graph_id_of(path: str) -> str:
    """The ``graph_id`` of an editor URL path (``/graphs/lead_scoring`` -> ``lead_scoring``)."""
    prefix = GRAPHS + "/"
    if not path.startswith(prefix):
        return ""
    return unquote(path[len(prefix) :].split("/", 1)[0])
