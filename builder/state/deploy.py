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
from builder.client.api import Api, DeploymentView, DeploymentWorkflow, ServiceError
from builder.state.document import DocumentState
from builder.state.session import api_for, failed
from builder.views import present

AUTOMATIC = "automatic"
WORKFLOW_CHOICES = (AUTOMATIC, "express", "standard")


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
    workflow_choice: rx.Field[str] = rx.field(AUTOMATIC)
    """``automatic`` (the compiler decides), ``express`` or ``standard`` (the user overrides)."""
    workflow_type: rx.Field[str] = rx.field("")
    """Express or Standard: the deployment's, else what deploying would choose."""
    workflow_reasons: rx.Field[list[str]] = rx.field(default_factory=list)
    workflow_overridden: rx.Field[bool] = rx.field(False)
    workflow_error: rx.Field[str] = rx.field("")
    """Why the chosen override cannot work (the service's 422), shown under the control."""

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

    def _show_workflow(self, workflow: DeploymentWorkflow | None) -> None:
        self.workflow_type = workflow.type.title() if workflow else ""
        self.workflow_reasons = list(workflow.reasons) if workflow else []
        self.workflow_overridden = bool(workflow and workflow.overridden)

    def _override(self) -> str | None:
        return None if self.workflow_choice == AUTOMATIC else self.workflow_choice

    async def _preview(self, api: Api, graph_id: str, version: int) -> None:
        """What deploying would choose with the current control; a 422 says why it cannot."""
        self.workflow_error = ""
        try:
            self._show_workflow(await api.workflow(graph_id, version, self._override()))
        except ServiceError as exc:
            self.workflow_error = exc.message
            self._show_workflow(None)

    def _show(self, view: DeploymentView | None) -> None:
        if view is None:
            self.url = self.curl = self.deployed_at = self.deployed_by = ""
            self.deployed_version = 0
            self.history = []
            return
        deployment = view.deployment
        self._show_workflow(deployment.workflow)
        if deployment.workflow is not None:
            self.workflow_choice = (
                deployment.workflow.type.lower() if deployment.workflow.overridden else AUTOMATIC
            )
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
        if current is None and not mine and doc.base_version:
            await self._preview(api, doc.doc_id, doc.base_version)
        return None

    @rx.event
    async def set_workflow_choice(self, value: str) -> None:
        """Automatic, Express or Standard; shows at once what that means for this graph."""
        if value not in WORKFLOW_CHOICES:
            return
        self.workflow_choice = value
        doc = await self.get_state(DocumentState)
        if doc.base_version:
            await self._preview(await api_for(self), doc.doc_id, doc.base_version)

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
            view = await api.deploy(self.slug, doc.doc_id, doc.base_version, self._override())
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
