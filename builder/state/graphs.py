"""The graphs page's state.

The tenant's graphs, and creating, renaming, copying, deleting,
importing and exporting them. Every change is a call to the service; the list is reloaded
from it afterwards rather than patched locally, so it never shows what the service refused.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from builder import routes
from builder.canvas import catalog, naming
from builder.client.api import Api, GraphHead, Saved, ServiceError
from builder.state.session import api_for, failed
from builder.views import present
from runtime.core.errors import GraphLoadError
from runtime.core.graph import Graph
from runtime.core.load import load_graph, load_graph_file

MAX_IMPORT_BYTES = 4 * 1024 * 1024


async def create_unique(
    api: Api, graph: Graph, message: str, secrets_from: str | None = None
) -> Saved:
    """Create ``graph``; if its id is taken (409), under a fresh id derived from its name.

    A copy of a stored graph names it in ``secrets_from``: the copy read back masks, and the
    service fills them in from the original.
    """
    try:
        return await api.create_graph(graph, message, secrets_from=secrets_from)
    except ServiceError as exc:
        if not exc.conflict:
            raise
    heads = await api.list_graphs()
    fresh = naming.graph_id_for(graph.name, (h.graph_id for h in heads))
    copy = graph.model_copy(update={"id": fresh})
    return await api.create_graph(copy, message, secrets_from=secrets_from)


class GraphsState(rx.State):
    rows: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    loaded: rx.Field[bool] = rx.field(False)
    error: rx.Field[str] = rx.field("")

    create_open: rx.Field[bool] = rx.field(False)
    rename_id: rx.Field[str] = rx.field("")
    rename_name: rx.Field[str] = rx.field("")
    delete_id: rx.Field[str] = rx.field("")
    delete_name: rx.Field[str] = rx.field("")
    delete_slugs: rx.Field[str] = rx.field("")

    @rx.var
    def examples(self) -> list[str]:
        return list(catalog.example_files())

    def _rows(self, heads: list[GraphHead], served: dict[str, list[str]]) -> list[dict[str, str]]:
        ordered = sorted(heads, key=lambda h: h.updated_at, reverse=True)
        return [
            {
                "id": h.graph_id,
                "name": h.name,
                "version": str(h.version),
                "updated": present.when(h.updated_at),
                "by": present.actor(h.updated_by),
                "deployed": ", ".join(served.get(h.graph_id, [])),
                "href": routes.editor(h.graph_id),
            }
            for h in ordered
        ]

    @rx.event
    async def load(self) -> Any:
        api = await api_for(self)
        if not api.token:
            return None
        try:
            heads = await api.list_graphs()
            views = await api.list_deployments()
        except ServiceError as exc:
            self.error = exc.message
            return await failed(self, exc) if exc.unauthorized else None
        served: dict[str, list[str]] = {}
        for view in views:
            d = view.deployment
            served.setdefault(d.graph_id, []).append(f"{d.slug} (v{d.version})")
        self.rows, self.loaded, self.error = self._rows(heads, served), True, ""
        return None

    def _row(self, graph_id: str) -> dict[str, str]:
        return next((r for r in self.rows if r["id"] == graph_id), {"id": graph_id, "name": ""})

    # --- create, import, examples ---------------------------------------------------------

    @rx.event
    def set_create_open(self, value: bool) -> None:
        self.create_open = value

    async def _create_and_open(self, graph: Graph, message: str) -> Any:
        api = await api_for(self)
        try:
            saved = await create_unique(api, graph, message)
        except ServiceError as exc:
            return await failed(self, exc, "Not created")
        self.create_open = False
        return rx.redirect(routes.editor(saved.version.graph_id))

    @rx.event
    async def create(self, form: dict[str, Any]) -> Any:
        name = naming.clean_name(str(form.get("name", ""))) or "Untitled graph"
        graph = Graph(id=naming.graph_id_for(name, (r["id"] for r in self.rows)), name=name)
        return await self._create_and_open(graph, "Created")

    @rx.event
    async def open_example(self, name: str) -> Any:
        path = catalog.example_files().get(name)
        if path is None:
            return rx.toast.error(f"There is no example called {name!r}.")
        try:
            graph = load_graph_file(path)
        except GraphLoadError as exc:
            return rx.toast.error(f"Could not open {name}: {exc}")
        return await self._create_and_open(graph, f"From the example {name}")

    @rx.event
    async def import_files(self, files: list[rx.UploadFile]) -> Any:
        """A ``*.graph.json`` from disk (older schema versions migrate on load)."""
        if not files:
            return None
        upload = files[0]
        data = await upload.read()
        filename = upload.name or "graph.json"
        if len(data) > MAX_IMPORT_BYTES:
            return rx.toast.error(f"{filename} is larger than {MAX_IMPORT_BYTES // 1024} KB.")
        try:
            graph = load_graph(data, source=filename)
        except GraphLoadError as exc:
            return rx.toast.error(f"{filename} is not a graph file: {exc}", duration=10000)
        return await self._create_and_open(graph, f"Imported from {filename}")

    # --- rename, duplicate, export, delete -------------------------------------------------

    @rx.event
    def start_rename(self, graph_id: str) -> None:
        self.rename_id, self.rename_name = graph_id, self._row(graph_id)["name"]

    @rx.event
    def cancel_rename(self, _open: bool = False) -> None:
        self.rename_id = ""

    @rx.event
    async def rename(self, form: dict[str, Any]) -> Any:
        name = naming.clean_name(str(form.get("name", "")))
        if not name:
            return rx.toast.error("A graph needs a name.")
        api = await api_for(self)
        try:
            head = await api.get_graph(self.rename_id)
            if head.graph.name != name:
                graph = head.graph.model_copy(update={"name": name})
                await api.save_graph(graph, head.version, f"Renamed to {name}")
        except ServiceError as exc:
            return await failed(self, exc, "Not renamed")
        self.rename_id = ""
        return [GraphsState.load, rx.toast.success(f"Renamed to {name!r}")]

    @rx.event
    async def duplicate(self, graph_id: str) -> Any:
        api = await api_for(self)
        try:
            head = await api.get_graph(graph_id)
            name = naming.copy_name(head.graph.name, (r["name"] for r in self.rows))
            copy = head.graph.model_copy(
                update={"id": naming.graph_id_for(name, (r["id"] for r in self.rows)), "name": name}
            )
            await create_unique(api, copy, f"Copy of {graph_id} v{head.version}", graph_id)
        except ServiceError as exc:
            return await failed(self, exc, "Not copied")
        return [GraphsState.load, rx.toast.success(f"Created {name!r}")]

    @rx.event
    async def export(self, graph_id: str) -> Any:
        api = await api_for(self)
        try:
            head = await api.get_graph(graph_id)
        except ServiceError as exc:
            return await failed(self, exc, "Not exported")
        text = head.graph.model_dump_json(indent=2, by_alias=True)
        return rx.download(data=text + "\n", filename=f"{graph_id}.graph.json")

    @rx.event
    def start_delete(self, graph_id: str) -> None:
        row = self._row(graph_id)
        self.delete_id, self.delete_name = graph_id, row["name"]
        self.delete_slugs = row.get("deployed", "")

    @rx.event
    def cancel_delete(self, _open: bool = False) -> None:
        self.delete_id = ""

    @rx.event
    async def delete(self) -> Any:
        api = await api_for(self)
        graph_id, name, self.delete_id = self.delete_id, self.delete_name, ""
        try:
            await api.delete_graph(graph_id)
        except ServiceError as exc:
            return await failed(self, exc, "Not deleted")
        return [GraphsState.load, rx.toast.success(f"Deleted {name!r}")]
