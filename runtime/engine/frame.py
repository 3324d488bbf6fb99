"""Where a walk is (``Frame``), what a node's expressions see there, and the walk's signals.

Apart from the walk so that hosts that run one node at a time (the ASL state handler) share
exactly these with the in-process executor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from runtime.core.errors import NodeRunError
from runtime.core.waiting import Suspend
from runtime.engine.plan import ScopePlan
from runtime.engine.trace import NodeFailure

NO_RESPONSE = (
    "no Respond node ran, so the caller got no answer"
    " (a branch ended without one, or a node upstream fired nothing)"
)
"""Why a run whose caller waits failed although no node did (the ASL target says it too)."""


def item_failure(index: int, failure: NodeFailure) -> NodeRunError:
    """What a for-each sees when its body fails on one item (the ASL target replays it)."""
    return NodeRunError(f"item {index}: node {failure.node!r} failed: {failure.message}")


class BodyWaiting(Suspend):
    """A node inside a for-each body waits, so the for-each itself waits.

    Its wait is the inner node's, recorded already.
    """


@dataclass(slots=True)
class Frame:
    """Where a walk is: the scope (the plan or a loop body), its outputs so far, the item."""

    scope: ScopePlan
    outputs: dict[str, dict[str, Any]]
    view: dict[str, Any]
    iteration: tuple[int, ...] = ()
    item: Any = None
    failure: NodeFailure | None = None
    waiting: set[str] = field(default_factory=set)
    """Nodes of this scope that wait: what depends on them neither runs nor is skipped."""


def scope_for(
    inputs: dict[str, Any], frame: Frame, event: Any, run_info: dict[str, Any]
) -> dict[str, Any]:
    """What ``{{ ... }}`` reads in a node: its input(s), the nodes before it, trigger, run."""
    if "in" in inputs:
        primary = inputs["in"]
    elif len(inputs) == 1:
        primary = next(iter(inputs.values()))
    else:
        primary = inputs or None
    scope = {
        "input": primary,
        "inputs": inputs,
        "nodes": frame.view,
        "trigger": event,
        "run": run_info,
    }
    if frame.iteration:
        scope["item"] = frame.item
        scope["index"] = frame.iteration[-1]
    return scope
