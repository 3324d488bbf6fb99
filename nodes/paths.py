"""Dotted field paths (``lead.contact.email``) for nodes that write or move fields.

Reading uses expressions; writing needs a path, and a path is only names, never code.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from runtime.core.errors import NodeRunError

FieldPath = Annotated[
    str,
    Field(
        min_length=1,
        max_length=500,
        pattern=r"^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$",
        description="Dotted path of field names, e.g. `lead.contact.email`.",
    ),
]


def split(path: str) -> list[str]:
    return path.split(".")


MISSING: Any = object()
"""What ``lookup`` returns for an absent field, so it differs from an explicit ``null``."""


def lookup(data: Any, path: str) -> Any:
    current = data
    for part in split(path):
        if not isinstance(current, dict) or part not in current:
            return MISSING
        current = current[part]
    return current


def get_path(data: Any, path: str) -> Any:
    value = lookup(data, path)
    return None if value is MISSING else value


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Write ``value`` at ``path``, copying intermediate objects so inputs are never mutated."""
    parts = split(path)
    current = data
    for part in parts[:-1]:
        child = current.get(part)
        if child is None:
            child = {}
        elif not isinstance(child, dict):
            raise NodeRunError(f"cannot set {path!r}: {part!r} is not an object")
        else:
            child = dict(child)
        current[part] = child
        current = child
    current[parts[-1]] = value


def remove_path(data: dict[str, Any], path: str) -> bool:
    """Remove the field at ``path`` (copying parents); returns whether it was there."""
    parts = split(path)
    current = data
    for part in parts[:-1]:
        child = current.get(part)
        if not isinstance(child, dict):
            return False
        child = dict(child)
        current[part] = child
        current = child
    return current.pop(parts[-1], MISSING) is not MISSING
