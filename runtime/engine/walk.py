"""One run's walk over a compiled plan (the executor's inner loop).

A node runs once all its in-scope predecessors have finished. It is *active* when at least one
of its wired inputs received a value; otherwise (an if/switch took another branch) it is
skipped, and so are the nodes that depend only on it. Independent branches run concurrently;
a lone ready node is awaited directly, which keeps per-node overhead to a few microseconds.
A node's failure never escapes: it becomes data on its error port when that port is wired, and
otherwise stops the run with a ``NodeFailure`` naming the node.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Mapping
from typing import Any

from nodes.base import BodyRunner, NodeContext
from runtime.core.clock import utc_now
from runtime.core.options import RunOptions
from runtime.core.types import ERROR_PORT
from runtime.core.waiting import Suspend
from runtime.engine.checkpoint import Checkpoints
from runtime.engine.frame import NO_RESPONSE, BodyWaiting, Frame, item_failure, scope_for
from runtime.engine.plan import Plan
from runtime.engine.prepare import PreparedStep
from runtime.engine.step import (
    StepOutcome,
    execute_step,
    failure_of,
    outcome_of,
    retryable,
    self_cancelled,
)
from runtime.engine.trace import NodeFailure, NodeStatus, NodeTrace, NodeWait, RunResult


class Walk:
    """One run's walk over a plan: what is ready, skipped or failed, and the trace."""

    def __init__(
        self,
        plan: Plan,
        steps: dict[str, PreparedStep],
        event: Any,
        run_id: str,
        options: RunOptions,
        pins: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        self.steps = steps
        self.pins = {k: dict(v) for k, v in (pins or {}).items()}
        self.plan = plan
        self.event = event
        self.run_id = run_id
        self.options = options
        self.cancelled = False
        self.trace: list[NodeTrace] = []
        self.started = time.perf_counter()
        self.run_info: dict[str, Any] = {
            "id": run_id,
            "graph_id": self.plan.graph_id,
            "started_at": utc_now(),
        }
        self.root = Frame(self.plan.root, {}, {})
        self.interrupted: list[str] = []
        """Nodes a timeout or cancellation stopped mid-run, in the order they stopped."""
        self.retry_worthy: set[str] = set()
        """Failed nodes another attempt may cure: read by hosts that retry themselves."""
        self.body_override: BodyRunner | None = None
        """Runs containers' bodies instead of the plan's (a host that runs them elsewhere)."""
        self.checkpoints: Checkpoints | None = None
        """A durable run's checkpoints: finished nodes replay from here and are written there."""
        self.waits: list[NodeWait] = []

    async def execute(self) -> RunResult:
        timeout = self.options.run_timeout_seconds
        try:
            if timeout is None:
                await self._scope(self.root)
            else:
                async with asyncio.timeout(timeout):
                    await self._scope(self.root)
        except TimeoutError:
            stopped = sorted(set(self.interrupted))
            running = ", ".join(stopped) or "none"
            failure = NodeFailure(
                node=stopped[0] if stopped else self.plan.trigger,
                message=f"run timed out after {timeout:g}s (still running: {running})",
                type="Timeout",
            )
            return self.finish("timed_out", failure)
        if self.root.failure is not None:
            return self.finish("failed", self.root.failure)
        if self.waits:
            if self.checkpoints is not None:
                await self.checkpoints.flush(force=True)
            return self.finish("waiting", None)
        unanswered = self._unanswered()
        if unanswered is not None:
            return self.finish("failed", unanswered)
        return self.finish("succeeded", None)

    def _unanswered(self) -> NodeFailure | None:
        """A caller waits for an answer that no Respond node gave: that run did not succeed.

        Every node upstream may have been skipped (a branch without a Respond, a pin that
        fires nothing); calling it a success would answer the caller with whatever the last
        nodes left, and tell the builder user all went well.
        """
        trigger = self.steps[self.plan.trigger].node_type
        if not trigger.needs_response or not self.plan.responders:
            return None
        if any(self.root.outputs.get(n) for n in self.plan.responders):
            return None
        return NodeFailure(node=self.plan.responders[0], message=NO_RESPONSE, type="NoResponse")

    def finish(self, status: Any, failure: NodeFailure | None) -> RunResult:
        if status == "cancelled" and failure is None:
            failure = NodeFailure(
                node=self.plan.trigger, message="run was cancelled", type="Cancelled"
            )
        responder = next((n for n in self.plan.responders if self.root.outputs.get(n)), None)
        output = None
        if status == "succeeded":
            fired = self.root.outputs.get(responder) if responder else None
            output = next(iter(fired.values())) if fired else self._sinks()
        return RunResult(
            run_id=self.run_id,
            graph_id=self.plan.graph_id,
            status=status,
            output=output,
            responder=responder if status == "succeeded" else None,
            error=failure,
            trace=self.trace,
            duration_ms=(time.perf_counter() - self.started) * 1000,
            waits=self.waits if status == "waiting" else [],
        )

    def _sinks(self) -> Any:
        """Without a respond node, the result is what the graph's last nodes produced."""
        sinks = {
            n: self.root.view[n]
            for n in self.plan.root.order
            if not self.steps[n].succs and n in self.root.view
        }
        if len(sinks) == 1:
            return next(iter(sinks.values()))
        return sinks

    async def _scope(self, frame: Frame) -> None:
        steps = self.steps
        pending = {n: steps[n].preds for n in frame.scope.order}
        ready = deque(n for n in frame.scope.order if pending[n] == 0)
        running: dict[asyncio.Task[None], str] = {}
        limit = self.options.max_concurrency
        loop = asyncio.get_running_loop()

        def release(node_id: str) -> None:
            if node_id in frame.waiting:
                return  # its successors wait with it
            for succ in steps[node_id].succs:
                pending[succ] -= 1
                if pending[succ] == 0:
                    ready.append(succ)

        try:
            while (ready or running) and frame.failure is None:
                # A lone ready node, or one that never suspends, is awaited in place: a task
                # would cost more than the node and gain no concurrency.
                if ready and (steps[ready[0]].inline or (not running and len(ready) == 1)):
                    node_id = ready.popleft()
                    await self.visit(node_id, frame)
                    release(node_id)
                elif ready and len(running) < limit:
                    node_id = ready.popleft()
                    running[loop.create_task(self.visit(node_id, frame))] = node_id
                else:
                    done, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                    for task in done:
                        node_id = running.pop(task)
                        task.result()
                        release(node_id)
        finally:
            for task in running:
                task.cancel()
            if running:
                await asyncio.gather(*running, return_exceptions=True)

    def _record(
        self,
        prepared: PreparedStep,
        frame: Frame,
        status: NodeStatus,
        inputs: dict[str, Any] | None = None,
        outputs: dict[str, Any] | None = None,
        error: NodeFailure | None = None,
        handled: bool = False,
        attempts: int = 0,
        started_at: float | None = None,
        duration_ms: float = 0.0,
    ) -> NodeTrace:
        entry = NodeTrace(
            node=prepared.step.node,
            type=prepared.step.type,
            status=status,
            iteration=list(frame.iteration),
            inputs={} if inputs is None else inputs,
            outputs={} if outputs is None else outputs,
            error=error,
            handled=handled,
            attempts=attempts,
            started_at=started_at,
            duration_ms=duration_ms,
        )
        self.trace.append(entry)
        return entry

    async def visit(self, node_id: str, frame: Frame) -> None:
        p = self.steps[node_id]
        inputs: dict[str, Any] = {}
        for source, source_port, target_port in p.wires:
            fired = frame.outputs.get(source)
            if fired is not None and source_port in fired:
                inputs[target_port] = fired[source_port]
        if not p.wires and not p.node_type.trigger:
            # Nothing feeds it (the validator warned it is unreachable): it never runs.
            frame.outputs[node_id] = {}
            self._record(p, frame, "skipped")
            return
        if p.wires and (not inputs or any(r not in inputs for r in p.required)):
            frame.outputs[node_id] = {}
            self._record(p, frame, "skipped")
            return
        checkpoints = self.checkpoints
        if checkpoints is not None:
            done = checkpoints.replay(node_id, frame.iteration)
            if done is not None:
                self._finish_node(node_id, frame, dict(done.outputs))
                self.trace.append(done)
                return
        pinned = self.pins.get(node_id)
        if pinned is not None:
            self._finish_node(node_id, frame, dict(pinned))
            entry = self._record(p, frame, "pinned", inputs=inputs, outputs=dict(pinned))
            if checkpoints is not None:
                await checkpoints.finished(entry, acts=False)
            return
        if p.step.settings.disabled:
            passed = {p.first_out: inputs.get("in")} if p.first_out else {}
            self._finish_node(node_id, frame, passed)
            entry = self._record(p, frame, "disabled", inputs=inputs, outputs=passed)
            if checkpoints is not None:
                await checkpoints.finished(entry, acts=False)
            return
        if checkpoints is not None and not p.inline:
            await checkpoints.before_acting()
        ctx = NodeContext(
            node_id=node_id,
            run_id=self.run_id,
            graph_id=self.plan.graph_id,
            scope=scope_for(inputs, frame, self.event, self.run_info),
            options=self.options,
            body=(self.body_override or self._body_runner(node_id, frame))
            if p.node_type.container
            else None,
            iteration=frame.iteration,
        )
        wall = time.time()
        t0 = time.perf_counter()
        try:
            if p.direct:  # ``execute_step`` without its coroutine: the same outcome
                try:
                    outputs = await p.instance.run(p.config, inputs, ctx)
                except asyncio.CancelledError:
                    outcome = StepOutcome(None, self_cancelled(node_id), 1, True)
                except Suspend:
                    raise
                except Exception as exc:
                    outcome = StepOutcome(None, failure_of(exc, node_id), 1, retryable(exc))
                else:
                    broken = outcome_of(outputs, p.out_ports, node_id)
                    outcome = StepOutcome(None if broken else outputs, broken, 1)
            else:
                outcome = await execute_step(
                    p.instance, p.config, inputs, ctx, p.step.settings, p.out_ports
                )
        except Suspend as wait:
            self._wait(p, frame, inputs, wait, wall)
            return
        except asyncio.CancelledError:
            self.interrupted.append(node_id)
            self._record(
                p,
                frame,
                "cancelled",
                inputs=inputs,
                started_at=wall,
                duration_ms=(time.perf_counter() - t0) * 1000,
            )
            raise
        duration = (time.perf_counter() - t0) * 1000
        if outcome.outputs is not None:
            self._finish_node(node_id, frame, outcome.outputs)
            entry = self._record(
                p,
                frame,
                "ok",
                inputs=inputs,
                outputs=outcome.outputs,
                attempts=outcome.attempts,
                started_at=wall,
                duration_ms=duration,
            )
            if checkpoints is not None:
                await checkpoints.finished(entry, acts=not p.inline)
            return
        failure = outcome.failure
        assert failure is not None
        if outcome.retry:
            self.retry_worthy.add(node_id)
        if p.step.handles_errors:
            payload = {
                "node": node_id,
                "message": failure.message,
                "type": failure.type,
                "attempts": outcome.attempts,
                "input": inputs.get("in"),
            }
            self._finish_node(node_id, frame, {ERROR_PORT: payload})
            entry = self._record(
                p,
                frame,
                "failed",
                inputs=inputs,
                outputs={ERROR_PORT: payload},
                error=failure,
                handled=True,
                attempts=outcome.attempts,
                started_at=wall,
                duration_ms=duration,
            )
            if checkpoints is not None:
                await checkpoints.finished(entry, acts=not p.inline)
            return
        frame.outputs[node_id] = {}
        self._record(
            p,
            frame,
            "failed",
            inputs=inputs,
            error=failure,
            attempts=outcome.attempts,
            started_at=wall,
            duration_ms=duration,
        )
        if frame.failure is None:
            frame.failure = failure

    def _wait(
        self, p: PreparedStep, frame: Frame, inputs: dict[str, Any], wait: Suspend, wall: float
    ) -> None:
        """The node waits: its successors stay pending and the run ends ``waiting``."""
        node_id = p.step.node
        frame.waiting.add(node_id)
        self._record(p, frame, "waiting", inputs=inputs, started_at=wall)
        if not isinstance(wait, BodyWaiting):
            self.waits.append(
                NodeWait(
                    node=node_id,
                    iteration=list(frame.iteration),
                    request=wait.request,
                    input=inputs.get("in"),
                )
            )

    def _finish_node(self, node_id: str, frame: Frame, outputs: dict[str, Any]) -> None:
        frame.outputs[node_id] = outputs
        if outputs:
            frame.view[node_id] = next(iter(outputs.values()))

    def _body_runner(self, container: str, frame: Frame) -> BodyRunner:
        body = self.plan.bodies.get(container)

        async def run_body(item: Any, index: int) -> tuple[bool, Any]:
            if body is None or not body.order:
                return True, item
            sub = Frame(
                scope=body,
                outputs={container: {"item": item}},
                view=dict(frame.view),
                iteration=(*frame.iteration, index),
                item=item,
            )
            await self._scope(sub)
            if sub.failure is not None:
                raise item_failure(index, sub.failure)
            if sub.waiting:
                raise BodyWaiting(self.waits[-1].request)
            for wire in body.results:
                fired = sub.outputs.get(wire.source)
                if fired and wire.source_port in fired:
                    return True, fired[wire.source_port]
            return False, None

        return run_body
