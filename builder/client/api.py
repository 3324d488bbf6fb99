"""The builder's client of the management API (``runtime/service``, ``/api/v1``).

The builder holds no data of its own: every list, save and deploy is a call here, made with
the logged-in user's bearer token, so tenant isolation and permissions stay in the service.
Responses are parsed into the service's own pydantic models, and every error answer
(``{"error": {"code", "message", ...}}``) becomes a ``ServiceError`` whose message a page can
show as it is.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import TypeAdapter, ValidationError

from builder.client.brand_calls import BrandCalls
from builder.client.compliance_calls import ComplianceCalls, Report
from builder.client.run_calls import InboxItem, RunCalls
from builder.client.schedule_calls import ScheduleCalls
from runtime.assistant.models import GenerateRequest, GenerateResult
from runtime.core.diagnostics import Diagnostic
from runtime.core.diff import GraphDiff
from runtime.core.graph import Graph
from runtime.service.schemas import CreatedKey, DeploymentView, Me, Saved, Session, Validation
from runtime.store import (
    ApiKey,
    Conversation,
    DeploymentWorkflow,
    GraphHead,
    GraphVersion,
    GraphVersionInfo,
    Role,
    RunRecord,
    RunStatus,
    TenantSettings,
)
from runtime.tenant.industry import Industry

API_URL_ENV = "AUTERITY_API_URL"
DEFAULT_API_URL = "http://127.0.0.1:8000"
PREFIX = "/api/v1"
TIMEOUT_SECONDS = 30.0
AI_TIMEOUT_SECONDS = 180.0
"""Generating a graph is model calls plus repair rounds: far longer than any other call."""

T = TypeVar("T")

SESSION = TypeAdapter(Session)
ME = TypeAdapter(Me)
GRAPH_HEADS = TypeAdapter(list[GraphHead])
GRAPH_VERSION = TypeAdapter(GraphVersion)
SAVED = TypeAdapter(Saved)
VERSIONS = TypeAdapter(list[GraphVersionInfo])
DIFF = TypeAdapter(GraphDiff)
VALIDATION = TypeAdapter(Validation)
DEPLOYMENTS = TypeAdapter(list[DeploymentView])
DEPLOYMENT = TypeAdapter(DeploymentView)
WORKFLOW = TypeAdapter(DeploymentWorkflow)
RUNS = TypeAdapter(list[RunRecord])
RUN = TypeAdapter(RunRecord)
SETTINGS = TypeAdapter(TenantSettings)
KEYS = TypeAdapter(list[ApiKey])
CREATED_KEY = TypeAdapter(CreatedKey)
GENERATED = TypeAdapter(GenerateResult)
CONVERSATIONS = TypeAdapter(list[Conversation])
CONVERSATION = TypeAdapter(Conversation)

__all__ = [
    "Api",
    "ApiKey",
    "Conversation",
    "CreatedKey",
    "DeploymentView",
    "DeploymentWorkflow",
    "GenerateRequest",
    "GenerateResult",
    "GraphDiff",
    "GraphHead",
    "GraphVersion",
    "GraphVersionInfo",
    "InboxItem",
    "Industry",
    "Me",
    "Report",
    "RunRecord",
    "Saved",
    "ServiceError",
    "Session",
    "TenantSettings",
    "Validation",
    "api_url",
]


def api_url() -> str:
    """Read on every use, so a test (or an operator) can point a running builder elsewhere."""
    return (os.environ.get(API_URL_ENV) or DEFAULT_API_URL).rstrip("/")


class ServiceError(Exception):
    """An error answer from the service, or no answer at all (``status`` 0)."""

    def __init__(self, status: int, code: str, message: str, extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra or {}

    @property
    def unauthorized(self) -> bool:
        return self.status == 401

    @property
    def conflict(self) -> bool:
        return self.status == 409

    @property
    def current_version(self) -> int | None:
        """On a save conflict: the version someone else saved."""
        value = self.extra.get("current_version")
        return value if isinstance(value, int) else None

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """On a 422 ``graph_invalid``: why the graph cannot compile, node by node."""
        raw = self.extra.get("diagnostics")
        if not isinstance(raw, list):
            return []
        try:
            return TypeAdapter(list[Diagnostic]).validate_python(raw)
        except ValidationError:
            return []

    def __str__(self) -> str:
        return self.message


def error_from(response: httpx.Response) -> ServiceError:
    """The service's error envelope; anything else (a proxy's HTML page) still says something."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        error = body["error"]
        extra = {k: v for k, v in error.items() if k not in ("code", "message")}
        return ServiceError(
            response.status_code,
            str(error.get("code") or "error"),
            str(error.get("message") or response.reason_phrase),
            extra,
        )
    text = response.text.strip()[:200] or response.reason_phrase
    return ServiceError(response.status_code, "error", f"HTTP {response.status_code}: {text}")


