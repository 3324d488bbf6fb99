"""A finished execution read back as the ``RunResult`` the in-process executor would give.

A succeeded execution's output is the run's records (``$.state``): each node's status, fired
ports and failure, and each for-each's body entries; the run's output is its responder's
answer or its last nodes' values, chosen as ``Walk.finish`` chooses. A failed execution says
only why (a ``NODE_FAILED`` cause names the node); the steps before it are in the execution's
history (Standard) or logs (Express), not here.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from runtime.engine.asl.contract import NODE_FAILED, Failure, NodeRecord
from runtime.engine.plan import Plan
from runtime.engine.trace import NodeFailure, NodeTrace, RunResult, RunStatus

ExecutionStatus = Literal["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"]
_RUN_STATUS: dict[str, RunStatus] = {
    "FAILED": "failed",
    "TIMED_OUT": "timed_out",
    "ABORTED": "cancelled",
}


def run_result(
    plan: Plan,
    *,
    run_id: str,
    status: ExecutionStatus,
    output: str | None = None,
    error: str | None = None,
    cause: str | None = None,
    duration_ms: float = 0.0,
) -> RunResult:
    if status != "SUCCEEDED":
        failure = Failure.from_cause(cause) if error == NODE_FAILED else None
        why = (
            failure.node_failure()
            if failure is not None
            else NodeFailure(
                node=plan.trigger,
                message=f"{error or status}: {cause or 'the execution did not succeed'}",
                type=error or status,
            )
        )
        return RunResult(
            run_id=run_id,
            graph_id=plan.graph_id,
            status=_RUN_STATUS.get(status, "failed"),
            error=why,
            duration_ms=duration_ms,
        )
    document: dict[str, Any] = json.loads(output or "{}")
    records = {n: NodeRecord.model_validate(r) for n, r in document.get("nodes", {}).items()}
    responder = next((n for n in plan.responders if n in records and records[n].out), None)
    if responder is not None:
        answer: Any = records[responder].view[1]
    else:
        answer = _sinks(plan, records)
    return RunResult(
        run_id=run_id,
        graph_id=plan.graph_id,
        status="succeeded",
        output=answer,
        responder=responder,
        trace=_trace(plan, records),
        duration_ms=duration_ms,
    )


def _sinks(plan: Plan, records: dict[str, NodeRecord]) -> Any:
    """Without a respond node, the result is what the graph's last nodes produced."""
    top = set(plan.root.order)
    values = {}
    for node in plan.root.order:
        if any(t in top for ts in plan.steps[node].branches.values() for t in ts):
            continue
        record = records.get(node)
        if record is not None and record.view[0]:
            values[node] = record.view[1]
    if len(values) == 1:
        return next(iter(values.values()))
    return values


def _trace(plan: Plan, records: dict[str, NodeRecord]) -> list[NodeTrace]:
    """Top-level nodes in plan order, each for-each's body entries just before it."""
    trace: list[NodeTrace] = []
    for node in plan.root.order:
        record = records.get(node)
        if record is None:
            continue
        for entry in record.body:
            trace.append(
                NodeTrace(
                    node=entry.node,
                    type=plan.steps[entry.node].type,
                    status=entry.status,
                    iteration=list(entry.iteration),
                )
            )
        trace.append(
            NodeTrace(
                node=node,
                type=plan.steps[node].type,
                status=record.status,
                outputs=record.out,
                error=record.error,
                handled=record.handled,
                attempts=record.attempts,
            )
        )
    return trace
