"""The step handler a compiled state machine invokes: one attempt of one node per invocation.

It is the in-process executor asked for one node (``Executor.run_attempt``), so skipping,
disabled nodes, timeouts, error ports and every message are the executor's. What differs is
what the state machine does durably instead: retries (an attempt that failed and may be tried
again raises ``NodeAttemptFailed`` for the Task's Retry, which waits the backoff), waits (a
delay's seconds go to a Wait state instead of sleeping) and for-each bodies (a Map runs them;
the for-each itself lists its items, then builds its output from the items' outcomes).
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from nodes.base import BodyRunner, NodeContext, Outputs
from nodes.logic.delay import Delay, DelayConfig
from nodes.registry import AnyNodeType, Registry, default_registry
from runtime.core.graph import RetryPolicy
from runtime.engine.asl.contract import (
    NODE_FAILED,
    BodyEntry,
    Caught,
    Failure,
    ItemOutcome,
    NodeAttemptFailed,
    NodeRecord,
    StateEvent,
)
from runtime.engine.asl.endpoint import AnswerEvent, answer
from runtime.engine.asl.offload import Offload, encoded_size, restore, shrink
from runtime.engine.executor import Executor
from runtime.engine.frame import item_failure
from runtime.engine.handlers import Handler, RunScope, no_scope
from runtime.engine.plan import Plan

_WAITS: ContextVar[dict[str, float] | None] = ContextVar("asl_waits", default=None)


class MapFailed(Exception):
    """A for-each's Map failed for a reason of its own (not an item's failure)."""


class _DeferredDelay(Delay):
    """Checks and reports the wait as the node would, and leaves the waiting to a Wait state."""

    async def run(self, config: DelayConfig, inputs: dict[str, Any], ctx: NodeContext) -> Outputs:
        seconds = self.seconds_to_wait(config, ctx)
        waits = _WAITS.get()
        if waits is not None:
            waits[ctx.node_id] = seconds
        return {"out": inputs.get("in")}


def _deferring(registry: Registry) -> Registry:
    """``registry`` with every delay type waiting in the state machine instead."""
    types: list[AnyNodeType] = []
    for latest in registry.latest():
        for version in registry.versions(latest.type):
            node_type = registry.get(latest.type, version)
            assert node_type is not None
            if node_type is Delay:
                node_type = _DeferredDelay
            types.append(node_type)
    return Registry(types)


def _one_attempt(plan: Plan) -> Plan:
    """The plan with every retry policy down to one attempt: the state machine retries."""
    steps = {
        node: step.model_copy(
            update={"settings": step.settings.model_copy(update={"retry": RetryPolicy()})}
        )
        for node, step in plan.steps.items()
    }
    return plan.model_copy(update={"steps": steps})


async def _keep(item: Any, index: int) -> tuple[bool, Any]:
    """The items phase's body: every item is its own result, so the output lists them."""
    return True, item


def _replay(each: list[ItemOutcome] | Caught | None) -> BodyRunner:
    """The collect phase's body: what the Map's iterations found, item by item."""

    async def replay(item: Any, index: int) -> tuple[bool, Any]:
        if isinstance(each, Caught):
            failure = Failure.from_cause(each.Cause) if each.Error == NODE_FAILED else None
            if failure is None:
                raise MapFailed(f"{each.Error}: {each.Cause or ''}".strip())
            if index == (failure.index or 0):
                raise item_failure(index, failure.node_failure())
            return True, None  # the for-each fails at the failed item; this value is dropped
        if each is None or index >= len(each):
            raise MapFailed(f"the Map returned no outcome for item {index}")
        outcome = each[index]
        if outcome.failure is not None:
            raise item_failure(index, outcome.failure.node_failure())
        return outcome.fired, outcome.value

    return replay


