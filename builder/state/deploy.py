"""Deploying the saved graph as an HTTP endpoint, and rolling a deployment back.

Deploy always serves a saved version (the one the canvas was loaded from or last saved as),
never the unsaved canvas: what runs must be in the version history. The service validates
and compiles before it writes anything; its 422 diagnostics are shown node by node.
"""

from __future__ import annotations

import contextlib
from typing import Any

import reflex as rx

from builder.canvas import naming
from builder.client.api import Api, DeploymentView, ServiceError
from builder.state.document import DocumentState
from builder.state.session import api_for, failed
from builder.views import present


class DeployState(rx.State):
    slug: rx.Field[str] = rx.field("")
    deploying: rx.Field[bool] = rx.field(False)
    url: rx.Field[str] = rx.field("")
    curl: rx.Field[str] = rx.field("")
    deployed_version: rx.Field[int] = rx.field(0)
    deployed_at: rx.Field[str] = rx.field("")
    deployed_by: rx.Field[str] = rx.field("")
    history: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    problems: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    """Why the last deploy was refused (validation diagnostics), errors first."""
    error: rx.Field[str] = rx.field("")
    rollback_to: rx.Field[str] = rx.field("")
    graph_id: rx.Field[str] = rx.field("")
    versions: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    """The graph these fields describe; a different graph in the editor resets them."""

    @rx.var
    def slug_valid(self) -> bool:
        return naming.valid_slug(self.slug)

    @rx.var
    def rollback_choices(self) -> list[dict[str, str]]:
        """Versions before the deployed one (the service rolls back, never forward)."""
        return [v for v in self.versions if int(v["version"]) < self.deployed_version]

    async def _load_versions(self, api: Api, graph_id: str) -> None:
        infos = await api.list_versions(graph_id)
        self.versions = [
            {"version": str(v.version), "label": f"v{v.version} · {v.message or 'no message'}"}
            for v in infos
        ]

    def _show(self, view: DeploymentView | None) -> None:
        if view is None:
            self.url = self.curl = self.deployed_at = self.deployed_by = ""
            self.deployed_version = 0
            self.history = []
            return
        deployment = view.deployment
        self.slug = deployment.slug
        self.url = view.url
        self.curl = present.curl_command(view.url)
        self.deployed_version = deployment.version
        self.deployed_at = present.when(deployment.deployed_at)
        self.deployed_by = present.actor(deployment.deployed_by)
        self.history = [
            {
                "version": str(change.version),
                "action": change.action,
                "when": present.when(change.at),
                "by": present.actor(change.by),
            }
            for change in reversed(deployment.history)
        ]

    @rx.event
    async def refresh(self) -> Any:
        """Find this graph's deployment (if any) when the panel opens."""
        doc = await self.get_state(DocumentState)
        if doc.doc_id != self.graph_id:
            self.graph_id = doc.doc_id
            self.slug, self.problems, self.error, self.rollback_to = "", [], "", ""
            self._show(None)
        api = await api_for(self)
        try:
            views = await api.list_deployments()
            await self._load_versions(api, doc.doc_id)
        except ServiceError as exc:
            return await failed(self, exc)
        mine = [v for v in views if v.deployment.graph_id == doc.doc_id]
        current = next((v for v in mine if v.deployment.slug == self.slug), None)
        self._show(current or (mine[0] if mine else None))
        if not self.slug:
            self.slug = naming.deploy_slug(doc.graph_name or doc.doc_id)
        return None

    @rx.event
    def set_slug(self, value: str) -> None:
        self.slug = value.strip().lower()[:63]

    @rx.event
    async def deploy(self) -> Any:
        doc = await self.get_state(DocumentState)
        if not doc.base_version:
            self.error = "Nothing to deploy yet: the graph is not loaded."
            return
        if not naming.valid_slug(self.slug):
            self.error = "The endpoint name takes lowercase letters, digits and dashes."
            return
        if doc.unsaved:
            self.error = (
                "The canvas has unsaved changes, and only saved versions are deployed: "
                "save first, then deploy."
            )
            return
        self.error = ""
        self.deploying, self.problems = True, []
        yield
        api = await api_for(self)
        try:
            check = await api.validate(doc.doc_id, doc.base_version)
            if not check.valid:
                self.problems = present.diagnostic_rows(check.diagnostics)
                self.error = (
                    f"Version {doc.base_version} cannot be deployed: fix the errors below, "
                    "save, and deploy again."
                )
                self.deploying = False
                return
            view = await api.deploy(self.slug, doc.doc_id, doc.base_version)
        except ServiceError as exc:
            self.deploying = False
            self.problems = present.diagnostic_rows(exc.diagnostics)
            self.error = exc.message
            if exc.unauthorized:
                yield await failed(self, exc)
            return
        self.deploying = False
        self._show(view)
        with contextlib.suppress(ServiceError):
            await self._load_versions(api, doc.doc_id)
        yield rx.toast.success(f"Version {view.deployment.version} is live at {view.url}")

    @rx.event
    def set_rollback_to(self, value: str) -> None:
        self.rollback_to = value

    @rx.event
    async def rollback(self) -> Any:
        if not (self.rollback_to.isdigit() and self.url):
            return rx.toast.error("Pick the version to roll back to.")
        api = await api_for(self)
        try:
            view = await api.rollback(self.slug, int(self.rollback_to))
        except ServiceError as exc:
            self.problems = present.diagnostic_rows(exc.diagnostics)
            self.error = exc.message
            return await failed(self, exc, "Rollback refused") if exc.unauthorized else None
        self.error, self.problems = "", []
        self._show(view)
        return rx.toast.success(f"{self.slug} now serves version {view.deployment.version}")

    @rx.event
    def copy_curl(self) -> Any:
        return [rx.set_clipboard(self.curl), rx.toast.info("curl command copied")]
