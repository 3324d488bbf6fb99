"""A compiled machine behind an HTTP endpoint: the execution's output is the HTTP answer.

API Gateway's ``StartSyncExecution`` integration (an Express workflow) can only reshape the
execution's output with a mapping template, and what a graph answers (its Respond node's
status, headers and body, or its last nodes' values, or a 400/500 naming the failed node) is
the in-process rules in ``runtime.engine.handlers``. Rather than re-writing those rules in VTL,
``for_endpoint`` wraps the machine: the graph runs as the one branch of a Parallel, a Catch keeps
its failure, and a last Task asks the step handler for the answer (``AnswerEvent``), which it
computes with the same code as the whole-graph function. The mapping template then only passes
``statusCode``, ``headers`` and ``body`` through.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from runtime.engine.asl.contract import LAMBDA_INVOKE, STEP_HANDLER, Caught
from runtime.engine.asl.outcome import run_result
from runtime.engine.handlers import api_gateway_answer
from runtime.engine.plan import Plan

GRAPH, ANSWER, FAILED = "Endpoint: graph", "Endpoint: answer", "Endpoint: failed"


class AnswerEvent(BaseModel):
    """What the last Task of an endpoint machine sends: the graph's records or its failure."""

    model_config = ConfigDict(extra="forbid")

    answer: Literal[True] = True
    run_id: str
    records: list[dict[str, Any]] | None = None
    """The Parallel's output: one item, the graph branch's ``{"nodes": ...}``."""
    failed: Caught | None = None


def for_endpoint(definition: dict[str, Any]) -> dict[str, Any]:
    """``definition`` as the one branch of a Parallel whose result becomes the HTTP answer."""
    branch = {"StartAt": definition["StartAt"], "States": definition["States"]}
    run_id = {"answer": True, "run_id.$": "$$.Execution.Name"}
    return {
        "Comment": definition.get("Comment", ""),
        "StartAt": GRAPH,
        "States": {
            GRAPH: {
                "Type": "Parallel",
                "Branches": [branch],
                "ResultPath": "$.records",
                "Catch": [
                    {"ErrorEquals": ["States.ALL"], "ResultPath": "$.failed", "Next": FAILED}
                ],
                "Next": ANSWER,
            },
            ANSWER: _answer_task({**run_id, "records.$": "$.records"}),
            FAILED: _answer_task({**run_id, "failed.$": "$.failed"}),
        },
    }


def _answer_task(payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "Type": "Task",
        "Resource": LAMBDA_INVOKE,
        "Parameters": {"FunctionName": STEP_HANDLER, "Payload": payload},
        "OutputPath": "$.Payload",
        "End": True,
    }


def answer(plan: Plan, event: AnswerEvent) -> dict[str, Any]:
    """The HTTP answer (``statusCode``, ``headers``, ``body``) the whole-graph function gives."""
    if event.failed is not None:
        result = run_result(
            plan,
            run_id=event.run_id,
            status="FAILED",
            error=event.failed.Error,
            cause=event.failed.Cause,
        )
    else:
        document = (event.records or [{}])[0]
        result = run_result(
            plan, run_id=event.run_id, status="SUCCEEDED", output=json.dumps(document)
        )
    return api_gateway_answer(result, plan)
