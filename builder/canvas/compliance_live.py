"""Compliance findings that follow every edit: the tenant's stance applied to the canvas.

The service sends its stance (packs, agreements, the graph's waivers) when a graph is opened,
saved or checked; from then on the builder runs the service's own ``check_graph`` on each
edit, so a finding appears or goes away with the edit that causes it, as validation errors
do. The analysis labels every node and edge with data classes, which costs more than
validation, so its answer is kept under a fingerprint of what it reads: positions, labels
and selection are not in it, and a drag or a click re-uses the last answer. No Reflex here:
the canvas keeps a ``Live`` and swaps it for the one ``Live.check`` returns.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

from compliance.check import check_graph, diagnostics
from compliance.stance import Stance
from runtime.core.diagnostics import Diagnostic
from runtime.core.graph import Graph

NOT_READ = frozenset({"position", "label"})
"""Node fields no rule reads: editing them cannot change a finding."""


def fingerprint(graph: Graph, stance: Stance) -> str:
    """A digest of everything the findings depend on, and nothing they do not.

    Serialised by pydantic's core rather than through dicts: on a 500-node graph that is a
    millisecond, a fifth of the dict round trip, and it runs on every drag.
    """
    digest = hashlib.sha256(stance.model_dump_json().encode())
    content = graph.model_dump_json(
        include={"nodes", "edges"}, exclude={"nodes": {"__all__": set(NOT_READ)}}
    )
    digest.update(content.encode())
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class Live:
    """The stance for the graph ``graph_id``, and the findings for the last canvas checked."""

    stance: Stance | None = None
    graph_id: str = ""
    """The graph the stance's waivers belong to; another graph on the canvas drops it."""
    key: str = ""
    """The fingerprint ``found`` was computed for ('' before the first check)."""
    found: tuple[Diagnostic, ...] = ()

    def with_stance(self, stance: Stance, graph_id: str) -> Live:
        """A new stance: the cached answer stays valid only if the stance did not change."""
        if stance == self.stance and graph_id == self.graph_id:
            return self
        return Live(stance=stance, graph_id=graph_id)

    def for_graph(self, graph_id: str) -> Live:
        """Keep the stance only for the graph its waivers belong to."""
        return self if graph_id == self.graph_id else Live()

    def check(self, graph: Graph) -> tuple[Live, list[Diagnostic]] | None:
        """The findings on ``graph``, from the cache when nothing they read changed.

        None without a stance: then the service's last answer is all the canvas has.
        """
        stance = self.stance
        if stance is None:
            return None
        key = fingerprint(graph, stance)
        if key == self.key:
            return self, list(self.found)
        found: list[Diagnostic] = []
        if stance.packs:  # no packs: nothing to check, and no analysis to pay for
            report = check_graph(graph, stance.packs, stance.context, waivers=stance.waivers)
            found = diagnostics(report)
        return replace(self, key=key, found=tuple(found)), found
