"""A tenant's AI policy: which models it may use, in what order, and how much it may spend.

Stored inside ``TenantSettings`` and carried into every run by ``RunOptions``, so a node, the
generate-graph endpoint and a Lambda step all obey the same rules. Pydantic only: this module is
imported by the store and the executor and must stay light.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

ROUTE_PATTERN = r"^([a-z0-9][a-z0-9_-]{0,31}:)?[A-Za-z0-9][A-Za-z0-9._:/@-]{0,127}$"
"""``provider:model`` or a bare model name (``gpt-4o-mini``, ``openai:gpt-4o-mini``)."""


class Price(BaseModel):
    """US dollars per one million tokens."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    input_per_mtok: float = Field(ge=0, le=10_000)
    output_per_mtok: float = Field(ge=0, le=10_000)

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        return (input_tokens * self.input_per_mtok + output_tokens * self.output_per_mtok) / 1e6


class AiPolicy(BaseModel):
    """Routing, spending and retry rules for one tenant's model calls."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    preferred: list[str] = Field(
        default_factory=list,
        max_length=16,
        description=(
            "Models to try in order (`provider:model` or a model name) after the one a node"
            " asks for; the providers' default models follow."
        ),
    )
    allowed_providers: list[str] | None = Field(
        default=None, max_length=16, description="Only these providers; null allows all."
    )
    allowed_models: list[str] | None = Field(
        default=None, max_length=64, description="Only these models; null allows all."
    )
    max_cost_per_call_usd: float | None = Field(
        default=None,
        gt=0,
        description="Skip models whose worst-case cost for a call (prompt + max_tokens) is higher.",
    )
    monthly_budget_usd: float | None = Field(
        default=None,
        ge=0,
        description="Calls are refused before they are made once this month's spend would pass it.",
    )
    prices: dict[str, Price] = Field(
        default_factory=dict,
        max_length=64,
        description="Price overrides by model (or `provider:model`), e.g. a negotiated rate.",
    )
    max_attempts: int = Field(
        default=4,
        ge=1,
        le=10,
        description=(
            "HTTP attempts per call across all providers, SDK retries included: one budget,"
            " so retries in different layers never multiply."
        ),
    )
    retries_per_provider: int = Field(
        default=1, ge=0, le=5, description="Retries of one provider before falling back."
    )
    timeout_seconds: float = Field(
        default=60.0, gt=0, le=600, description="Per HTTP attempt, streaming included."
    )

    def model_allowed(self, provider: str, model: str) -> bool:
        if self.allowed_providers is not None and provider not in self.allowed_providers:
            return False
        if self.allowed_models is None:
            return True
        return model in self.allowed_models or f"{provider}:{model}" in self.allowed_models
