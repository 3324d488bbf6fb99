"""Per-run settings that come from the tenant, not from the graph."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from runtime.ai.policy import AiPolicy


class RunOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    tenant_id: str = "local"
    egress_allow: tuple[str, ...] = Field(
        default=(),
        description=(
            "Hosts or CIDR ranges outbound HTTP may reach even though they are private,"
            " loopback or link-local (for example an on-premises CRM)."
        ),
    )
    http_timeout_seconds: float = Field(default=30.0, gt=0, le=300)
    max_delay_seconds: float = Field(default=900.0, ge=0)
    run_timeout_seconds: float | None = Field(default=None, gt=0)
    max_concurrency: int = Field(default=16, ge=1, le=256)
    ai: AiPolicy = Field(
        default_factory=AiPolicy,
        description="The tenant's model routing, retry and budget rules for AI nodes.",
    )
