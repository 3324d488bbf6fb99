"""The canvas state: React Flow's nodes and edges, kept convertible to ``runtime.core.graph.Graph``.

Handlers receive only what the browser forwards (see ``components/js/auterity_flow.jsx``):
final drag positions, selection, removal, measured sizes, connections and drops. Positions
never need validation, so a drag costs one small event; structural edits re-run the
validator and refresh every node's status badge.

Every edit goes through ``_commit``, which records an undo step (``builder.canvas.history``) and
re-validates; an edit made anywhere else (the inspector, say) should call it too. Once the
service has sent the tenant's compliance stance, re-validating also re-runs the packs
(``builder.canvas.compliance_live``), so their findings follow each edit like the validator's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import reflex as rx

from builder.canvas import catalog, clipboard, compliance_live, flow, history, layout
from builder.canvas.diagnosis import Problem, diagnose
from builder.inspector import json_drafts, secret_fields
from runtime.core.diagnostics import Diagnostic
from runtime.core.errors import GraphLoadError
from runtime.core.graph import Graph
from runtime.core.load import load_graph_file


def _plain(value: Any) -> Any:
    """``value`` with Reflex's change-tracking proxies replaced by plain dicts and lists.

    State values are handed out wrapped (nested values too); pydantic cannot serialise the
    wrappers, and undo snapshots must not keep references into live state.
    """
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


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
    problems: rx.Field[list[Problem]] = rx.field(default_factory=list)
    """The last validation's diagnostics, errors first (the problems list)."""
    error_count: rx.Field[int] = rx.field(0)
    warning_count: rx.Field[int] = rx.field(0)
    can_undo: rx.Field[bool] = rx.field(False)
    can_redo: rx.Field[bool] = rx.field(False)
    focus_request: rx.Field[dict[str, Any]] = rx.field(default_factory=lambda: {"id": "", "seq": 0})
    """Bumped to centre the view on a node (see ``focus_node``)."""
    selection_ack: rx.Field[int] = rx.field(0)
    """The number of the last select changes applied: until the browser sees the number it
    last sent, its own selection is newer than ``nodes`` (``flow.selection_number``)."""
    previewing: rx.Field[bool] = rx.field(False)
    """An assistant proposal is drawn instead of the canvas (``ChatState``): edits wait."""
    _compliance: rx.Field[list[dict[str, Any]]] = rx.field(default_factory=list)
    """The service's last compliance findings (diagnostics): shown until a stance is known."""
    _live: compliance_live.Live = compliance_live.Live()
    """The tenant's stance from the service, and the findings it gives on the canvas as it
    is: checked here on every edit once the stance is known (``ComplianceState.check``)."""
    # Backend only (leading underscore): undo steps never travel to the browser.
    _history: history.History = history.History()

    def _locked(self) -> bool:
        """While a proposal is previewed, refuse edits (what the user sees is not the canvas).

        The preview's nodes cannot be dragged, selected or deleted in the browser; this also
        stops what can still reach the server (palette, paste, undo, the Clear button).
        """
        if self.previewing:
            self.notice = "Accept or discard the assistant's proposal before editing the canvas."
        return self.previewing

    def _live_now(self) -> compliance_live.Live:
        """The stance and its cache as stored, not behind Reflex's change-tracking proxy.

        Pydantic cannot serialise the proxy, and the fingerprint serialises the stance.
        """
        live: compliance_live.Live = getattr(self._live, "__wrapped__", self._live)
        return live

    def _findings(
        self, nodes: list[dict[str, Any]], edges: list[dict[str, Any]]
    ) -> list[Diagnostic]:
        """The packs' findings on ``nodes``/``edges`` (plain data).

        Until a stance is known, the service's last answer is all there is to show.
        """
        live = self._live_now()
        if live.stance is None:
            return [Diagnostic.model_validate(d) for d in self._compliance]
        if not nodes:  # nothing is shown on an empty canvas (``diagnose``)
            return []
        checked = live.check(self._graph_of(nodes, edges))
        if checked is None:
            return []
        if checked[0] is not live:  # a backend var: set only when the cache changed
            self._live = checked[0]
        return checked[1]

    def _revalidate(self) -> None:
        # Plain data once, for both checks: reading through Reflex's proxies costs more than
        # either check on a large canvas.
        nodes, edges = _plain(self.nodes), _plain(self.edges)
        extra = self._findings(nodes, edges)
        self.nodes, decorated, self.problems = diagnose(nodes, edges, extra=extra)
        if decorated != edges:
            self.edges = decorated
        self.error_count = sum(p["severity"] == "error" for p in self.problems)
        self.warning_count = len(self.problems) - self.error_count

    def _set_history(self, value: history.History) -> None:
        self._history = value
        self.can_undo, self.can_redo = value.can_undo, value.can_redo

    def _commit(
        self,
        nodes: list[dict[str, Any]],
        edges: list[dict[str, Any]],
        merge_key: str | None = None,
    ) -> None:
        """Make ``nodes``/``edges`` the canvas as one undoable edit, and re-validate.

        The single entry point for edits: edges left without a node are dropped, nothing is
        recorded if the graph did not change, and ``merge_key`` joins consecutive edits with
        the same key into one undo step (e.g. ``f"config:{node_id}"`` for typing in a field).
        """
        if self._locked():
            return
        nodes, edges = _plain(nodes), _plain(edges)
        edges = flow.drop_dangling(nodes, edges)
        before = self._snapshot()
        after = history.snapshot(nodes, edges)
        self._set_history(self._history.record(before, after, merge_key))
        self.nodes = nodes
        if edges != self.edges:
            self.edges = edges
        self._revalidate()

    def _snapshot(self) -> history.Snapshot:
        return history.snapshot(_plain(self.nodes), _plain(self.edges))

    def _show(self, snap: history.Snapshot) -> None:
        self.nodes, self.edges = history.restore(snap, _plain(self.nodes))
        self._revalidate()

    def set_node_config(
        self,
        node_id: str,
        config: dict[str, Any] | None = None,
        label: str | None = None,
        settings: dict[str, Any] | None = None,
        drafts: dict[str, str] | None = None,
    ) -> bool:
        """The one way an edit of a node's config, label or settings reaches the canvas.

        The config is kept even when its node type refuses it (the badge and the inspector
        say why); ``label`` and ``settings`` must already fit ``runtime.core.graph.Node``, which
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
        if drafts:  # JSON typed that does not parse yet (``builder.inspector.json_drafts``)
            data[json_drafts.DRAFTS_KEY] = drafts
        elif drafts is not None:
            data.pop(json_drafts.DRAFTS_KEY, None)
        edited = flow.with_config_ports({**node, "data": data}) if config is not None else None
        nodes = [*self.nodes[:index], edited or {**node, "data": data}, *self.nodes[index + 1 :]]
        nodes, self._secrets = secret_fields.conceal_nodes(_plain(nodes), self._secrets)
        # Consecutive edits of one node (typing in a field) are one undo step.
        self._commit(nodes, self.edges, merge_key=f"config:{node_id}")
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
        nodes, self._secrets = secret_fields.conceal_nodes([*self.nodes, node], self._secrets)
        self._commit(nodes, self.edges)

    @rx.event
    def on_nodes_change(self, changes: list[dict[str, Any]]) -> None:
        """Apply forwarded node changes; moves and removals are edits (undoable)."""
        self._acknowledge(changes)
        if self.previewing:  # changes to the preview's nodes, not to the canvas's
            return
        nodes = flow.apply_node_changes(self.nodes, changes)
        if history.is_edit(changes):
            self._commit(nodes, self.edges)
        else:
            self.nodes = nodes

    @rx.event
    def on_edges_change(self, changes: list[dict[str, Any]]) -> None:
        self._acknowledge(changes)
        if self.previewing:
            return
        edges = flow.apply_edge_changes(self.edges, changes)
        if flow.has_removal(changes):
            self._commit(self.nodes, edges)
        else:
            self.edges = edges

    def _acknowledge(self, changes: list[dict[str, Any]]) -> None:
        number = flow.selection_number(changes)
        if number is not None:
            self.selection_ack = number

    @rx.event
    def on_delete_elements(self, removed: dict[str, Any]) -> None:
        """Nodes and edges deleted together in the browser (a Delete key press): one edit."""
        node_ids = {i for i in removed.get("nodes") or [] if isinstance(i, str)}
        edge_ids = {i for i in removed.get("edges") or [] if isinstance(i, str)}
        self._commit(
            [n for n in self.nodes if n["id"] not in node_ids],
            [e for e in self.edges if e["id"] not in edge_ids],
        )

    @rx.event
    def undo(self) -> None:
        if self._locked():
            return
        step = self._history.undo(self._snapshot())
        if step is not None:
            self._set_history(step[0])
            self._show(step[1])

    @rx.event
    def redo(self) -> None:
        if self._locked():
            return
        step = self._history.redo(self._snapshot())
        if step is not None:
            self._set_history(step[0])
            self._show(step[1])

    @rx.event
    def on_paste(self, payload: dict[str, Any]) -> Any:
        """Paste copied nodes (graph JSON) with fresh ids, selected; or say why not."""
        text = payload.get("text")
        if not isinstance(text, str):
            return None
        view = clipboard.View.from_browser(payload.get("view"))
        try:
            nodes, edges, _ = clipboard.paste(self.nodes, self.edges, text, view)
        except clipboard.FragmentError as exc:
            self.notice = str(exc)
            return rx.toast.error(str(exc), id="paste-refused")
        self.notice = ""
        self._commit(nodes, edges)
        return None

    @rx.event
    def tidy_up(self) -> None:
        """Lay the graph out left to right in layers, then fit the view to it."""
        if self.nodes:
            self._commit(layout.tidy(self.nodes, self.edges), self.edges)
            self.fit_view_request += 1

    @rx.event
    def focus_node(self, node_id: str) -> None:
        """Select ``node_id`` alone and centre the view on it (from the problems list)."""
        if not any(n["id"] == node_id for n in self.nodes):
            return
        self.nodes = [{**n, "selected": n["id"] == node_id} for n in self.nodes]
        self.edges = [{**e, "selected": False} for e in self.edges]
        self.focus_request = {"id": node_id, "seq": int(self.focus_request.get("seq", 0)) + 1}

    @rx.event
    def on_connect(self, connection: dict[str, Any]) -> Any:
        """Add the edge if the port types fit; otherwise say why, in a banner and a toast."""
        reason = flow.connection_refusal(self.nodes, self.edges, connection)
        if reason is not None:
            self.notice = reason
            return rx.toast.error(reason, id="connection-refused")
        self.notice = ""
        self._commit(self.nodes, [*self.edges, flow.connection_edge(connection)])
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
        if self._locked():
            return
        self.notice = ""
        self._secrets = {}
        self._commit([], [])

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
        """Replace the canvas with ``graph``; undo brings the previous canvas back."""
        if self._locked():
            return
        self.graph_name = graph.name
        nodes, edges = flow.graph_to_flow(graph)
        nodes, self._secrets = secret_fields.conceal_nodes(nodes, {})
        self._compliance = []  # another graph's findings
        self._live = self._live_now().for_graph(graph.id)  # its waivers are another graph's too
        self._commit(nodes, edges)
        self.notice = ""
        self.fit_view_request += 1

    def _graph_of(self, nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> Graph:
        """Plain canvas data as a graph with its secrets (the compliance check serialises it)."""
        revealed = secret_fields.reveal_nodes(nodes, _plain(self._secrets))
        return flow.flow_to_graph(revealed, edges, Graph(name=self.graph_name))

    def to_graph(self) -> Graph:
        return self._graph_of(_plain(self.nodes), _plain(self.edges))
