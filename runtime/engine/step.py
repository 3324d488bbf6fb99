"""Running one node once, with its timeout and retry policy.

Shared by the in-process executor and the per-node Lambda step handlers, so both fail and
retry identically.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from nodes.base import NodeConfig, NodeContext, NodeType
from runtime.core.errors import ExpressionError, NodeRunError
from runtime.core.graph import NodeSettings
from runtime.core.guard import GUARDED, sensitive_payload
from runtime.core.waiting import Suspend
from runtime.engine.trace import NodeFailure


@dataclass(slots=True)
class StepOutcome:
    outputs: dict[str, Any] | None
    failure: NodeFailure | None
    attempts: int
    retry: bool = False
    """The failure is one another attempt may cure (``retryable``); hosts that retry a node
    themselves, as a Step Functions Retry does, ask this instead of the policy loop here."""


def _describe(exc: BaseException) -> tuple[str, str]:
    if isinstance(exc, NodeRunError | ExpressionError):
        return type(exc).__name__, str(exc)
    if isinstance(exc, TimeoutError):
        return "Timeout", str(exc) or "timed out"
    return type(exc).__name__, f"{type(exc).__name__}: {exc}"[:2000]


def direct(instance: NodeType[Any], settings: NodeSettings) -> bool:
    """Whether one plain ``await instance.run(...)`` is the whole of ``execute_step``.

    No guard, no retry, no timeout: the executor then awaits ``run`` itself and saves a
    coroutine per node (``runtime.engine.executor``), with the same outcome through ``outcome_of``.
    """
    return (
        not instance.capabilities & GUARDED
        and settings.retry.max_attempts == 1
        and settings.timeout_seconds is None
    )


def failure_of(exc: Exception, node_id: str) -> NodeFailure:
    """A node's exception as the failure its trace and error port show."""
    if isinstance(exc, ExpressionError):
        return NodeFailure(node=node_id, message=exc.message, type="ExpressionError")
    if isinstance(exc, NodeRunError):
        return NodeFailure(node=node_id, message=str(exc), type=type(exc).__name__)
    kind, message = _describe(exc)
    return NodeFailure(node=node_id, message=message, type=kind)


def retryable(exc: BaseException) -> bool:
    """Whether trying again may help.

    The same expression fails the same way every time, and a ``NodeRunError`` says for itself
    (an AI call whose router already spent its retries).
    """
    if isinstance(exc, ExpressionError):
        return False
    return not isinstance(exc, NodeRunError) or exc.retryable


def self_cancelled(node_id: str) -> NodeFailure:
    """``CancelledError`` raised by the node itself, not by the run being cancelled."""
    task = asyncio.current_task()
    if task is None or task.cancelling():
        raise asyncio.CancelledError  # the run (or its caller) is being cancelled
    return NodeFailure(node=node_id, message="the node cancelled itself", type="CancelledError")


def outcome_of(outputs: Any, allowed_ports: frozenset[str], node_id: str) -> NodeFailure | None:
    """What ``run`` returned, held to the contract: a dict keyed by the node's ports."""
    if not isinstance(outputs, dict):
        message = f"run() returned {type(outputs).__name__}, not a dict"
        return NodeFailure(node=node_id, message=message, type="ContractError")
    unknown = outputs.keys() - allowed_ports
    if unknown:
        message = f"run() returned unknown port(s) {sorted(unknown)}"
        return NodeFailure(node=node_id, message=message, type="ContractError")
    return None


async def execute_step(
    instance: NodeType[Any],
    config: NodeConfig,
    inputs: dict[str, Any],
    ctx: NodeContext,
    settings: NodeSettings,
    allowed_ports: frozenset[str],
) -> StepOutcome:
    """Never raises for a node's failure; only cancellation and ``Suspend`` propagate."""
    if instance.capabilities & GUARDED:
        found = sensitive_payload(inputs)
        if found is not None:
            message = f"refused to send {found} to a model or log; redact it first"
            return StepOutcome(
                None, NodeFailure(node=ctx.node_id, message=message, type="ComplianceGuard"), 0
            )
    retry = settings.retry
    failure: NodeFailure | None = None
    again = False
    attempt = 0
    for attempt in range(1, retry.max_attempts + 1):
        if attempt > 1:
            await asyncio.sleep(retry.delay_before(attempt))
        try:
            if settings.timeout_seconds is None:
                outputs = await instance.run(config, inputs, ctx)
            else:
                try:
                    async with asyncio.timeout(settings.timeout_seconds):
                        outputs = await instance.run(config, inputs, ctx)
                except TimeoutError:
                    raise TimeoutError(f"timed out after {settings.timeout_seconds:g}s") from None
        except asyncio.CancelledError:
            failure, again = self_cancelled(ctx.node_id), True
            continue
        except Suspend:
            raise  # a wait, not a failure: never retried, the walk records it
        except Exception as exc:
            failure, again = failure_of(exc, ctx.node_id), retryable(exc)
            if not again:
                return StepOutcome(None, failure, attempt)
            continue
        failure = outcome_of(outputs, allowed_ports, ctx.node_id)
        if failure is not None:
            return StepOutcome(None, failure, attempt)
        return StepOutcome(outputs, None, attempt)
    return StepOutcome(None, failure, attempt, again)
