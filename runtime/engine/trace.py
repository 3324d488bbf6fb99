"""What a run leaves behind: per-node status, data, attempts and timing, and the outcome."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from runtime.core.waiting import WaitRequest

NodeStatus = Literal["ok", "failed", "skipped", "cancelled", "disabled", "pinned", "waiting"]
RunStatus = Literal["succeeded", "failed", "cancelled", "timed_out", "waiting"]


class NodeFailure(BaseModel):
    model_config = ConfigDict(extra="forbid")

    node: str
    message: str
    type: str = "NodeError"


@dataclass(slots=True, kw_only=True)
class NodeTrace:
    """One node's part of a run.

    A plain dataclass, not a model: the executor makes one per node per run, where a model's
    validation would cost more than running a typical node (``bench/executor_overhead.py``).
    Pydantic still validates entries that come from outside, as ``RunResult.trace`` items.
    """

    node: str
    type: str
    status: NodeStatus
    iteration: list[int] = field(default_factory=list)
    """Index path inside for-each bodies (outermost first); empty at the top level."""
    inputs: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    error: NodeFailure | None = None
    handled: bool = False
    """The failure went to the node's error port instead of failing the run."""
    attempts: int = 0
    started_at: float | None = None
    duration_ms: float = 0.0


TRACE = TypeAdapter(list[NodeTrace])
"""Dumps a run's entries to JSON-ready dicts in one call: ``TRACE.dump_python(t, mode="json")``."""


class NodeWait(BaseModel):
    """A node the run is waiting on (``runtime.core.waiting``): what it asked, where it stands."""

    model_config = ConfigDict(extra="forbid")

    node: str
    iteration: list[int] = Field(default_factory=list)
    request: WaitRequest
    input: Any = None
    """What reached the node's ``in`` port: an approver sees it, a timeout may pass it on."""


class RunResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    run_id: str
    graph_id: str
    status: RunStatus
    output: Any = None
    responder: str | None = None
    """The respond node whose ``{status, headers, body}`` is ``output``, if one fired."""
    error: NodeFailure | None = None
    trace: list[NodeTrace] = Field(default_factory=list)
    duration_ms: float = 0.0
    waits: list[NodeWait] = Field(default_factory=list)
    """Why a ``waiting`` run waits: each node that suspended it (empty otherwise)."""

    def node(self, node_id: str) -> NodeTrace | None:
        """The top-level trace entry of a node (the first iteration's, inside a body)."""
        return next((t for t in self.trace if t.node == node_id), None)
