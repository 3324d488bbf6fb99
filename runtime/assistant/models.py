"""The generate-graph request and result: what the API, the CLI and a chat panel exchange."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from runtime.core.diagnostics import Diagnostic
from runtime.core.diff import GraphDiff
from runtime.core.graph import Graph
from runtime.core.llm.policy import ROUTE_PATTERN
from runtime.tenant.industry import Industry


class GenerateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str = Field(
        min_length=1, max_length=4000, description="What the workflow should do, in plain words."
    )
    industry: Industry | None = Field(
        default=None, description="Defaults to the tenant's industry."
    )
    graph: Graph | None = Field(
        default=None, description="The graph on the canvas: the description is an edit of it."
    )
    conversation_id: str | None = Field(
        default=None,
        max_length=128,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="Continue this chat (its earlier turns give the model context).",
    )
    compliance_packs: list[str] = Field(
        default_factory=list,
        max_length=16,
        description="Compliance packs the graph must respect (e.g. `hipaa`, `pci`, `glba`).",
    )
    max_repair_rounds: int = Field(
        default=2, ge=0, le=5, description="Times the validator's findings go back to the model."
    )
    model: str | None = Field(default=None, pattern=ROUTE_PATTERN)


class GenerateResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    graph: Graph
    diagnostics: list[Diagnostic] = Field(
        default_factory=list, description="What the validator still finds (empty: valid)."
    )
    explanation: str
    source: Literal["model", "template"]
    template: str | None = Field(default=None, description="The template used, if any.")
    rounds: int = Field(default=0, description="Model calls made (1 + repair rounds used).")
    diff: GraphDiff | None = Field(
        default=None, description="Against the request's graph, when one was given."
    )
    conversation_id: str | None = None
    usage: list[dict[str, Any]] = Field(default_factory=list, description="One entry per call.")
    cost_usd: float = 0.0

    @property
    def valid(self) -> bool:
        return not any(d.severity == "error" for d in self.diagnostics)
