"""The management API's answers as pydantic models, for the routes and for their clients.

The builder parses responses into these same classes, so the two cannot drift apart. They
live apart from the routers so a client can load them without FastAPI or the service's
handlers: this module imports pydantic and the layers below the service only (import-linter
holds ``builder`` to that).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from runtime.core.diagnostics import Diagnostic
from runtime.store import ApiKey, Deployment, GraphVersion, Permission, Role
from runtime.tenant.brand import Brand
from runtime.tenant.industry import Industry

DRAFT_VERSION = 0
"""The version recorded for a run of an unsaved graph (saved versions start at 1)."""


# Auth (``/auth``)


class Session(BaseModel):
    token: str
    expires_at: int
    tenant: str
    email: str
    role: Role
    permissions: list[Permission] = Field(default_factory=list)
    password_change_required: bool = False
    """The token only opens ``POST /auth/password`` until a new password is chosen."""


class Me(BaseModel):
    tenant: str
    tenant_name: str
    actor: str
    role: Role
    via: str
    industry: Industry = "general"
    """The tenant's industry: its preset compliance packs until an admin chooses some."""


# Graphs (``/graphs``)


class Saved(BaseModel):
    version: GraphVersion
    diagnostics: list[Diagnostic]
    """Saving never requires a valid graph (drafts are normal); deploying does."""


class Validation(BaseModel):
    valid: bool
    diagnostics: list[Diagnostic]


# Deployments (``/deployments``)


class LambdaEndpoint(BaseModel):
    function_name: str
    function_arn: str
    function_version: str
    code_sha256: str
    rest_api_id: str
    url: str
    workflow_type: str | None = None
    """With a state machine: ``EXPRESS`` or ``STANDARD`` (the function is its step handler)."""
    state_machine_arn: str | None = None
    state_machine_version_arn: str | None = None
    """The published version the ``live`` alias points to (new runs start on it)."""
    alias_arn: str | None = None


class DeploymentView(BaseModel):
    deployment: Deployment
    url: str
    curl: str
    aws: LambdaEndpoint | None = None
    """In AWS mode: the function and API Gateway URL serving this deployment."""


# Settings (``/api-keys``)


class CreatedKey(BaseModel):
    key: ApiKey
    secret: str = Field(description="Shown once: only a hash is stored.")


# Brand (``/brand``)


class BrandView(BaseModel):
    brand: Brand
    revision: int
    logo_url: str | None = None
    favicon_url: str | None = None


class PreviewResult(BaseModel):
    valid: bool
    problems: dict[str, str] = Field(default_factory=dict)
    """Field name (``primary_color``, ``logo``...) to what is wrong with it."""
    brand: Brand | None = None


class PublicBrand(BaseModel):
    """What the login page may show: display fields only (no domain, no revision)."""

    product_name: str
    primary_color: str
    accent_color: str
    font: str
    legal_footer: str
    support_email: str | None
    logo_url: str | None
    favicon_url: str | None


# Schedules (``/deployments/{slug}/schedule``)


class FireView(BaseModel):
    """One recorded slot of a deployment's schedule."""

    slot: str = Field(description="The slot in UTC, to the second.")
    scheduled_at: str = Field(description="The slot in the schedule's time zone (ISO 8601).")
    status: Literal["claimed", "fired", "missed"] = Field(
        description="claimed: being started; fired: its run started (run_id); missed: not run"
        " (downtime, per the catch-up policy)."
    )
    run_id: str | None = None
    version: int


class ScheduleView(BaseModel):
    """When a deployed graph's Schedule trigger fires next, and what it did lately."""

    slug: str
    graph_id: str
    version: int
    scheduled: bool = Field(description="False when the deployed version has no Schedule trigger.")
    cron: str | None = None
    timezone: str | None = None
    fired_by: Literal["local", "eventbridge", "off"] = Field(
        description="local: this service's scheduler; eventbridge: AWS EventBridge Scheduler;"
        " off: nothing fires it here (AUTERITY_SCHEDULER=0)."
    )
    catchup: str = Field(description="What runs after downtime: latest, none or all.")
    next_fire_times: list[str] = Field(
        default_factory=list, description="ISO 8601, in the schedule's time zone."
    )
    last_fires: list[FireView] = Field(default_factory=list, description="Newest first.")
