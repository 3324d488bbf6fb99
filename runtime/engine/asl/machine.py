"""The ASL target: a plan becomes an Amazon States Language state machine.

``compile_asl`` picks the workflow type (``workflow``), writes the states (``emit``) and
returns both with the reasons; ``AslMachine.to_json`` is the definition a user deploys, the
same bytes for the same graph. Its Tasks invoke ``${StepHandler}``: fill it in with
``substitute`` or CloudFormation's ``DefinitionSubstitutions``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, Field

from nodes.registry import Registry, default_registry
from runtime.engine.asl.emit import Emitter
from runtime.engine.asl.workflow import WorkflowChoice, WorkflowType, choose_workflow
from runtime.engine.plan import Plan

Requested = Literal["express", "standard"]


class AslMachine(BaseModel):
    """A compiled state machine: its definition, workflow type and the numbers it chose."""

    graph_id: str
    graph_hash: str
    workflow: WorkflowChoice
    definition: dict[str, Any]
    distributed_above: dict[str, int] = Field(default_factory=dict)
    """Per top-level for-each of a Standard workflow: above this many items, a Distributed Map
    runs them (``limits.INLINE_MAP_EVENTS`` over the history events one item adds)."""

    def to_json(self) -> str:
        return json.dumps(self.definition, indent=2, ensure_ascii=False) + "\n"


def compile_asl(
    plan: Plan,
    registry: Registry | None = None,
    *,
    workflow: Requested | None = None,
    exactly_once: bool = False,
    distributed_above: Mapping[str, int] | None = None,
) -> AslMachine:
    """The plan as a state machine. ``distributed_above`` overrides the computed thresholds."""
    registry = registry or default_registry()
    requested: WorkflowType | None = None
    if workflow is not None:
        requested = "EXPRESS" if workflow == "express" else "STANDARD"
    choice = choose_workflow(plan, registry, requested=requested, exactly_once=exactly_once)
    emitter = Emitter(
        plan, registry, standard=choice.type == "STANDARD", overrides=distributed_above
    )
    definition = emitter.machine()
    thresholds = emitter.distributed_above
    return AslMachine(
        graph_id=plan.graph_id,
        graph_hash=plan.graph_hash,
        workflow=choice,
        definition=definition,
        distributed_above={k: thresholds[k] for k in sorted(thresholds)},
    )


def substitute(definition: str, values: Mapping[str, str]) -> str:
    """Fill ``${Name}`` placeholders in a definition's JSON, as ``DefinitionSubstitutions`` do.

    Values are written as JSON string contents, so no value can change the document's shape.
    """
    for name, value in values.items():
        definition = definition.replace("${" + name + "}", json.dumps(value)[1:-1])
    return definition
