"""One node's states: a gate that mirrors the in-process skip rule, its Task, and how it ends.

The gate is a Choice over which upstream ports fired (``IsPresent`` of ``out.<port>``): active
when at least one wired input fired and every required one did, exactly ``Walk.visit``'s rule,
so a branch an if/switch (or a failure) did not take is skipped without invoking anything. The
Task's answer is the node's record; a node that failed with no error port wired ends its lane
(a Fail state, or the item's outcome in a body that tolerates failures).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from runtime.engine.asl import paths
from runtime.engine.asl.contract import NODE_FAILED, RECORD_FIELDS
from runtime.engine.asl.states import (
    Lane,
    State,
    States,
    all_of,
    any_of,
    choice,
    pass_state,
    present,
    record_template,
    task,
)

if TYPE_CHECKING:
    from runtime.engine.asl.emit import Emitter


def unit(em: Emitter, node: str, lane: Lane, out: States, nxt: str) -> str:
    """Write the node's states into ``out``; return the name of its entry state."""
    step = em.plan.steps[node]
    entry = lane.name(node)
    trigger = em.is_trigger(node)
    if not trigger and not can_run(em, node):
        out[entry] = skip_state(node, nxt)  # nothing can ever feed it: skipped, as in-process
        return entry
    condition = None if trigger else gate(em, node)
    failed = None if step.handles_errors else failure_states(node, lane, out)
    fields: tuple[str, ...]
    if em.loops(node):
        after = em.loop(node, lane, out, nxt, failed)
        phase, fields = "items", (*RECORD_FIELDS, "size")
    else:
        after = _after(em, node, lane, out, nxt, failed)
        phase = "run"
        fields = (*RECORD_FIELDS, "wait") if em.waits(node) else RECORD_FIELDS
    run = entry if condition is None else lane.name(node, "run")
    lost = lane.name(node, "lost")
    out[run] = task(
        node, lane, phase=phase, fields=fields, settings=step.settings, nxt=after, lost=lost
    )
    out[lost] = lost_state(node, step.handles_errors, after)
    if condition is None:  # the trigger: always runs
        return entry
    skip = lane.name(node, "skip")
    out[entry] = choice([(condition, run)], skip)
    out[skip] = skip_state(node, nxt)
    return entry


def can_run(em: Emitter, node: str) -> bool:
    """Something is wired into it, and into each of its required ports."""
    wired = {wire.target_port for wire in em.plan.steps[node].inputs}
    return bool(wired) and all(port in wired for port in em.required(node))


def gate(em: Emitter, node: str) -> State:
    """When the node runs: some wired input fired, and every required one did."""
    by_port: dict[str, list[State]] = {}
    for wire in em.plan.steps[node].inputs:
        found = by_port.setdefault(wire.target_port, [])
        test = present(paths.fired(wire.source, wire.source_port))
        if test not in found:
            found.append(test)
    required = em.required(node)
    if required:
        return all_of([any_of(by_port[port]) for port in required])
    return any_of([test for tests in by_port.values() for test in tests])


def _after(em: Emitter, node: str, lane: Lane, out: States, nxt: str, failed: str | None) -> str:
    """Where the Task goes: on past a check of its record, or straight to ``nxt``."""
    rules: list[tuple[State, str]] = []
    if failed is not None:
        rules.append((status_is(node, "failed"), failed))
    if em.waits(node):
        wait = lane.name(node, "wait")
        out[wait] = {"Type": "Wait", "SecondsPath": paths.field(node, "wait"), "Next": nxt}
        rules.append(({"Variable": paths.field(node, "wait"), "IsNumeric": True}, wait))
    if not rules:
        return nxt
    check = lane.name(node, "check")
    out[check] = choice(rules, nxt)
    return check


def status_is(node: str, status: str) -> State:
    return {"Variable": paths.field(node, "status"), "StringEquals": status}


def skip_state(node: str, nxt: str) -> State:
    return pass_state(record_template(node, {}), paths.record(node), nxt)


def lost_state(node: str, handles_errors: bool, nxt: str) -> State:
    """The record of a node whose invocation itself failed (the function crashed or timed out).

    What the Task's Catch left at the record's place is ``{Error, Cause}``: the node failed with
    that, and its error port (when wired) fires the payload an in-process failure would, without
    the attempts and input only the function knew.
    """
    error = {
        "node": node,
        "message.$": paths.field(node, "Cause"),
        "type.$": paths.field(node, "Error"),
    }
    fields: dict[str, Any] = {"status": "failed", "error": error}
    if handles_errors:
        payload = {**error, "attempts": None, "input": None}
        fields |= {"out": {"error": payload}, "port": "error", "handled": True}
    return pass_state(record_template(node, fields), paths.record(node), nxt)


def failure_states(node: str, lane: Lane, out: States) -> str:
    """``<id>: failed`` notes the failure in ``$.failure``; then the lane ends with it.

    In a body the failure carries the item's index. The end is a Fail state, or the item's
    outcome in a body that tolerates failures.
    """
    failed = lane.name(node, "failed")
    failure: dict[str, Any] = {
        "node": node,
        "message.$": paths.field(node, "error.message"),
        "type.$": paths.field(node, "error.type"),
    }
    if lane.in_body:
        failure["index.$"] = "$.at.index"
    if lane.catches and lane.top:
        end = lane.name(node, "item failed")
        out[end] = pass_state(
            item_outcome(failure_path="$.failure", nodes=(*lane.before, node)), None, None
        )
    else:
        end = lane.name(node, "stop")
        out[end] = {
            "Type": "Fail",
            "Error": NODE_FAILED,
            "CausePath": "States.JsonToString($.failure)",
        }
    out[failed] = pass_state(failure, "$.failure", end)
    return failed


def item_outcome(
    *,
    fired: bool = False,
    value_path: str | None = None,
    failure_path: str | None = None,
    nodes: tuple[str, ...] | list[str] = (),
) -> dict[str, Any]:
    """An iteration's result (``contract.ItemOutcome``) with the body's records so far."""
    outcome: dict[str, Any] = {"fired": fired}
    if value_path is None:
        outcome["value"] = None
    else:
        outcome["value.$"] = value_path
    if failure_path is None:
        outcome["failure"] = None
    else:
        outcome["failure.$"] = failure_path
    outcome["attempt.$"] = "$.attempt"
    outcome["nodes"] = {f"{n}.$": paths.record(n) for n in nodes}
    return outcome
