"""The graph file format (``*.graph.json``): a versioned, serializable description of a workflow.

A ``Graph`` is data only. Structural rules (unique ids, edges that point somewhere, acyclicity)
are deliberately *not* enforced here: the validator reports them as diagnostics that name the
node, which is far more useful in a builder than a model that refuses to load.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from runtime.core.types import GraphId, NodeId

SCHEMA_VERSION = 2
"""Bump together with a migration in ``runtime.core.migrations``."""

ID_PATTERN = r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$"


def _json_only(value: Any) -> Any:
    """Refuse NaN and infinities anywhere inside.

    They are not JSON and would come back as ``null`` from storage, so what was saved would
    not be what is read (or hashed).
    """
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, float) and not math.isfinite(current):
            raise ValueError("numbers must be finite (NaN and Infinity are not JSON)")
        if isinstance(current, dict):
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
    return value


JsonObject = Annotated[dict[str, Any], AfterValidator(_json_only)]


class Position(BaseModel):
    model_config = ConfigDict(extra="forbid")

    x: float = 0.0
    y: float = 0.0


class RetryPolicy(BaseModel):
    """How often a failing node is tried again, and how long to wait between tries."""

    model_config = ConfigDict(extra="forbid")

    max_attempts: int = Field(default=1, ge=1, le=10)
    backoff_seconds: float = Field(default=0.5, ge=0, le=300)
    backoff_factor: float = Field(default=2.0, ge=1, le=10)
    max_backoff_seconds: float = Field(default=30.0, ge=0, le=900)

    def delay_before(self, attempt: int) -> float:
        """Seconds to wait before ``attempt`` (2 is the first retry)."""
        if attempt <= 1:
            return 0.0
        delay = self.backoff_seconds * self.backoff_factor ** (attempt - 2)
        return float(min(delay, self.max_backoff_seconds))


class NodeSettings(BaseModel):
    """Execution settings every node has, whatever its type."""

    model_config = ConfigDict(extra="forbid")

    timeout_seconds: float | None = Field(default=None, gt=0, le=900)
    retry: RetryPolicy = Field(default_factory=RetryPolicy)
    disabled: bool = Field(default=False, description="A disabled node passes its input through.")
    notes: str = Field(default="", max_length=10_000)


class Node(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: NodeId = Field(pattern=ID_PATTERN)
    type: str = Field(min_length=1, max_length=128)
    version: int = Field(default=1, ge=1)
    label: str = Field(default="", max_length=200)
    position: Position = Field(default_factory=Position)
    config: JsonObject = Field(default_factory=dict)
    settings: NodeSettings = Field(default_factory=NodeSettings)
    parent: NodeId | None = Field(
        default=None,
        description="The for-each node whose body this node belongs to, if any.",
    )


class Edge(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(default="", max_length=200)
    source: NodeId
    source_port: str = "out"
    target: NodeId
    target_port: str = "in"

    @property
    def key(self) -> str:
        return self.id or f"{self.source}.{self.source_port}->{self.target}.{self.target_port}"


class Graph(BaseModel):
    """A workflow: nodes, the edges between their ports, and free-form metadata."""

    model_config = ConfigDict(extra="forbid", title="Auterity graph")

    schema_version: int = Field(default=SCHEMA_VERSION, alias="schema_version")
    id: GraphId = Field(default=GraphId("graph"), pattern=ID_PATTERN)
    name: str = Field(default="Untitled", max_length=200)
    description: str = Field(default="", max_length=10_000)
    nodes: list[Node] = Field(default_factory=list)
    edges: list[Edge] = Field(default_factory=list)
    metadata: JsonObject = Field(default_factory=dict)

    def node(self, node_id: str) -> Node | None:
        return next((n for n in self.nodes if n.id == node_id), None)

    def to_json(self) -> str:
        return self.model_dump_json(indent=2, exclude_defaults=False) + "\n"
