"""Express or Standard for a deployment: the compiler's choice, the user's override, and why.

The compiler (``runtime.engine.asl.workflow``) picks Standard when a graph waits or may run past
Express's five minutes, or when its tenant requires an exactly-once audit (the SOC2 pack: an
audit trail of every step). A user may ask for Standard anyway (a history, exactly once); asking
for Express when the graph needs Standard cannot work (the execution would be stopped at five
minutes, or steps run twice under an audit that forbids it), so it is refused with a 422 naming
``workflow_type`` before anything ships.
"""

from __future__ import annotations

from typing import Literal

from nodes.registry import default_registry
from runtime.engine.asl.workflow import WorkflowType, choose_workflow
from runtime.service.errors import ApiError
from runtime.store import DeploymentWorkflow
from runtime.store.gatepass import GatePassed

Override = Literal["express", "standard"]
EXACTLY_ONCE_PACKS = frozenset({"soc2"})
"""Compliance packs whose tenants need every step run exactly once (Standard)."""


def choose(passed: GatePassed, override: Override | None = None) -> DeploymentWorkflow:
    """The workflow ``passed`` deploys as; ``ApiError`` 422 for an override that cannot work."""
    exactly_once = bool(EXACTLY_ONCE_PACKS & set(passed.details.get("packs", [])))
    registry = default_registry()
    needed = choose_workflow(passed.plan, registry, exactly_once=exactly_once)
    if override is None:
        return DeploymentWorkflow(type=needed.type, reasons=needed.reasons)
    if override == "express" and needed.type == "STANDARD":
        raise ApiError(
            422,
            "invalid",
            "workflow_type: this graph cannot run as Express: " + "; ".join(needed.reasons),
            problems=[{"field": "workflow_type", "message": "; ".join(needed.reasons)}],
        )
    requested: WorkflowType = "EXPRESS" if override == "express" else "STANDARD"
    chosen = choose_workflow(passed.plan, registry, requested=requested, exactly_once=exactly_once)
    return DeploymentWorkflow(
        type=chosen.type, reasons=chosen.reasons, overridden=chosen.requested is not None
    )
