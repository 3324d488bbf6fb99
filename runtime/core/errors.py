"""One error type per phase, each saying which node it concerns where there is one."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from runtime.core.diagnostics import Diagnostic


class AuterityError(Exception):
    """Base for errors this package raises on purpose; anything else is a bug."""


class GraphLoadError(AuterityError):
    """A graph document could not be read: bad JSON, unknown schema version, too large."""

    def __init__(self, message: str, *, path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ExpressionError(AuterityError):
    """An expression could not be parsed or evaluated. Never carries a Python traceback."""

    def __init__(self, message: str, *, expression: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.expression = expression


class CompileError(AuterityError):
    """The graph is not valid; ``diagnostics`` says where."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        errors = [d for d in diagnostics if d.severity == "error"]
        first = errors[0] if errors else None
        summary = f"{len(errors)} error(s)"
        if first is not None:
            summary += f"; first: {first.render()}"
        super().__init__(f"graph is not valid: {summary}")
        self.diagnostics = diagnostics


class NodeError(AuterityError):
    """A node failed while running. The run trace keeps the same facts."""

    def __init__(self, node_id: str, message: str, *, error_type: str = "NodeError") -> None:
        super().__init__(f"node {node_id!r} failed: {message}")
        self.node_id = node_id
        self.message = message
        self.error_type = error_type


class NodeRunError(AuterityError):
    """Raised by a node's ``run`` for an expected failure, with a message fit for a user."""

    retryable: bool = True
    """False when trying the node again cannot help or would repeat work already retried
    (an AI call whose router spent the retry budget, a budget refusal): the node's own retry
    policy then stops at once instead of multiplying attempts."""
