"""Writing a plan's blocks as states: series as chains, parallels as Parallel states, and the run.

A Parallel's branches each end by returning the records they wrote; a Pass after it merges
them into the state (``States.JsonMerge``), so what follows reads every branch's nodes as if
they had run in one line. The run starts by wrapping the execution's input as ``$.run`` and ends
with the state's records as the execution's output, or with a Fail that names the node.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from nodes.base import NodeConfig
from nodes.logic.delay import Delay
from nodes.loops.foreach import ForEachConfig
from nodes.registry import AnyNodeType, Registry
from runtime.engine.asl import loops, paths
from runtime.engine.asl.blocks import Block, Parallel, Unit, members, scope_blocks
from runtime.engine.asl.contract import NODE_FAILED, Failure
from runtime.engine.asl.states import Lane, State, States, any_of, choice, ordered, pass_state
from runtime.engine.asl.states import present as is_present
from runtime.engine.asl.units import item_outcome, unit
from runtime.engine.frame import NO_RESPONSE
from runtime.engine.plan import Plan

START, ANSWERED, NO_ANSWER, DONE = "Run: start", "Run: answered", "Run: no response", "Run: done"


class Emitter:
    """Writes one plan's states; knows its node types, configs and what each node may read."""

    def __init__(
        self,
        plan: Plan,
        registry: Registry,
        *,
        standard: bool,
        overrides: Mapping[str, int] | None = None,
    ) -> None:
        self.plan = plan
        self.standard = standard
        self.overrides = dict(overrides or {})
        self.distributed_above: dict[str, int] = {}
        """Per top-level for-each: items above which its Distributed Map runs (filled in)."""
        self.types: dict[str, AnyNodeType] = {}
        self.configs: dict[str, NodeConfig] = {}
        for node, step in plan.steps.items():
            node_type = registry.get(step.type, step.version)
            if node_type is None:
                raise ValueError(f"plan needs node type {step.type} v{step.version}")
            self.types[node] = node_type
            self.configs[node] = node_type.Config.model_validate(step.config)
        self._parallels = 0
        self._context: dict[str, list[str]] = {}

    # --- what a node is ---------------------------------------------------------------------

    def is_trigger(self, node: str) -> bool:
        return self.types[node].trigger

    def loops(self, node: str) -> bool:
        """A container with a body to run per item (an empty body keeps items as they are)."""
        body = self.plan.bodies.get(node)
        return self.types[node].container and body is not None and bool(body.order)

    def waits(self, node: str) -> bool:
        return issubclass(self.types[node], Delay)

    def required(self, node: str) -> list[str]:
        ports = self.types[node].input_ports(self.configs[node])
        return [p.name for p in ports if p.required]

    def foreach_config(self, node: str) -> ForEachConfig:
        config = self.configs[node]
        assert isinstance(config, ForEachConfig)
        return config

    def output_ports(self, node: str) -> list[str]:
        return [p.name for p in self.types[node].output_ports(self.configs[node])]

    def context(self, node: str) -> list[str]:
        """Records a container's items start from: what ran before it, here and outside.

        In-process a body reads the view of the scope around its for-each; the nodes on a
        path to the for-each are the part of it that has surely run.
        """
        found = self._context.get(node)
        if found is None:
            step = self.plan.steps[node]
            scope = self.plan.root if step.scope is None else self.plan.bodies[step.scope]
            before = _ancestors(self.plan, node, set(scope.order))
            outer = self.context(step.scope) if step.scope is not None else []
            found = outer + [n for n in scope.order if n in before]
            self._context[node] = found
        return found

    def distributes(self, node: str, lane: Lane) -> bool:
        """Only a top-level for-each of a Standard workflow (Express has no Distributed Map)."""
        return self.standard and lane.scope is None and lane.prefix == ""

    # --- writing ----------------------------------------------------------------------------

    def loop(self, node: str, lane: Lane, out: States, nxt: str, failed: str | None) -> str:
        return loops.loop(self, node, lane, out, nxt, failed)

    def block(self, block: Block, lane: Lane, out: States, nxt: str) -> str:
        """Write ``block`` so that it continues at ``nxt``; return its entry state."""
        if isinstance(block, Unit):
            return unit(self, block.node, lane, out, nxt)
        if isinstance(block, Parallel):
            return self._parallel(block, lane, out, nxt)
        lanes: list[Lane] = []
        seen: list[str] = []
        for part in block.parts:
            lanes.append(lane.after(seen))
            seen += members(part)
        for part, part_lane in zip(reversed(block.parts), reversed(lanes), strict=True):
            nxt = self.block(part, part_lane, out, nxt)
        return nxt

    def _parallel(self, block: Parallel, lane: Lane, out: States, nxt: str) -> str:
        self._parallels += 1
        name = f"{lane.prefix}Parallel {self._parallels}"
        branches = []
        for i, branch in enumerate(block.branches, 1):
            states: States = {}
            end = f"{name}: branch {i}"
            written = {f"{n}.$": paths.record(n) for n in members(branch)}
            states[end] = pass_state(written, None, None)
            entry = self.block(branch, lane.inner(), states, end)
            branches.append({"StartAt": entry, "States": ordered(entry, states)})
        join = f"{name}: join"
        state: State = {
            "Type": "Parallel",
            "Branches": branches,
            "ResultSelector": {f"b{i}.$": f"$[{i}]" for i in range(len(branches))},
            "ResultPath": "$.state.branches",
        }
        if lane.catches and lane.top:
            caught = f"{name}: item failed"
            failure = "States.StringToJson($.caught.Cause)"
            out[caught] = pass_state(
                item_outcome(failure_path=failure, nodes=lane.before), None, None
            )
            state["Catch"] = [
                {"ErrorEquals": ["States.ALL"], "ResultPath": "$.caught", "Next": caught}
            ]
        state["Next"] = join
        out[name] = state
        merged = paths.NODES
        for i in range(len(branches)):
            merged = f"States.JsonMerge({merged}, $.state.branches.b{i}, false)"
        out[join] = pass_state({"nodes.$": merged}, "$.state", nxt)
        return name

    def machine(self) -> dict[str, Any]:
        out: States = {DONE: {"Type": "Succeed", "OutputPath": "$.state"}}
        end = DONE
        trigger = self.types[self.plan.trigger]
        if trigger.needs_response and self.plan.responders:
            why = Failure(node=self.plan.responders[0], message=NO_RESPONSE, type="NoResponse")
            out[NO_ANSWER] = {
                "Type": "Fail",
                "Error": NODE_FAILED,
                "Cause": json.dumps(why.model_dump(exclude_none=True), separators=(",", ":")),
            }
            answered = [
                is_present(paths.fired(r, port))
                for r in self.plan.responders
                for port in self.output_ports(r)
            ]
            out[ANSWERED] = choice([(any_of(answered), DONE)], NO_ANSWER)
            end = ANSWERED
        block = scope_blocks(self.plan, self.plan.root)
        entry = self.block(block, Lane(), out, end) if block is not None else end
        initial: dict[str, Any] = {"run.$": "$", "at": None, "state": {"nodes": {}}}
        out[START] = pass_state(initial, None, entry)
        return {
            "Comment": f"Auterity graph {self.plan.graph_id} ({self.plan.graph_hash[:12]})",
            "StartAt": START,
            "States": ordered(START, out),
        }


def _ancestors(plan: Plan, node: str, scope: set[str]) -> set[str]:
    found: set[str] = set()
    stack = [w.source for w in plan.steps[node].inputs if w.source in scope]
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.add(current)
        stack += [w.source for w in plan.steps[current].inputs if w.source in scope]
    return found
