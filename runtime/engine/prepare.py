"""Turning a plan into runnable steps: node instances, parsed configs, wiring, dependency counts.

Done once per plan (the executor is cached per graph version), so none of it is paid per run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nodes.base import NodeConfig, NodeType
from nodes.registry import AnyNodeType, Registry
from runtime.engine.plan import Plan, Step
from runtime.engine.step import direct


@dataclass(slots=True)
class PreparedStep:
    step: Step
    node_type: AnyNodeType
    instance: NodeType[Any]
    config: NodeConfig
    wires: tuple[tuple[str, str, str], ...]
    """``(source, source_port, target_port)`` for every input wire."""
    required: tuple[str, ...]
    out_ports: frozenset[str]
    first_out: str | None
    preds: int
    """In-scope predecessors that must finish before this step may run."""
    succs: tuple[str, ...]
    direct: bool
    """One plain ``await run(...)`` is the whole step (``runtime.engine.step.direct``)."""
    inline: bool
    """Run in place, never in a task of its own: a direct step of an ``inline`` node type."""


def prepare_steps(plan: Plan, registry: Registry) -> dict[str, PreparedStep]:
    steps: dict[str, PreparedStep] = {}
    for scope in (plan.root, *plan.bodies.values()):
        members = set(scope.order)
        for node_id in scope.order:
            step = plan.steps[node_id]
            node_type = registry.get(step.type, step.version)
            if node_type is None:
                raise ValueError(f"plan needs node type {step.type} v{step.version}")
            config = node_type.Config.model_validate(step.config)
            preds = {w.source for w in step.inputs if w.source in members}
            succs = {t for ts in step.branches.values() for t in ts if t in members}
            out_ports = tuple(p.name for p in node_type.output_ports(config))
            instance = registry.instance(node_type)
            plain = direct(instance, step.settings)
            steps[node_id] = PreparedStep(
                step=step,
                node_type=node_type,
                instance=instance,
                config=config,
                wires=tuple((w.source, w.source_port, w.target_port) for w in step.inputs),
                required=tuple(p.name for p in node_type.input_ports(config) if p.required),
                out_ports=frozenset(out_ports),
                first_out=out_ports[0] if out_ports else None,
                preds=len(preds),
                succs=tuple(sorted(succs)),
                direct=plain,
                inline=plain and node_type.inline and not node_type.container,
            )
    return steps
