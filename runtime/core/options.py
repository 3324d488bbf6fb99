"""Per-run settings that come from the tenant and the operator, not from the graph."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from runtime.core.egress import EgressPlatform
from runtime.core.llm.policy import AiPolicy


class RunOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    tenant_id: str = "local"
    egress_allow: tuple[str, ...] = Field(
        default=(),
        description=(
            "The tenant's hosts or CIDR ranges outbound HTTP may reach although they are"
            " not public (an on-premises CRM), within what the operator opened (``egress``)."
        ),
    )
    egress: EgressPlatform = Field(
        default_factory=EgressPlatform,
        description="The operator's egress policy (opened ranges, platform endpoints denied);"
        " set by the service, the deployed function or the CLI, never from tenant data.",
    )
    http_timeout_seconds: float = Field(default=30.0, gt=0, le=300)
    max_delay_seconds: float = Field(default=900.0, ge=0)
    durable_waits: bool = Field(
        default=False,
        description="Something keeps the run (the service's durable runner): a long delay"
        " suspends it as a timer instead of sleeping (``nodes.logic.delay``).",
    )
    sleep_limit_seconds: float = Field(default=5.0, ge=0)
    """Where durable, delays up to this still sleep: a timer costs writes and a sweep."""
    run_timeout_seconds: float | None = Field(default=None, gt=0)
    max_concurrency: int = Field(default=16, ge=1, le=256)
    ai: AiPolicy = Field(
        default_factory=AiPolicy,
        description="The tenant's model routing, retry and budget rules for AI nodes.",
    )
