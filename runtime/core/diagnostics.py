"""Validation results as data: the builder pins them on nodes, the CLI prints them as a table."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Severity = Literal["error", "warning", "info"]


class Diagnostic(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    severity: Severity
    code: str
    message: str
    node: str | None = None
    edge: str | None = None
    port: str | None = None
    path: str | None = None
    hint: str = ""
    nodes: tuple[str, ...] = ()

    def render(self) -> str:
        where = self.node or self.edge or "graph"
        if self.port:
            where += f".{self.port}"
        if self.path:
            where += f" [{self.path}]"
        return f"{self.severity} {self.code} at {where}: {self.message}"


def error(code: str, message: str, **where: object) -> Diagnostic:
    return Diagnostic(severity="error", code=code, message=message, **where)


def warning(code: str, message: str, **where: object) -> Diagnostic:
    return Diagnostic(severity="warning", code=code, message=message, **where)


def has_errors(diagnostics: list[Diagnostic]) -> bool:
    return any(d.severity == "error" for d in diagnostics)
