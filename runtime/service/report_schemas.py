"""The tenant's compliance report as the service sends it (``GET /compliance/report``).

Apart from ``schemas`` because it carries compliance's ``Report``: importing that loads the
packs and NetworkX, which the service's Lambda cold start (``schemas`` is on it) must not pay.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from compliance.check import Report, RuleStatus
from compliance.names import PackName
from runtime.store.chain import ChainProblem


class VersionReport(BaseModel):
    graph_id: str
    name: str
    version: int
    head: bool
    """The graph's latest saved version."""
    deployments: list[str] = Field(default_factory=list)
    """Slugs of the endpoints serving this version."""
    status: RuleStatus
    """The worst of its rules' statuses (``passed`` when no pack is on)."""
    report: Report


class DeploymentCheck(BaseModel):
    """SOC2 change control of one deployment (``SOC2-DEPLOY-APPROVAL``)."""

    slug: str
    graph_id: str
    version: int
    deployed_by: str
    deployed_at: str
    status: RuleStatus | Literal["not_required"]
    """``not_required`` when the SOC2 pack is off."""
    approved_by: str | None = None
    message: str
    """Why it passed or failed, in a sentence."""


class AuditStatus(BaseModel):
    events: int
    intact: bool
    head_hash: str
    """Keep a copy: the chain proves nothing was changed since this head was seen."""
    problems: list[ChainProblem] = Field(default_factory=list)
    verified_through: int = 0
    """The newest event the chain is verified up to (0 when it is not intact)."""
    checked_from: int = 1
    """The first event this report read: earlier ones were found intact by an earlier check
    and are read again only by a full check (``?full_check=true`` or ``auterity audit
    verify``)."""


class TenantReport(BaseModel):
    tenant_id: str
    generated_at: str
    packs: list[PackName]
    summary: dict[RuleStatus, int]
    """Rule results over every listed version, plus one approval result per deployment."""
    graphs: list[VersionReport]
    deployments: list[DeploymentCheck]
    audit: AuditStatus
