"""Express or Standard: which kind of workflow a graph needs, and why, in words a user reads.

Express is cheaper and faster for short runs but stops at five minutes and runs each state at
least once; Standard runs up to a year, exactly once per state, with a history. A graph needs
Standard when it may wait past Express's limit (a long or computed delay, or a longest path of
timeouts, retries and waits over five minutes) or when exactly-once execution is asked for (an
audit trail of every step). The caller may override the choice; the reasons then say what the
override risks.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from nodes.logic.delay import Delay, DelayConfig
from nodes.registry import Registry
from runtime.core.graph import NodeSettings
from runtime.engine.asl.limits import EXPRESS_MAX_SECONDS
from runtime.engine.plan import Plan, ScopePlan

WorkflowType = Literal["EXPRESS", "STANDARD"]


class WorkflowChoice(BaseModel):
    """The workflow type a machine is created with, and the reasons, first the deciding ones."""

    type: WorkflowType
    reasons: list[str] = Field(default_factory=list)
    requested: WorkflowType | None = None
    """What the caller asked for, when it did (then ``type`` is that)."""


def choose_workflow(
    plan: Plan,
    registry: Registry,
    *,
    requested: WorkflowType | None = None,
    exactly_once: bool = False,
) -> WorkflowChoice:
    needs: list[str] = []
    if exactly_once:
        needs.append(
            "exactly-once execution was asked for (an audit trail of every step): Standard runs"
            " each state exactly once, Express at least once"
        )
    for node, step in plan.steps.items():
        node_type = registry.get(step.type, step.version)
        if node_type is None or not issubclass(node_type, Delay):
            continue
        seconds = _literal_seconds(DelayConfig.model_validate(step.config))
        if seconds is None:
            needs.append(
                f"node {node!r} waits a number of seconds computed at run time, which may pass"
                f" Express's limit of {_minutes()}"
            )
        elif seconds > EXPRESS_MAX_SECONDS:
            needs.append(
                f"node {node!r} waits {seconds:g} s, longer than an Express execution may run"
                f" ({_minutes()})"
            )
    longest = _longest(plan, plan.root, registry)
    if longest > EXPRESS_MAX_SECONDS and not needs:
        needs.append(
            f"the longest path may take {longest:g} s (its waits, timeouts and retries), more"
            f" than Express's limit of {_minutes()}"
        )
    chosen: WorkflowType = "STANDARD" if needs else "EXPRESS"
    reasons = needs or [
        f"nothing waits past Express's limit of {_minutes()} (the longest path's known waits,"
        f" timeouts and retries add up to {longest:g} s)",
        "states may run more than once (Express is at-least-once): ask for exactly-once to get"
        " Standard",
    ]
    if requested is None or requested == chosen:
        return WorkflowChoice(type=chosen, reasons=reasons)
    if requested == "EXPRESS":
        note = (
            "EXPRESS was requested although Standard is needed: an execution stops after"
            f" {_minutes()} and states may run more than once"
        )
    else:
        note = "STANDARD was requested: every state runs exactly once, with a history"
    return WorkflowChoice(type=requested, reasons=[note, *reasons], requested=requested)


def _minutes() -> str:
    return f"{EXPRESS_MAX_SECONDS // 60} minutes"


def _literal_seconds(config: DelayConfig) -> float | None:
    """The wait written in the config, or None when an expression computes it."""
    if isinstance(config.seconds, str):
        try:
            return float(config.seconds.strip())
        except ValueError:
            return None
    return float(config.seconds)


def _node_seconds(settings: NodeSettings) -> float:
    """The worst case a node's own settings allow: every attempt timing out, every backoff."""
    retry = settings.retry
    backoff = sum(retry.delay_before(a) for a in range(2, retry.max_attempts + 1))
    timeout = settings.timeout_seconds or 0.0
    return timeout * retry.max_attempts + backoff


def _longest(plan: Plan, scope: ScopePlan, registry: Registry) -> float:
    """The slowest path through a scope, counting each for-each's body once."""
    finish: dict[str, float] = {}
    members = set(scope.order)
    for node in scope.order:
        step = plan.steps[node]
        own = _node_seconds(step.settings)
        node_type = registry.get(step.type, step.version)
        if node_type is not None and issubclass(node_type, Delay):
            own += _literal_seconds(DelayConfig.model_validate(step.config)) or 0.0
        body = plan.bodies.get(node)
        if body is not None and body.order:
            own += _longest(plan, body, registry)
        start = max((finish[w.source] for w in step.inputs if w.source in members), default=0.0)
        finish[node] = start + own
    return max(finish.values(), default=0.0)
