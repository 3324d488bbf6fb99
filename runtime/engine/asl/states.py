"""The shapes of the few kinds of state the compiler writes, and where it is writing them.

Every builder returns plain JSON-ready dicts with a fixed key order, so the same graph always
gives the same bytes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from runtime.core.graph import NodeSettings
from runtime.engine.asl import paths
from runtime.engine.asl.contract import LAMBDA_INVOKE, STEP_HANDLER, NodeAttemptFailed
from runtime.engine.asl.limits import TIMEOUT_GRACE_SECONDS

State = dict[str, Any]
States = dict[str, State]


@dataclass(frozen=True, slots=True)
class Lane:
    """Where states are being written, which decides how a node's failure ends.

    ``scope``: None at the top, else the for-each whose body this is. ``top``: the scope's own
    chain rather than a Parallel branch inside it. ``catches``: a body whose item failures end
    the iteration with an outcome instead of failing the Map (``on_item_error`` skip or
    collect, and every Distributed Map). ``before``: body nodes recorded by now, for that
    outcome. ``prefix`` keeps state names unique in a Distributed Map's copy of a body.
    """

    scope: str | None = None
    top: bool = True
    catches: bool = False
    before: tuple[str, ...] = ()
    prefix: str = ""

    def name(self, node: str, role: str = "") -> str:
        return paths.state_name(self.prefix, node, role)

    def inner(self) -> Lane:
        """A Parallel branch inside this lane: its failures propagate to the Parallel."""
        return replace(self, top=False)

    def after(self, nodes: list[str]) -> Lane:
        return replace(self, before=(*self.before, *nodes))

    @property
    def in_body(self) -> bool:
        return self.scope is not None


def present(path: str) -> State:
    return {"Variable": path, "IsPresent": True}


def any_of(conditions: list[State]) -> State:
    return conditions[0] if len(conditions) == 1 else {"Or": conditions}


def all_of(conditions: list[State]) -> State:
    return conditions[0] if len(conditions) == 1 else {"And": conditions}


def choice(rules: list[tuple[State, str]], default: str) -> State:
    return {
        "Type": "Choice",
        "Choices": [{**condition, "Next": target} for condition, target in rules],
        "Default": default,
    }


def pass_state(parameters: Any, result_path: str | None, nxt: str | None) -> State:
    state: State = {"Type": "Pass", "Parameters": parameters}
    if result_path is not None:
        state["ResultPath"] = result_path
    return _ending(state, nxt)


def _ending(state: State, nxt: str | None) -> State:
    if nxt is None:
        state["End"] = True
    else:
        state["Next"] = nxt
    return state


def record_template(node: str, fields: dict[str, Any]) -> dict[str, Any]:
    """A ``NodeRecord`` written by the machine itself (a skip, a lost invocation)."""
    return {
        "node": node,
        "status": fields.get("status", "skipped"),
        "out": fields.get("out", {}),
        "port": fields.get("port"),
        "error": fields.get("error"),
        "attempts": 0,
        "handled": fields.get("handled", False),
    }


def payload(node: str, lane: Lane, phase: str) -> dict[str, Any]:
    """What a Task sends the step handler (``contract.StateEvent``)."""
    body: dict[str, Any] = {"node": node}
    if phase != "run":
        body["phase"] = phase
    if phase != "collect":
        body["attempt.$"] = "$$.State.RetryCount"
    body["run.$"] = "$.run"
    body["execution"] = {"name.$": "$$.Execution.Name", "started.$": "$$.Execution.StartTime"}
    body["nodes.$"] = paths.NODES
    if lane.in_body:
        body["item.$"] = "$.item"
        body["at.$"] = "$.at"
    return body


def task(
    node: str,
    lane: Lane,
    *,
    phase: str,
    fields: tuple[str, ...],
    settings: NodeSettings,
    nxt: str,
    lost: str,
) -> State:
    """A Task invoking the step handler for one node, with the node's timeout and retries."""
    state: State = {
        "Type": "Task",
        "Resource": LAMBDA_INVOKE,
        "Parameters": {"FunctionName": STEP_HANDLER, "Payload": payload(node, lane, phase)},
        "ResultSelector": {f"{name}.$": f"$.Payload.{name}" for name in fields},
        "ResultPath": paths.record(node),
    }
    if settings.timeout_seconds is not None:
        state["TimeoutSeconds"] = math.ceil(settings.timeout_seconds) + TIMEOUT_GRACE_SECONDS
    if phase != "collect" and settings.retry.max_attempts > 1:
        state["Retry"] = [retrier(NodeAttemptFailed.__name__, settings)]
    state["Catch"] = [
        {"ErrorEquals": ["States.ALL"], "ResultPath": paths.record(node), "Next": lost}
    ]
    state["Next"] = nxt
    return state


def retrier(error: str, settings: NodeSettings) -> State:
    """The node's retry policy as a Retrier: whole seconds, at least one (ASL's minimum)."""
    retry = settings.retry
    return {
        "ErrorEquals": [error],
        "IntervalSeconds": max(1, math.ceil(retry.backoff_seconds)),
        "MaxAttempts": retry.max_attempts - 1,
        "BackoffRate": retry.backoff_factor,
        "MaxDelaySeconds": max(1, math.ceil(retry.max_backoff_seconds)),
    }


def ordered(start: str, states: States) -> States:
    """The states in the order a reader follows them from ``start`` (deterministic)."""
    seen: list[str] = []
    stack = [start]
    while stack:
        name = stack.pop()
        if name in seen or name not in states:
            continue
        seen.append(name)
        stack.extend(reversed(_targets(states[name])))
    seen += sorted(set(states) - set(seen))
    return {name: states[name] for name in seen}


def _targets(state: State) -> list[str]:
    found = [rule["Next"] for rule in state.get("Choices", [])]
    found += [state[key] for key in ("Next", "Default") if key in state]
    return found + [c["Next"] for c in state.get("Catch", [])]
