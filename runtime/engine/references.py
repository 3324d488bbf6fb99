"""Checks of ``nodes.<id>`` in expressions: the node exists and has run by then.

A reference to a node that runs later (or on another branch of a for-each body) reads
nothing at run time; saying so at design time is what n8n users miss most.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from runtime.core import expr
from runtime.core.diagnostics import Diagnostic, warning
from runtime.engine.resolve import ResolvedNode


def reference_diagnostics(
    resolved: dict[str, ResolvedNode],
    parent: dict[str, str | None],
    scopes: dict[str | None, nx.DiGraph[str]],
) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    after: dict[str, set[str]] = {}
    for node_id, r in resolved.items():
        for ref in sorted(node_refs(r.node.config)):
            if ref not in resolved:
                out.append(
                    warning(
                        "expression.unknown_node",
                        f"expression reads nodes.{ref}, but there is no node {ref!r}",
                        node=node_id,
                        path="config",
                    )
                )
            elif not _runs_before(ref, node_id, parent, scopes, after):
                out.append(
                    warning(
                        "expression.not_upstream",
                        f"expression reads nodes.{ref}, which does not run before this node",
                        node=node_id,
                        path="config",
                        hint="only nodes on a path to this one have output to read",
                    )
                )
    return out


def _runs_before(
    ref: str,
    node_id: str,
    parent: dict[str, str | None],
    scopes: dict[str | None, nx.DiGraph[str]],
    after: dict[str, set[str]],
) -> bool:
    """Whether ``ref`` has finished by the time ``node_id`` runs.

    Asked per *referenced* node (its descendants, computed once) rather than per reading
    node (its ancestors), so a graph where every node reads the trigger stays linear.
    """
    descendants = after.get(ref)
    if descendants is None:
        g = scopes.get(parent.get(ref))
        found = nx.descendants(g, ref) if g is not None and ref in g else set()
        descendants = after[ref] = found
    current: str | None = node_id
    while current is not None:
        if current in descendants:
            return True
        current = parent.get(current)
        if current == ref:  # read from inside the for-each's own body
            return True
    return False


def node_refs(value: Any) -> set[str]:
    """Node ids a config's ``{{ nodes.<id> }}`` expressions read, anywhere inside it."""
    refs: set[str] = set()
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, str):
            if "nodes" in current and expr.OPEN in current:
                refs |= expr.referenced_nodes(current)
        elif isinstance(current, dict):
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
    return refs
