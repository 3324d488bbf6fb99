"""Upgrades older graph documents, one schema version at a time, before they are parsed.

Version 1 was the first hand-written format: ``params`` instead of ``config``, ``x``/``y`` on
the node, and ``connections`` written as ``"node:port"`` strings. Each migration takes and
returns a plain dict so a file written by any earlier release still opens.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from runtime.core.errors import GraphLoadError
from runtime.core.graph import SCHEMA_VERSION

Document = dict[str, Any]


def _split_endpoint(text: Any, default_port: str, where: str) -> tuple[str, str]:
    if not isinstance(text, str) or not text:
        raise GraphLoadError(f"{where} must be a 'node' or 'node:port' string")
    node, _, port = text.partition(":")
    return node, port or default_port


def _list(doc: Document, key: str) -> list[Any]:
    value = doc.get(key) or []
    if not isinstance(value, list):
        raise GraphLoadError(f"{key} must be a list, got {type(value).__name__}")
    return value


def _v1_to_v2(doc: Document) -> Document:
    nodes = []
    for i, raw in enumerate(_list(doc, "nodes")):
        if not isinstance(raw, dict):
            raise GraphLoadError(f"nodes[{i}] must be an object")
        node = {k: v for k, v in raw.items() if k not in ("params", "x", "y")}
        node["config"] = raw.get("params") or {}
        node["position"] = {"x": raw.get("x", 0), "y": raw.get("y", 0)}
        nodes.append(node)
    edges = []
    for i, raw in enumerate(_list(doc, "connections")):
        if not isinstance(raw, dict):
            raise GraphLoadError(f"connections[{i}] must be an object")
        source, source_port = _split_endpoint(raw.get("from"), "out", f"connections[{i}].from")
        target, target_port = _split_endpoint(raw.get("to"), "in", f"connections[{i}].to")
        edges.append(
            {
                "source": source,
                "source_port": source_port,
                "target": target,
                "target_port": target_port,
            }
        )
    upgraded = {k: v for k, v in doc.items() if k not in ("version", "connections", "nodes")}
    upgraded.update(schema_version=2, nodes=nodes, edges=edges)
    return upgraded


MIGRATIONS: dict[int, Callable[[Document], Document]] = {1: _v1_to_v2}
"""``MIGRATIONS[n]`` turns a version-n document into a version-(n+1) one."""


def document_version(doc: Document) -> int:
    version = doc.get("schema_version", doc.get("version"))
    if version is None:
        return 1 if "connections" in doc else SCHEMA_VERSION
    if not isinstance(version, int) or isinstance(version, bool):
        raise GraphLoadError(f"schema_version must be a whole number, got {version!r}")
    return version


def migrate(doc: Document) -> Document:
    version = document_version(doc)
    if version > SCHEMA_VERSION:
        raise GraphLoadError(
            f"schema_version {version} is newer than this Auterity understands"
            f" ({SCHEMA_VERSION}); upgrade Auterity to open it"
        )
    if version < 1:
        raise GraphLoadError(f"schema_version {version} does not exist; versions start at 1")
    while version < SCHEMA_VERSION:
        doc = MIGRATIONS[version](doc)
        version += 1
    return doc
