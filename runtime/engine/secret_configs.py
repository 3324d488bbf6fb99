"""Write-only secrets in node configs: masked on every read, kept when the mask comes back.

The stored graph holds the real values (the executor runs it as it is). Everything that shows
a graph to a person goes through ``masked``: each node type's ``secret_paths`` (``Secret``
fields, credential headers and query parameters) become ``MASK`` for everyone, and for readers
who may not edit, credential-looking literals in plain fields too. A graph sent back with
``MASK`` at a secret path gets the value from the version it was based on (``restored``); a mask
with nothing to keep is refused naming the field, so a mask is never stored or sent as a
header.
"""

from __future__ import annotations

from typing import Any

from nodes.base import ConfigPath
from nodes.registry import Registry, default_registry
from runtime.core.diagnostics import Diagnostic, warning
from runtime.core.graph import Graph, Node
from runtime.core.load import format_location
from runtime.engine.credentials import MASK, find_credentials, mask_credentials


class MaskWithoutSecret(ValueError):
    """A graph holds ``MASK`` at a secret path for which no stored value may be kept."""

    def __init__(self, fields: list[str], moved: list[str] | None = None) -> None:
        self.fields = fields + (moved or [])
        problems = []
        if fields:
            problems.append(
                f"{', '.join(fields)}: the masked value has no saved secret to keep"
                " (the node is new or the field was renamed); type the value again"
            )
        if moved:
            problems.append(
                f"{', '.join(moved)}: the saved secret was for another destination (the URL"
                " changed) and is not sent anywhere new; type the value again"
            )
        super().__init__("; ".join(problems))


def _audience(node: Node, registry: Registry | None) -> str | None:
    node_type = (registry or default_registry()).get(node.type, node.version)
    return None if node_type is None else node_type.secret_audience(node.config)


def secret_paths(node: Node, registry: Registry | None = None) -> list[ConfigPath]:
    """The node's secret paths that hold a value; none for an unknown node type."""
    node_type = (registry or default_registry()).get(node.type, node.version)
    if node_type is None:
        return []
    return [p for p in node_type.secret_paths(node.config) if value_at(node.config, p) is not None]


def value_at(value: Any, path: ConfigPath) -> Any:
    """What sits at ``path`` in a config (None when the path does not exist)."""
    for part in path:
        if isinstance(value, dict) and isinstance(part, str):
            value = value.get(part)
        elif isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value):
            value = value[part]
        else:
            return None
    return value


def _set(value: Any, path: ConfigPath, new: Any) -> Any:
    """A copy of ``value`` with ``new`` at ``path`` (the containers on the way are copied)."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict) and isinstance(head, str):
        return {**value, head: _set(value[head], rest, new)}
    if isinstance(value, list) and isinstance(head, int):
        return [_set(v, rest, new) if i == head else v for i, v in enumerate(value)]
    return value


def _credential_strings(value: Any, path: ConfigPath = ()) -> list[tuple[ConfigPath, str]]:
    """Each string in ``value`` that holds a credential-looking literal, with its path."""
    if isinstance(value, str):
        return [(path, value)] if find_credentials(value) else []
    found: list[tuple[ConfigPath, str]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str | dict | list):
                found += _credential_strings(item, (*path, str(key)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, str | dict | list):
                found += _credential_strings(item, (*path, i))
    return found


def _mask_strings(value: Any) -> Any:
    if isinstance(value, str):
        return mask_credentials(value)
    if isinstance(value, dict):
        return {k: _mask_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_strings(v) for v in value]
    return value


def masked(graph: Graph, *, plain_credentials: bool, registry: Registry | None = None) -> Graph:
    """The graph as a reader may see it: secrets masked; ``plain_credentials`` masks literals."""
    nodes: list[Node] = []
    for node in graph.nodes:
        config = node.config
        for path in secret_paths(node, registry):
            if value_at(config, path) not in ("", MASK):
                config = _set(config, path, MASK)
        update: dict[str, Any] = {"config": config}
        if plain_credentials:
            update["config"] = _mask_strings(config)
            update["label"] = mask_credentials(node.label)
            update["settings"] = node.settings.model_copy(
                update={"notes": mask_credentials(node.settings.notes)}
            )
        nodes.append(node.model_copy(update=update))
    update = {"nodes": nodes}
    if plain_credentials:
        update |= {
            "description": mask_credentials(graph.description),
            "metadata": _mask_strings(graph.metadata),
        }
    return graph.model_copy(update=update)


def restored(graph: Graph, base: Graph | None, registry: Registry | None = None) -> Graph:
    """``graph`` with each ``MASK`` at a secret path replaced by ``base``'s value there.

    The value is taken from the node with the same id and type in ``base`` (the version the
    edit started from), and only while the node still sends it where it did (its type's
    ``secret_audience``). Raises ``MaskWithoutSecret`` naming every mask it cannot keep.
    """
    before = {n.id: n for n in base.nodes} if base is not None else {}
    missing: list[str] = []
    moved: list[str] = []
    nodes: list[Node] = []
    changed = False
    for node in graph.nodes:
        config = node.config
        old = before.get(node.id)
        for path in secret_paths(node, registry):
            if value_at(config, path) != MASK:
                continue
            field = f"nodes.{node.id}.config.{format_location(path)}"
            kept = value_at(old.config, path) if old is not None and old.type == node.type else None
            if not isinstance(kept, str) or kept == MASK:
                missing.append(field)
                continue
            if old is not None and _audience(node, registry) != _audience(old, registry):
                moved.append(field)
                continue
            config = _set(config, path, kept)
        changed = changed or config is not node.config
        nodes.append(node if config is node.config else node.model_copy(update={"config": config}))
    if missing or moved:
        raise MaskWithoutSecret(missing, moved)
    return graph.model_copy(update={"nodes": nodes}) if changed else graph


def credential_warnings(node: Node, registry: Registry | None = None) -> list[Diagnostic]:
    """A warning for each plain config field holding a literal that looks like a credential."""
    found_in = _credential_strings(node.config)
    if not found_in:
        return []
    secret = {format_location(p) for p in secret_paths(node, registry)}
    out: list[Diagnostic] = []
    for path, text in found_in:
        where = format_location(path)
        if where in secret:
            continue
        found = find_credentials(text)
        if found:
            out.append(
                warning(
                    "config.credential",
                    f"{where} holds what looks like {found[0][2]}, in a field anyone who can"
                    " read the graph sees",
                    node=node.id,
                    path=where,
                    hint="send credentials in a header such as Authorization or X-API-Key,"
                    " whose values are write-only",
                )
            )
    return out


def has_masks(graph: Graph, registry: Registry | None = None) -> bool:
    """Whether any secret path holds ``MASK`` (so ``restored`` needs the base version)."""
    return any(
        value_at(node.config, path) == MASK
        for node in graph.nodes
        for path in secret_paths(node, registry)
    )
