"""The canvas state: React Flow's nodes and edges, kept convertible to ``runtime.graph.Graph``.

Handlers receive only what the browser forwards (see ``components/js/auterity_flow.jsx``):
final drag positions, selection, removal, measured sizes, connections and drops. Positions
never need validation, so a drag costs one small event; structural edits re-run the
validator and refresh every node's status badge.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from builder import catalog, flow, secret_fields
from runtime.errors import GraphLoadError
from runtime.graph import Graph
from runtime.load import load_graph_file


class CanvasState(rx.State):
    """One graph being edited."""

    # rx.Field: a Var on the class (for components), the value on instances (for handlers).
    nodes: rx.Field[list[dict[str, Any]]] = rx.field(default_factory=list)
    edges: rx.Field[list[dict[str, Any]]] = rx.field(default_factory=list)
    graph_name: rx.Field[str] = rx.field("Untitled")
    notice: rx.Field[str] = rx.field("")
    """Why the last connection was refused; shown in a banner until dismissed or fixed."""
    fit_view_request: rx.Field[int] = rx.field(0)
    """Bumped when a whole graph is loaded, so the canvas fits its view to it once."""
    _secrets: rx.Field[dict[str, dict[str, str]]] = rx.field(default_factory=dict)
    """Secret config values by node id and field path; backend-only (``secret_fields``)."""

    def _revalidate(self) -> None:
        self.nodes = flow.revalidate(self.nodes, self.edges)

    def _conceal_secrets(self) -> None:
        self.nodes, self._secrets = secret_fields.conceal_nodes(self.nodes, self._secrets)

    def set_node_config(
        self,
        node_id: str,
        config: dict[str, Any] | None = None,
        label: str | None = None,
        settings: dict[str, Any] | None = None,
    ) -> bool:
        """The one way an edit of a node's config, label or settings reaches the canvas.

        The config is kept even when its node type refuses it (the badge and the inspector
        say why); ``label`` and ``settings`` must already fit ``runtime.graph.Node``, which
        the inspector checks first. Returns whether the node exists.
        """
        index = next((i for i, n in enumerate(self.nodes) if n["id"] == node_id), None)
        if index is None:
            return False
        node = self.nodes[index]
        data = dict(node.get("data") or {})
        if config is not None:
            data["config"] = config
        if label is not None:
            data["label"] = label
        if settings is not None:
            data["settings"] = settings
        self.nodes = [*self.nodes[:index], {**node, "data": data}, *self.nodes[index + 1 :]]
        self._conceal_secrets()
        self._revalidate()
        return True

    def _add(self, node_type: Any, at: dict[str, Any]) -> None:
        """Add a node so that ``at`` (flow coordinates) is the middle of its header."""
        dx, dy = flow.DROP_OFFSET
        x = (flow.coordinate(at.get("x")) or 0.0) - dx
        y = (flow.coordinate(at.get("y")) or 0.0) - dy
        try:
            node = flow.new_flow_node(str(node_type), x, y, (n["id"] for n in self.nodes))
        except KeyError:
            self.notice = f"Unknown node type {str(node_type)[:100]!r}."
            return
        self.nodes = [*self.nodes, node]
        self._conceal_secrets()
        self._revalidate()

    @rx.event
    def on_nodes_change(self, changes: list[dict[str, Any]]) -> None:
        """Apply forwarded node changes; removals also drop their edges and revalidate."""
        self.nodes = flow.apply_node_changes(self.nodes, changes)
        if flow.has_removal(changes):
            self.edges = flow.drop_dangling(self.nodes, self.edges)
            self._revalidate()

    @rx.event
    def on_edges_change(self, changes: list[dict[str, Any]]) -> None:
        self.edges = flow.apply_edge_changes(self.edges, changes)
        if flow.has_removal(changes):
            self._revalidate()

    @rx.event
    def on_connect(self, connection: dict[str, Any]) -> Any:
        """Add the edge if the port types fit; otherwise say why, in a banner and a toast."""
        reason = flow.connection_refusal(self.nodes, self.edges, connection)
        if reason is not None:
            self.notice = reason
            return rx.toast.error(reason, id="connection-refused")
        self.notice = ""
        self.edges = [*self.edges, flow.connection_edge(connection)]
        self._revalidate()
        return None

    @rx.event
    def on_node_drop(self, drop: dict[str, Any]) -> None:
        """A palette item dropped on the canvas at flow coordinates ``x``, ``y``."""
        self._add(drop.get("type", ""), drop)

    @rx.event
    def add_node(self, node_type: str, at: dict[str, Any]) -> None:
        """A palette item clicked: add it at ``at``, the viewport centre computed in the browser."""
        self._add(node_type, at)

    @rx.event
    def dismiss_notice(self) -> None:
        self.notice = ""

    @rx.event
    def clear(self) -> None:
        self.nodes, self.edges, self.notice = [], [], ""
        self._secrets = {}

    @rx.event
    def open_example(self, name: str) -> None:
        """Replace the canvas with one of the repository's example graphs."""
        path = catalog.example_files().get(name)
        if path is None:
            self.notice = f"There is no example called {name!r}."
            return
        try:
            self.load_graph(load_graph_file(path))
        except GraphLoadError as exc:
            self.notice = f"Could not open {name}: {exc}"

    def load_graph(self, graph: Graph) -> None:
        self.graph_name = graph.name
        self.nodes, self.edges = flow.graph_to_flow(graph)
        self._secrets = {}
        self._conceal_secrets()
        self.notice = ""
        self.fit_view_request += 1

    def to_graph(self) -> Graph:
        nodes = secret_fields.reveal_nodes(self.nodes, self._secrets)
        return flow.flow_to_graph(nodes, self.edges, Graph(name=self.graph_name))
