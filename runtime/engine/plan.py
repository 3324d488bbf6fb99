"""The execution plan: what the compiler emits and the executor (or a Lambda) runs.

It is plain data: node configs as written (validated at compile time), the wiring of every
input, a topological order and levels per scope, and the branch structure (which output port
feeds which nodes) so that a host other than our executor could drive the steps.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from runtime.core.graph import NodeSettings

PLAN_VERSION = 1


class Wire(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str
    source_port: str
    target: str
    target_port: str


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid")

    node: str
    type: str
    version: int
    label: str = ""
    config: dict[str, Any] = Field(default_factory=dict)
    settings: NodeSettings = Field(default_factory=NodeSettings)
    scope: str | None = None
    inputs: list[Wire] = Field(default_factory=list)
    """Wires into this step: from nodes of its scope, or from its container's body ports."""
    branches: dict[str, list[str]] = Field(default_factory=dict)
    """Output port -> nodes it feeds. A port that does not fire leaves those nodes inactive."""
    handles_errors: bool = False
    """Its ``error`` port is wired, so a failure becomes data instead of failing the run."""


class ScopePlan(BaseModel):
    model_config = ConfigDict(extra="forbid")

    order: list[str] = Field(default_factory=list)
    levels: list[list[str]] = Field(default_factory=list)
    results: list[Wire] = Field(default_factory=list)
    """For a for-each body: the wires into the container's ``result`` port."""


class Plan(BaseModel):
    model_config = ConfigDict(extra="forbid")

    plan_version: int = PLAN_VERSION
    graph_id: str
    graph_name: str
    graph_hash: str
    trigger: str
    responders: list[str] = Field(default_factory=list)
    steps: dict[str, Step]
    root: ScopePlan
    bodies: dict[str, ScopePlan] = Field(default_factory=dict)