class Api(BrandCalls, ComplianceCalls, ScheduleCalls, RunCalls):
    """One user's calls; cheap to make per request (the token is the only state)."""

    def __init__(
        self,
        token: str = "",
        *,
        base_url: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = TIMEOUT_SECONDS,
    ) -> None:
        self.token = token
        self.base_url = (base_url or api_url()).rstrip("/")
        self._transport = transport
        self._timeout = timeout

    async def _call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        seconds: float | None = None,
        content: bytes | None = None,
        content_type: str | None = None,
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        if content_type:
            headers["Content-Type"] = content_type
        query = {k: v for k, v in (params or {}).items() if v is not None and v != ""}
        try:
            async with httpx.AsyncClient(
                base_url=self.base_url,
                transport=self._transport,
                timeout=seconds or self._timeout,
                trust_env=False,
            ) as client:
                response = await client.request(
                    method, PREFIX + path, json=json, content=content, params=query, headers=headers
                )
        except httpx.HTTPError as exc:
            raise ServiceError(
                0, "unreachable", f"The Auterity service at {self.base_url} did not answer ({exc})."
            ) from None
        if response.is_error:
            raise error_from(response)
        return response

    async def _get(self, path: str, adapter: TypeAdapter[T], **params: Any) -> T:
        return _parse(adapter, await self._call("GET", path, params=params))

    # --- sessions -------------------------------------------------------------------------

    async def login(self, tenant: str, email: str, password: str) -> Session:
        body = {"tenant": tenant, "email": email, "password": password}
        return _parse(SESSION, await self._call("POST", "/auth/login", json=body))

    async def change_password(self, current: str, new: str) -> Session:
        """With the password-only token of a first login: the new password, a full session."""
        body = {"current_password": current, "new_password": new}
        return _parse(SESSION, await self._call("POST", "/auth/password", json=body))

    async def me(self) -> Me:
        return await self._get("/auth/me", ME)

    async def logout(self) -> None:
        """Ends the user's sessions on the service (every token issued to them so far)."""
        await self._call("POST", "/auth/logout")

    # --- graphs and versions --------------------------------------------------------------

    async def list_graphs(self) -> list[GraphHead]:
        return await self._get("/graphs", GRAPH_HEADS)

    async def get_graph(self, graph_id: str, version: int | None = None) -> GraphVersion:
        return await self._get(f"/graphs/{_segment(graph_id)}", GRAPH_VERSION, version=version)

    async def create_graph(
        self, graph: Graph, message: str = "", *, secrets_from: str | None = None
    ) -> Saved:
        """A new graph; a copy names its original in ``secrets_from`` to keep masked secrets."""
        body: dict[str, Any] = {"graph": graph.model_dump(mode="json"), "message": message}
        if secrets_from is not None:
            body["secrets_from"] = secrets_from
        return _parse(SAVED, await self._call("POST", "/graphs", json=body))

    async def save_graph(self, graph: Graph, base_version: int, message: str = "") -> Saved:
        """A new version on top of ``base_version``; 409 (``conflict``) if someone was first."""
        body = {
            "graph": graph.model_dump(mode="json"),
            "base_version": base_version,
            "message": message,
        }
        path = f"/graphs/{_segment(graph.id)}"
        return _parse(SAVED, await self._call("PUT", path, json=body))

    async def delete_graph(self, graph_id: str) -> None:
        await self._call("DELETE", f"/graphs/{_segment(graph_id)}")

    async def list_versions(self, graph_id: str) -> list[GraphVersionInfo]:
        """Newest first."""
        return await self._get(f"/graphs/{_segment(graph_id)}/versions", VERSIONS)

    async def diff(self, graph_id: str, old: int, new: int | None = None) -> GraphDiff:
        path = f"/graphs/{_segment(graph_id)}/diff"
        return await self._get(path, DIFF, **{"from": old, "to": new})

    async def validate(
        self, graph_id: str, version: int | None = None, packs: Sequence[str] = ()
    ) -> Validation:
        """``packs=["tenant"]``: with the findings of the tenant's compliance packs."""
        path = f"/graphs/{_segment(graph_id)}/validate"
        params = {"version": version, "packs": list(packs) or None}
        return _parse(VALIDATION, await self._call("POST", path, params=params))

    # --- deployments ----------------------------------------------------------------------

    async def list_deployments(self) -> list[DeploymentView]:
        return await self._get("/deployments", DEPLOYMENTS)

    async def deploy(
        self,
        slug: str,
        graph_id: str,
        version: int | None = None,
        workflow_type: str | None = None,
    ) -> DeploymentView:
        """``workflow_type``: ``express`` or ``standard`` instead of the compiler's choice."""
        body = {"slug": slug, "graph_id": graph_id, "version": version}
        if workflow_type:
            body["workflow_type"] = workflow_type
        return _parse(DEPLOYMENT, await self._call("POST", "/deployments", json=body))

    async def workflow(
        self, graph_id: str, version: int | None = None, workflow_type: str | None = None
    ) -> DeploymentWorkflow:
        """What deploying this version would run as (Express or Standard) and why."""
        path = f"/graphs/{_segment(graph_id)}/workflow"
        params = {"version": version, "workflow_type": workflow_type}
        return _parse(WORKFLOW, await self._call("POST", path, params=params))

    async def rollback(
        self, slug: str, version: int, workflow_type: str | None = None
    ) -> DeploymentView:
        path = f"/deployments/{_segment(slug)}/rollback"
        body: dict[str, Any] = {"version": version}
        if workflow_type:
            body["workflow_type"] = workflow_type
        return _parse(DEPLOYMENT, await self._call("POST", path, json=body))

    async def undeploy(self, slug: str) -> None:
        await self._call("DELETE", f"/deployments/{_segment(slug)}")

    # --- runs -----------------------------------------------------------------------------

    async def list_runs(
        self, graph_id: str | None = None, status: RunStatus | None = None, limit: int = 50
    ) -> list[RunRecord]:
        return await self._get("/runs", RUNS, graph_id=graph_id, status=status, limit=limit)

    async def run_draft(
        self,
        graph: Graph,
        input: Any = None,
        *,
        pins: dict[str, dict[str, Any]] | None = None,
        rerun_from: str | None = None,
        previous_run_id: str | None = None,
    ) -> RunRecord:
        """A test run of the canvas as it is (saved or not), with pinned data."""
        body: dict[str, Any] = {
            "graph": graph.model_dump(mode="json"),
            "input": input,
            "pins": pins or {},
        }
        if rerun_from is not None:
            body |= {"rerun_from": rerun_from, "previous_run_id": previous_run_id}
        return _parse(RUN, await self._call("POST", "/runs", json=body))

    async def get_run(self, run_id: str) -> RunRecord:
        return await self._get(f"/runs/{_segment(run_id)}", RUN)

    # --- the AI assistant -----------------------------------------------------------------

    async def generate_graph(self, request: GenerateRequest) -> GenerateResult:
        """A proposed graph (never applied by the service); records the chat turn."""
        body = request.model_dump(mode="json", exclude_none=True)
        response = await self._call(
            "POST", "/ai/generate-graph", json=body, seconds=max(self._timeout, AI_TIMEOUT_SECONDS)
        )
        return _parse(GENERATED, response)

    async def list_conversations(self, limit: int = 50) -> list[Conversation]:
        """The caller's own conversations, newest first, without their turns."""
        return await self._get("/ai/conversations", CONVERSATIONS, limit=limit)

    async def get_conversation(self, conversation_id: str) -> Conversation:
        return await self._get(f"/ai/conversations/{_segment(conversation_id)}", CONVERSATION)

    async def delete_conversation(self, conversation_id: str) -> None:
        await self._call("DELETE", f"/ai/conversations/{_segment(conversation_id)}")

    # --- settings and keys ----------------------------------------------------------------

    async def get_settings(self) -> TenantSettings:
        return await self._get("/settings", SETTINGS)

    async def update_settings(self, settings: TenantSettings) -> TenantSettings:
        body = settings.model_dump(mode="json")
        return _parse(SETTINGS, await self._call("PUT", "/settings", json=body))

    async def list_keys(self) -> list[ApiKey]:
        return await self._get("/api-keys", KEYS)

    async def create_key(self, name: str, role: Role = "editor") -> CreatedKey:
        body = {"name": name, "role": role}
        return _parse(CREATED_KEY, await self._call("POST", "/api-keys", json=body))

    async def revoke_key(self, key_id: str) -> None:
        await self._call("DELETE", f"/api-keys/{_segment(key_id)}")


def _segment(value: str) -> str:
    """One path segment: an id with ``/`` or ``..`` in it must not reach another route."""
    return quote(value, safe="") or "-"


def _parse(adapter: TypeAdapter[T], response: httpx.Response) -> T:
    """The answer as the service's model; a shape we do not understand is an error too."""
    try:
        return adapter.validate_json(response.content)
    except ValidationError as exc:
        raise ServiceError(
            response.status_code,
            "bad_response",
            f"The service answered {response.request.url.path} with data the builder does "
            f"not understand ({exc.error_count()} problems).",
        ) from None
