"""The ``auterity`` command: one Typer app; each feature contributes a sub-app."""

from runtime.cli.root import app, main

__all__ = ["app", "main"]