class StateHandler:
    """Prepared once per plan; called once per Task state."""

    def __init__(
        self,
        plan: Plan,
        registry: Registry | None = None,
        scope: RunScope = no_scope,
        offload: Offload | None = None,
    ) -> None:
        self.plan = plan
        self.offload = offload
        self.max_attempts = {n: s.settings.retry.max_attempts for n, s in plan.steps.items()}
        self.executor = Executor(_one_attempt(plan), _deferring(registry or default_registry()))
        self.scope = scope

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        state_bytes = encoded_size(event) if self.offload is not None else 0
        event = restore(event, self.offload)  # big values come back before anything reads them
        if event.get("answer") is True:  # an endpoint machine's last Task (``endpoint``)
            return answer(self.plan, AnswerEvent.model_validate(event))
        parsed = StateEvent.model_validate(event)
        if parsed.node not in self.plan.steps:
            raise KeyError(f"plan has no node {parsed.node!r}")
        record = asyncio.run(self.handle(parsed)).model_dump(mode="json")
        if parsed.phase == "items":  # the Map iterates this list itself: it stays inline
            return record
        return shrink(record, self.offload, state_bytes)

    async def handle(self, event: StateEvent) -> NodeRecord:
        node = event.node
        own = event.nodes.get(node)
        each = own.each if own is not None else None
        body: BodyRunner | None = {"run": None, "items": _keep, "collect": _replay(each)}[
            event.phase
        ]
        iteration = event.at.iteration() if event.at is not None else ()
        execution = event.execution
        waits: dict[str, float] = {}
        _WAITS.set(waits)
        async with self.scope():  # the event carries the run's options
            done = await self.executor.run_attempt(
                node,
                trigger=event.run.trigger,
                upstream={n: r.out for n, r in event.nodes.items() if n != node},
                view={n: r.view[1] for n, r in event.nodes.items() if n != node and r.view[0]},
                item=event.item,
                iteration=iteration,
                run_id=event.run.id or (execution.name if execution else "run"),
                started_at=event.run.started_at or (execution.started if execution else None),
                options=event.run.options,
                body=body,
            )
        entry = done.trace
        before = self._attempts_before(event)
        again = done.retry and event.phase != "collect" and before + 1 < self.max_attempts[node]
        if entry.status == "failed" and again:
            assert entry.error is not None
            raise NodeAttemptFailed(entry.error.message)
        attempts = before + entry.attempts if entry.attempts else 0
        outputs = dict(done.outputs)
        if entry.handled and isinstance(outputs.get("error"), dict):
            outputs["error"] = {**outputs["error"], "attempts": attempts}
        wait = waits.get(node)
        return NodeRecord(
            node=node,
            status=entry.status,
            iteration=list(iteration),
            out=outputs,
            port=next(iter(outputs), None),
            error=entry.error,
            attempts=attempts,
            handled=entry.handled,
            wait=math.ceil(wait) if wait is not None and entry.status == "ok" else None,
            size=_size(outputs) if event.phase == "items" and entry.status == "ok" else None,
            body=_body_entries(each, iteration) if event.phase == "collect" else [],
        )

    def _attempts_before(self, event: StateEvent) -> int:
        """Attempts made before this one: the Task's retries, or for ``collect`` the Map's."""
        if event.phase != "collect":
            return event.attempt
        own = event.nodes.get(event.node)
        each = own.each if own is not None else None
        if isinstance(each, list):
            return max((o.attempt for o in each), default=0)
        if isinstance(each, Caught) and each.Error == NODE_FAILED:
            return self.max_attempts[event.node] - 1  # the Map's Retry spent every attempt
        return 0


def _size(outputs: dict[str, Any]) -> int | None:
    items = outputs.get("out")
    return len(items) if isinstance(items, list) else None


def _body_entries(
    each: list[ItemOutcome] | Caught | None, base: tuple[int, ...]
) -> list[BodyEntry]:
    if not isinstance(each, list):
        return []
    entries: list[BodyEntry] = []
    for index, outcome in enumerate(each):
        for record in outcome.nodes.values():
            iteration = [*base, index]
            entries.append(BodyEntry(node=record.node, iteration=iteration, status=record.status))
            entries.extend(record.body)
    return entries


def make_state_handler(
    plan: Plan,
    registry: Registry | None = None,
    scope: RunScope = no_scope,
    offload: Offload | None = None,
) -> Handler:
    """The Lambda handler every Task of the plan's state machine invokes.

    ``offload``: where records too big for the state go (``offload``); None keeps them inline.
    """
    handler: Callable[[dict[str, Any], Any], dict[str, Any]] = StateHandler(
        plan, registry, scope, offload
    )
    return handler
