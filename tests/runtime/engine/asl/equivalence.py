"""Running one graph on both engines and saying how their answers differ (they must not)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nodes.registry import Registry
from runtime.ai.session import close_default_session
from runtime.core.graph import Graph
from runtime.core.options import RunOptions
from runtime.deployed.handlers import make_state_handler
from runtime.engine.asl.contract import RunInput
from runtime.engine.asl.machine import Requested, compile_asl
from runtime.engine.compile import build_plan
from runtime.engine.executor import Executor
from runtime.engine.plan import Plan
from runtime.engine.trace import NodeFailure, RunResult
from tests.asl_harness import LocalStepFunctions, statuses_from_history
from tests.runtime.support import Board

OPTIONS = RunOptions(http_timeout_seconds=1, max_delay_seconds=2)


@dataclass
class Both:
    plan: Plan
    machine_json: str
    local: RunResult
    asl: RunResult
    history: dict[str, str]
    """Top-level statuses a failed Standard execution's history shows (else empty)."""


def webhook_event(body: Any) -> dict[str, Any]:
    return {"method": "POST", "path": "/", "headers": {}, "query": {}, "body": body}


def event_for(graph: Graph, payload: Any) -> Any:
    """What ``auterity run`` sends: a webhook graph gets the payload as the request body."""
    trigger = next(n for n in graph.nodes if n.type.startswith("trigger."))
    return webhook_event(payload) if trigger.type == "trigger.webhook" else payload


async def run_both(
    cloud: LocalStepFunctions,
    graph: Graph,
    event: Any,
    *,
    registry: Registry | None = None,
    workflow: Requested | None = "standard",
    options: RunOptions = OPTIONS,
    distributed_above: dict[str, int] | None = None,
    after_local: Callable[[], object] | None = None,
) -> Both:
    """In-process first, then the compiled machine on moto (test node counters reset between)."""
    plan = build_plan(graph, registry)
    try:
        local = await Executor(plan, registry).run(event, run_id="local", options=options)
    finally:
        await close_default_session()  # the model clients AI nodes opened on this loop
    if after_local is not None:
        after_local()
    Board.reset()
    machine = compile_asl(plan, registry, workflow=workflow, distributed_above=distributed_above)
    arn = cloud.deploy(machine, make_state_handler(plan, registry))
    run = RunInput(id="asl", trigger=event, options=options)
    asl = await asyncio.to_thread(cloud.run, plan, arn, run)
    assert cloud.last is not None
    history = statuses_from_history(plan, cloud.last.history)
    return Both(plan, machine.to_json(), local, asl, history)


def _failure(failure: NodeFailure | None) -> tuple[str, str, str] | None:
    return None if failure is None else (failure.node, failure.type, failure.message)


def top_level(result: RunResult) -> dict[str, tuple[Any, ...]]:
    """Per top-level node: status, fired outputs, failure, whether handled, attempts."""
    return {
        t.node: (t.status, t.outputs, _failure(t.error), t.handled, t.attempts)
        for t in result.trace
        if not t.iteration
    }


def body_entries(result: RunResult) -> Counter[tuple[str, tuple[int, ...], str]]:
    return Counter((t.node, tuple(t.iteration), t.status) for t in result.trace if t.iteration)


def assert_same(both: Both) -> None:
    local, asl = both.local, both.asl
    assert asl.status == local.status, (local.error, asl.error)
    if local.status != "succeeded":
        _assert_same_failure(both)
        return
    assert asl.output == local.output, (local.output, asl.output)
    assert asl.responder == local.responder
    assert top_level(asl) == top_level(local), (top_level(local), top_level(asl))
    assert body_entries(asl) == body_entries(local)


def _assert_same_failure(both: Both) -> None:
    """The same failure, and what surely ran before it (its ancestors) ran the same.

    Nodes on other branches may or may not have run by the time a run fails, in either
    engine: the in-process executor cancels them, a Parallel state stops them. So when two
    independent branches both fail, either failure may be the one reported (whichever comes
    first); then each engine's reported node must not have succeeded in the other.
    """
    local, asl = both.local.error, both.asl.error
    assert local is not None
    assert asl is not None
    if asl.node != local.node:
        related = _ancestors(both.plan, local.node) | _ancestors(both.plan, asl.node)
        assert {asl.node, local.node}.isdisjoint(related), (local, asl)
        in_process = {t.node: t.status for t in both.local.trace if not t.iteration}
        assert in_process.get(asl.node) in (None, "failed", "cancelled"), (local, asl)
        assert both.history.get(local.node) in (None, "failed"), (local, asl)
    else:
        assert _failure(asl) == _failure(local)
    if not both.history:
        return  # an Express execution keeps no history to read
    in_process = {t.node: t.status for t in both.local.trace if not t.iteration}
    failing = {asl.node, local.node}
    upstream = _ancestors(both.plan, asl.node) | _ancestors(both.plan, local.node)
    if len(failing) == 1:
        upstream |= failing
    compared = upstream & in_process.keys() & both.history.keys()
    assert {n: both.history[n] for n in compared} == {n: in_process[n] for n in compared}


def _ancestors(plan: Plan, node: str) -> set[str]:
    found: set[str] = set()
    stack = [node]
    while stack:
        for wire in plan.steps[stack.pop()].inputs:
            if wire.source not in found:
                found.add(wire.source)
                stack.append(wire.source)
    return found
