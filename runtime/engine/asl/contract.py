"""What a compiled state machine and the step handler it invokes say to each other.

The machine keeps a run's data in its state, ``{"run", "at", "item", "attempt", "state":
{"nodes": {<id>: NodeRecord}}}``, and every Task sends the handler a ``StateEvent`` built from it;
the handler answers with a ``NodeRecord``. Both sides import these models, so the JSON paths the
compiler writes and the fields the handler reads cannot drift apart.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from runtime.core.options import RunOptions
from runtime.engine.trace import NodeFailure, NodeStatus

NODE_FAILED = "Auterity.NodeFailed"
"""The error a Fail state raises when a node fails with no error port wired; its cause is the
``Failure`` as JSON. A Parallel or Map around it fails with the same error and cause."""

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
STEP_HANDLER = "${StepHandler}"
"""The Task states' ``FunctionName``: a definition substitution (CloudFormation's
``DefinitionSubstitutions``, or ``machine.substitute``) naming the function whose handler is
``auterity_entry.states`` in the graph's compiled bundle."""


class NodeAttemptFailed(Exception):
    """Raised by the handler when a node's attempt failed and its retry policy allows another.

    A Lambda reports an uncaught exception's class name as the error, so this name is what the
    Task's Retry matches: the wait between attempts is then the state machine's, not a
    sleeping function's.
    """


class RunInput(BaseModel):
    """An execution's input: one run's identity, trigger event and options.

    Without ``id`` or ``started_at`` a run is the execution's name and start time, so every
    node of it reads the same ``{{ run }}``.
    """

    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    trigger: Any = None
    started_at: str | None = None
    options: RunOptions = Field(default_factory=RunOptions)


class Execution(BaseModel):
    """The context object's execution, as every Task passes it."""

    model_config = ConfigDict(extra="forbid")

    name: str
    started: str


class At(BaseModel):
    """Where a for-each body runs: this item's index and the enclosing one's (``up``).

    A linked list, because ASL cannot append to an array but can nest an object.
    """

    model_config = ConfigDict(extra="forbid")

    index: int
    up: At | None = None

    def iteration(self) -> tuple[int, ...]:
        """Outermost first, as the in-process trace writes it."""
        path: list[int] = []
        current: At | None = self
        while current is not None:
            path.append(current.index)
            current = current.up
        return tuple(reversed(path))


class BodyEntry(BaseModel):
    """One body node's status for one item (the trace's per-iteration entries)."""

    model_config = ConfigDict(extra="forbid")

    node: str
    iteration: list[int]
    status: NodeStatus


class NodeRecord(BaseModel):
    """One node's part of the state, at ``$.state.nodes.<id>``.

    ``out`` holds the ports that fired (a Choice asks ``IsPresent`` of ``out.<port>``), ``port``
    the first of them (what ``{{ nodes.<id> }}`` reads). Extra keys are the machine's scratch
    space beside a for-each's record (its item count, the Map's results) and are ignored.
    """

    model_config = ConfigDict(extra="ignore")

    node: str
    status: NodeStatus
    iteration: list[int] = Field(default_factory=list)
    """Where in for-each bodies the handler ran it; the state does not keep it (the history
    and logs do, so every answer there says which node and item it is)."""
    out: dict[str, Any] = Field(default_factory=dict)
    port: str | None = None
    error: NodeFailure | None = None
    attempts: int = 0
    handled: bool = False
    wait: int | None = None
    """A delay's wait in whole seconds, for the Wait state after it (None: no wait)."""
    size: int | None = None
    """A for-each's item count after its ``items`` phase (which Map runs them)."""
    body: list[BodyEntry] = Field(default_factory=list)
    """A for-each's body entries, every item's (nested bodies included)."""
    each: list[ItemOutcome] | Caught | None = None
    """Scratch: a for-each's Map results (or what its Catch caught), for ``collect``."""

    @property
    def view(self) -> tuple[bool, Any]:
        """``(True, value)`` when the node has a value for ``{{ nodes.<id> }}``."""
        if self.port is None or self.port not in self.out:
            return False, None
        return True, self.out[self.port]


RECORD_FIELDS = ("node", "status", "out", "port", "error", "attempts", "handled")
"""What every Task keeps of the handler's answer (a delay adds ``wait``, a for-each ``body``)."""


class Failure(BaseModel):
    """A Fail state's cause: the node that failed and why (``index``: which item, in a body)."""

    model_config = ConfigDict(extra="forbid")

    node: str
    message: str
    type: str = "NodeError"
    index: int | None = None

    def node_failure(self) -> NodeFailure:
        return NodeFailure(node=self.node, message=self.message, type=self.type)

    @classmethod
    def from_cause(cls, cause: str | None) -> Failure | None:
        """The failure a ``NODE_FAILED`` cause carries; None for causes of anything else."""
        try:
            return cls.model_validate(json.loads(cause or ""))
        except (ValueError, ValidationError):
            return None


class Caught(BaseModel):
    """What a Catch leaves at its ResultPath."""

    model_config = ConfigDict(extra="ignore")

    Error: str
    Cause: str | None = None


class ItemOutcome(BaseModel):
    """What one iteration of a for-each's Map returns.

    ``fired``/``value``: the body's result for the item; ``failure``: the body failed (the
    for-each's ``on_item_error`` decides); ``attempt``: the Map's retry count when it ran.
    """

    model_config = ConfigDict(extra="forbid")

    fired: bool = False
    value: Any = None
    failure: Failure | None = None
    attempt: int = 0
    nodes: dict[str, NodeRecord] = Field(default_factory=dict)


Phase = Literal["run", "items", "collect"]
"""``run``: one node. A for-each with a body is ``items`` (check and list what to iterate),
then a Map, then ``collect`` (its output from the Map's results)."""


class StateEvent(BaseModel):
    """What a Task sends the handler: the node, the run, the state so far, where it is."""

    model_config = ConfigDict(extra="forbid")

    node: str
    phase: Phase = "run"
    run: RunInput = Field(default_factory=RunInput)
    execution: Execution | None = None
    nodes: dict[str, NodeRecord] = Field(default_factory=dict)
    attempt: int = 0
    """``$$.State.RetryCount``: the attempts already made before this one."""
    item: Any = None
    at: At | None = None


NodeRecord.model_rebuild()
