"""The saved graph behind the canvas: which graph and version it is, and whether it changed.

A substate of ``CanvasState``, so it reads the canvas (``self.nodes``...) directly and its
``unsaved`` flag is recomputed whenever the canvas changes. Saving is optimistic: it sends
the version the edit started from, and a 409 means someone else saved first, which opens
the conflict dialog (load theirs, or save mine as a copy) instead of overwriting anything.
"""

from __future__ import annotations

import hashlib
from typing import Any

import reflex as rx

from builder import routes
from builder.canvas import flow, naming
from builder.client.api import GraphVersion, ServiceError
from builder.inspector import secret_fields
from builder.state.canvas import CanvasState
from builder.state.session import api_for, failed
from builder.views import present
from runtime.core.graph import Graph


def plain(value: Any) -> Any:
    """Plain dicts and lists from state values.

    Reflex hands handlers its ``MutableProxy`` wrappers, which pydantic keeps inside a
    ``dict[str, Any]`` field and then cannot serialize.
    """
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


class DocumentState(CanvasState):
    doc_id: rx.Field[str] = rx.field("")
    """The graph's id in the service ('' until one is loaded)."""
    base_version: rx.Field[int] = rx.field(0)
    """The version the canvas was loaded from or last saved as: the next save's base."""
    base_graph: rx.Field[dict[str, Any]] = rx.field(default_factory=dict)
    """What the canvas does not show (id, description, metadata), kept for saving."""
    saved_fingerprint: rx.Field[str] = rx.field("")
    load_error: rx.Field[str] = rx.field("")
    loading: rx.Field[bool] = rx.field(False)
    saving: rx.Field[bool] = rx.field(False)
    panel: rx.Field[str] = rx.field("")

    save_open: rx.Field[bool] = rx.field(False)
    conflict_open: rx.Field[bool] = rx.field(False)
    conflict_version: rx.Field[int] = rx.field(0)
    restored_from: rx.Field[int] = rx.field(0)
    """A version loaded from history into the canvas (0: none); saving makes it the latest."""
    leave_to: rx.Field[str] = rx.field("")
    """Where the user asked to go while changes were unsaved (the confirm dialog is open)."""

    versions: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    diff_from: rx.Field[str] = rx.field("")
    diff_to: rx.Field[str] = rx.field("")
    diff_rows: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    diff_summary: rx.Field[str] = rx.field("")

    # --- the working copy ----------------------------------------------------------------

    def document(self) -> Graph:
        """The canvas as the graph to save, with the fields the canvas does not show."""
        base = Graph.model_validate({**plain(self.base_graph), "nodes": [], "edges": []})
        base = base.model_copy(update={"name": naming.clean_name(self.graph_name) or "Untitled"})
        # The canvas holds secrets masked; the saved graph gets their real values back.
        nodes = secret_fields.reveal_nodes(plain(self.nodes), self._secrets)
        return flow.flow_to_graph(nodes, plain(self.edges), base)

    def _fingerprint(self) -> str:
        """A digest, not the graph: ``saved_fingerprint`` travels to the browser."""
        if not self.base_graph:
            return ""
        return hashlib.sha256(self.document().model_dump_json().encode()).hexdigest()

    @rx.var(
        deps=["nodes", "edges", "graph_name", "base_graph", "base_version", "saved_fingerprint"],
        auto_deps=False,
    )
    def unsaved(self) -> bool:
        return self.base_version > 0 and self._fingerprint() != self.saved_fingerprint

    @rx.var
    def version_label(self) -> str:
        return f"v{self.base_version}" if self.base_version else ""

    def _adopt(self, stored: GraphVersion) -> None:
        """Show a stored version on the canvas as the new clean state."""
        self.doc_id = stored.graph_id
        self.base_graph = stored.graph.model_dump(mode="json", exclude={"nodes", "edges"})
        self.previewing = False  # an assistant proposal was for the canvas being replaced
        fit_request = self.fit_view_request
        self.load_graph(stored.graph)
        if not stored.graph.nodes:
            # Nothing to fit, and a bumped request would re-fit the view on every reload.
            self.fit_view_request = fit_request
        self.base_version = stored.version
        self.saved_fingerprint = self._fingerprint()
        self.restored_from = 0

    # --- loading -------------------------------------------------------------------------

    @rx.event
    async def load_document(self) -> Any:
        """On load of the editor route: fetch the graph.

        Not when this tab is already editing it (navigating away and back must not throw
        away unsaved work).
        """
        graph_id = routes.graph_id_of(self.router.url.path)
        if graph_id and graph_id == self.doc_id and self.base_version and self.unsaved:
            return
        self.doc_id, self.base_version, self.base_graph = graph_id, 0, {}
        self.panel, self.load_error, self.loading = "", "", True
        self.previewing = False
        self.versions, self.diff_rows, self.diff_summary = [], [], ""
        self.nodes, self.edges, self.graph_name = [], [], ""
        yield
        api = await api_for(self)
        if not api.token:
            return
        try:
            stored = await api.get_graph(graph_id)
        except ServiceError as exc:
            self.loading = False
            self.load_error = exc.message
            if exc.unauthorized:
                yield await failed(self, exc)
            return
        self._adopt(stored)
        self.loading = False

    # --- saving --------------------------------------------------------------------------

    @rx.event
    def open_save(self) -> None:
        if self.base_version:
            self.save_open = True

    @rx.event
    def set_save_open(self, value: bool) -> None:
        self.save_open = value

    @rx.event
    async def save(self, form: dict[str, Any]) -> Any:
        message = " ".join(str(form.get("message", "")).split())[:1000]
        if not message and self.restored_from:
            message = f"Restored version {self.restored_from}"
        self.saving = True
        yield
        api = await api_for(self)
        graph = self.document()
        try:
            saved = await api.save_graph(graph, self.base_version, message)
        except ServiceError as exc:
            self.saving = False
            self.save_open = False
            if exc.conflict:
                self.conflict_version = exc.current_version or 0
                self.conflict_open = True
                return
            yield await failed(self, exc, "Not saved")
            return
        self.saving = False
        self.save_open = False
        self.base_version = saved.version.version
        self.base_graph = saved.version.graph.model_dump(mode="json", exclude={"nodes", "edges"})
        self.saved_fingerprint = self._fingerprint()
        self.restored_from = 0
        errors = sum(d.severity == "error" for d in saved.diagnostics)
        plural = "s" if errors != 1 else ""
        note = f" ({errors} validation error{plural} to fix before deploying)" if errors else ""
        yield rx.toast.success(f"Saved version {saved.version.version}{note}")
        if self.panel == "history":
            yield DocumentState.load_versions
        from builder.state.compliance import ComplianceState  # a substate of this one

        yield [ComplianceState.check, ComplianceState.load_report]

    @rx.event
    def set_conflict_open(self, value: bool) -> None:
        self.conflict_open = value

    @rx.event
    async def load_theirs(self) -> Any:
        """Resolve a conflict by taking the latest saved version (my changes are dropped)."""
        api = await api_for(self)
        try:
            stored = await api.get_graph(self.doc_id)
        except ServiceError as exc:
            return await failed(self, exc)
        self._adopt(stored)
        self.conflict_open = False
        return rx.toast.info(f"Loaded version {stored.version}, saved by someone else.")

    @rx.event
    async def save_as_copy(self) -> Any:
        """Resolve a conflict by keeping both: my canvas becomes a new graph."""
        api = await api_for(self)
        try:
            heads = await api.list_graphs()
            mine = self.document()
            name = naming.copy_name(mine.name, (h.name for h in heads))
            copy = mine.model_copy(
                update={"id": naming.graph_id_for(name, (h.graph_id for h in heads)), "name": name}
            )
            saved = await api.create_graph(
                copy, f"Copy of {mine.id} (save conflict)", secrets_from=mine.id
            )
        except ServiceError as exc:
            return await failed(self, exc, "Copy not saved")
        self.conflict_open = False
        self._adopt(saved.version)
        return [
            rx.toast.success(f"Saved your changes as {name!r}."),
            rx.redirect(routes.editor(saved.version.graph_id)),
        ]

    # --- history, diff, restore ----------------------------------------------------------

    @rx.event
    def toggle_panel(self, name: str) -> Any:
        self.panel = "" if self.panel == name else name
        if self.panel in ("history", "deploy"):  # deploy's rollback lists the versions too
            return DocumentState.load_versions
        return None

    @rx.event
    def close_panel(self) -> None:
        self.panel = ""

    @rx.event
    async def load_versions(self) -> Any:
        if not self.doc_id:
            return None
        api = await api_for(self)
        try:
            infos = await api.list_versions(self.doc_id)
        except ServiceError as exc:
            return await failed(self, exc)
        self.versions = [
            {
                "version": str(v.version),
                "message": v.message or "(no message)",
                "author": present.actor(v.author),
                "when": present.when(v.created_at),
            }
            for v in infos
        ]
        if len(infos) >= 2:  # the latest change is what a reviewer usually wants first
            self.diff_from, self.diff_to = str(infos[1].version), str(infos[0].version)
        return None

    @rx.event
    def set_diff_from(self, value: str) -> None:
        self.diff_from = value

    @rx.event
    def set_diff_to(self, value: str) -> None:
        self.diff_to = value

    @rx.event
    async def show_diff(self) -> Any:
        if not (self.diff_from.isdigit() and self.diff_to.isdigit()):
            return rx.toast.error("Pick two versions to compare.")
        api = await api_for(self)
        try:
            diff = await api.diff(self.doc_id, int(self.diff_from), int(self.diff_to))
        except ServiceError as exc:
            return await failed(self, exc)
        self.diff_rows = present.diff_rows(diff)
        self.diff_summary = f"v{self.diff_from} → v{self.diff_to}: {present.diff_summary(diff)}"
        return None

    @rx.event
    async def restore(self, version: str) -> Any:
        """Load an old version into the canvas.

        Saving it makes a new version (history is
        never rewritten).
        """
        if not version.isdigit() or self._locked():
            return None
        api = await api_for(self)
        try:
            stored = await api.get_graph(self.doc_id, int(version))
        except ServiceError as exc:
            return await failed(self, exc)
        self.load_graph(stored.graph)
        self.restored_from = stored.version
        return rx.toast.info(
            f"Version {stored.version} is on the canvas. Save to make it the latest version."
        )

    # --- leaving with unsaved changes -----------------------------------------------------

    @rx.event
    def navigate(self, to: str) -> Any:
        if self.unsaved:
            self.leave_to = to
            return None
        return rx.redirect(to)

    @rx.event
    def stay(self) -> None:
        self.leave_to = ""

    @rx.event
    def leave_anyway(self) -> Any:
        """Discard the working copy (the next visit loads the saved version) and go."""
        to, self.leave_to = self.leave_to, ""
        self.doc_id, self.base_version = "", 0
        return rx.redirect(to or routes.GRAPHS)
