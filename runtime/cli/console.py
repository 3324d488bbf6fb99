"""The consoles every command prints to, and the failures a user can cause.

Every failure a user can cause is a ``CliError``: ``main`` prints it as one line starting with
``error:`` and exits 2.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from runtime.core.diagnostics import Diagnostic

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


class CliError(Exception):
    """A user-facing failure: printed as one line, exit code 2."""


def diagnostics_table(diagnostics: list[Diagnostic]) -> Table:
    table = Table(show_lines=False)
    for column in ("severity", "code", "where"):
        table.add_column(column, no_wrap=True)
    table.add_column("message", ratio=3)
    table.add_column("hint", ratio=2)
    colors = {"error": "red", "warning": "yellow", "info": "blue"}
    for d in diagnostics:
        where = d.node or d.edge or "graph"
        if d.port:
            where += f".{d.port}"
        if d.path:
            where += f" [{d.path}]"
        table.add_row(f"[{colors[d.severity]}]{d.severity}[/]", d.code, where, d.message, d.hint)
    return table
