"""A for-each with a body: its items Task, a Map over the items, and a collect Task.

The for-each node itself runs twice in the handler: first to check and list its items (the
``items`` phase, the body replaced by "keep the item"), then, after the Map, to build its output
from the items' outcomes (``collect``, the body replaced by replaying them). Its ``run`` is the
same code both times, so ``on_item_error``, concurrency and every message are the in-process
ones. Each iteration starts from the for-each's context (the records of what ran before it)
plus its own item, and ends with an ``ItemOutcome``.

A for-each at the top of a Standard workflow also gets a Distributed Map, taken when the items
outnumber what an inline Map may add to the execution's history (``limits.INLINE_MAP_EVENTS``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from runtime.engine.asl import paths
from runtime.engine.asl.blocks import members, scope_blocks
from runtime.engine.asl.contract import NODE_FAILED, RECORD_FIELDS
from runtime.engine.asl.limits import (
    EVENTS_PER_ITERATION,
    EVENTS_PER_STATE,
    EVENTS_PER_TASK,
    INLINE_MAP_EVENTS,
)
from runtime.engine.asl.states import (
    Lane,
    State,
    States,
    choice,
    ordered,
    pass_state,
    present,
    record_template,
    retrier,
    task,
)
from runtime.engine.asl.units import item_outcome, lost_state, status_is

if TYPE_CHECKING:
    from nodes.loops.foreach import ForEachConfig
    from runtime.engine.asl.emit import Emitter

DISTRIBUTED_PREFIX = "D "
"""State names inside a Distributed Map's copy of a body (names are unique machine-wide)."""


def loop(em: Emitter, node: str, lane: Lane, out: States, nxt: str, failed: str | None) -> str:
    """The states after the items Task; returns the first of them (its check)."""
    step = em.plan.steps[node]
    config = em.foreach_config(node)
    collect, lost = lane.name(node, "collect"), lane.name(node, "lost 2")
    outcome = nxt
    if failed is not None:
        outcome = lane.name(node, "outcome")
        out[outcome] = choice([(status_is(node, "failed"), failed)], nxt)
    out[collect] = task(
        node,
        lane,
        phase="collect",
        fields=(*RECORD_FIELDS, "body"),
        settings=step.settings,
        nxt=outcome,
        lost=lost,
    )
    out[lost] = lost_state(node, step.handles_errors, outcome)
    each = lane.name(node, "each")
    inline = _map(em, node, config, lane, collect, distributed=False)
    out[each] = inline
    start = each
    if em.distributes(node, lane):
        spread = lane.name(node, "spread")
        out[spread] = _map(em, node, config, lane, collect, distributed=True)
        fan_out = lane.name(node, "fan-out")
        above = em.overrides.get(node) or max(
            1, INLINE_MAP_EVENTS // events_per_item(inline["ItemProcessor"]["States"])
        )
        em.distributed_above[node] = above
        above_rule = {"Variable": paths.field(node, "size"), "NumericGreaterThan": above}
        out[fan_out] = choice([(above_rule, spread)], each)
        start = fan_out
    rules: list[tuple[State, str]] = []
    if failed is not None:
        rules.append((status_is(node, "failed"), failed))
    rules.append((status_is(node, "ok"), start))
    check = lane.name(node, "check")
    out[check] = choice(rules, nxt)
    return check


def _map(
    em: Emitter,
    node: str,
    config: ForEachConfig,
    lane: Lane,
    collect: str,
    *,
    distributed: bool,
) -> State:
    prefix = DISTRIBUTED_PREFIX if distributed else lane.prefix
    catches = distributed or config.on_item_error != "fail"
    body = Lane(scope=node, top=True, catches=catches, prefix=prefix)
    state: State = {
        "Type": "Map",
        "ItemsPath": paths.fired(node, "out"),
        "ItemSelector": {
            "run.$": "$.run",
            "item.$": "$$.Map.Item.Value",
            "at": {"index.$": "$$.Map.Item.Index", "up.$": "$.at"},
            "attempt.$": "$$.State.RetryCount",
            "state": {"nodes": {f"{n}.$": paths.record(n) for n in em.context(node)}},
        },
        "ItemProcessor": processor(em, node, body, distributed=distributed),
        "MaxConcurrency": config.concurrency,
        "ResultPath": paths.field(node, "each"),
    }
    settings = em.plan.steps[node].settings
    if not catches and settings.retry.max_attempts > 1:
        # An item's failure fails the for-each's attempt; trying again runs every item again.
        state["Retry"] = [retrier(NODE_FAILED, settings)]
    state["Catch"] = [
        {"ErrorEquals": ["States.ALL"], "ResultPath": paths.field(node, "each"), "Next": collect}
    ]
    state["Next"] = collect
    return state


def processor(em: Emitter, node: str, lane: Lane, *, distributed: bool) -> dict[str, Any]:
    """One iteration: the item's record, the body, and its outcome."""
    body = em.plan.bodies[node]
    block = scope_blocks(em.plan, body)
    everyone = members(block) if block is not None else []
    out: States = {}
    end = _results(em, node, lane, out, everyone)
    entry = em.block(block, lane, out, end) if block is not None else end
    item = lane.name(node, "item")
    record = record_template(node, {"status": "ok", "out": {"item.$": "$.item"}})
    out[item] = pass_state(record, paths.record(node), entry)
    config: dict[str, str] = {"Mode": "DISTRIBUTED" if distributed else "INLINE"}
    if distributed:
        config["ExecutionType"] = "STANDARD"
    return {"ProcessorConfig": config, "StartAt": item, "States": ordered(item, out)}


def _results(em: Emitter, node: str, lane: Lane, out: States, everyone: list[str]) -> str:
    """The first wire into ``result`` whose port fired is the item's result, as in-process."""
    none = lane.name(node, "no result")
    out[none] = pass_state(item_outcome(nodes=everyone), None, None)
    rules: list[tuple[State, str]] = []
    for i, wire in enumerate(em.plan.bodies[node].results, 1):
        fired = paths.fired(wire.source, wire.source_port)
        name = lane.name(node, f"result {i}")
        out[name] = pass_state(
            item_outcome(fired=True, value_path=fired, nodes=everyone), None, None
        )
        rules.append((present(fired), name))
    if not rules:
        return none
    result = lane.name(node, "result")
    out[result] = choice(rules, none)
    return result


def events_per_item(states: States) -> int:
    """An upper bound of the history events one iteration adds (every state visited once)."""
    total = EVENTS_PER_ITERATION
    for state in states.values():
        kind = state["Type"]
        if kind == "Task":
            total += EVENTS_PER_TASK
        elif kind == "Parallel":
            total += EVENTS_PER_STATE + sum(
                events_per_item(branch["States"]) for branch in state["Branches"]
            )
        elif kind == "Map":
            total += EVENTS_PER_STATE + events_per_item(state["ItemProcessor"]["States"])
        else:
            total += EVENTS_PER_STATE
    return total
