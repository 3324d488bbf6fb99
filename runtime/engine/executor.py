"""The executor: prepares a compiled plan once and runs it in-process with asyncio, many times.

The walk itself (readiness, skipping, error ports, the trace) is ``runtime.engine.walk``.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nodes.base import BodyRunner
from nodes.registry import Registry, default_registry
from runtime.core.options import RunOptions
from runtime.engine.checkpoint import Checkpoints
from runtime.engine.frame import Frame
from runtime.engine.plan import Plan
from runtime.engine.prepare import PreparedStep, prepare_steps
from runtime.engine.trace import NodeTrace, RunResult
from runtime.engine.walk import Walk


class Executor:
    """Prepares a plan once (node instances, parsed configs, wiring) and runs it many times."""

    def __init__(self, plan: Plan, registry: Registry | None = None) -> None:
        self.plan = plan
        self._steps: dict[str, PreparedStep] = prepare_steps(plan, registry or default_registry())

    def start(
        self,
        event: Any = None,
        *,
        run_id: str | None = None,
        options: RunOptions | None = None,
        pins: Mapping[str, Mapping[str, Any]] | None = None,
        checkpoints: Checkpoints | None = None,
        started_at: str | None = None,
        run_info: Mapping[str, Any] | None = None,
    ) -> RunHandle:
        """Start a run; ``pins`` maps node ids to outputs (port -> value) used instead of running.

        Pinned data is how a builder user iterates on downstream nodes without calling an API
        or an LLM again (n8n's "pin data"): a pinned node that would run is not run, its pinned
        outputs fire, and its trace entry says ``pinned``. A pinned node whose inputs did not
        fire is skipped as usual.

        ``checkpoints`` make the run durable (``runtime.engine.checkpoint``): finished nodes
        replay from them, new ones are written to them. A resumed run passes the
        ``started_at`` it first had, so ``{{ run.started_at }}`` reads the same throughout.
        ``run_info`` adds to what ``{{ run }}`` holds (the host's links to answer waits).
        """
        unknown = sorted(set(pins or {}) - set(self.plan.steps))
        if unknown:
            raise KeyError(f"pinned nodes not in the plan: {', '.join(unknown)}")
        run_id = run_id or uuid.uuid4().hex
        run = Walk(self.plan, self._steps, event, run_id, options or RunOptions(), pins)
        run.checkpoints = checkpoints
        if run_info:
            run.run_info.update(run_info)
        if started_at is not None:
            run.run_info["started_at"] = started_at
        return RunHandle(run)

    async def run(
        self,
        event: Any = None,
        *,
        run_id: str | None = None,
        options: RunOptions | None = None,
        pins: Mapping[str, Mapping[str, Any]] | None = None,
        checkpoints: Checkpoints | None = None,
        started_at: str | None = None,
        run_info: Mapping[str, Any] | None = None,
    ) -> RunResult:
        handle = self.start(
            event,
            run_id=run_id,
            options=options,
            pins=pins,
            checkpoints=checkpoints,
            started_at=started_at,
            run_info=run_info,
        )
        return await handle.result()

    async def run_step(
        self,
        node_id: str,
        *,
        trigger: Any = None,
        upstream: dict[str, dict[str, Any]] | None = None,
        item: Any = None,
        iteration: tuple[int, ...] = (),
        run_id: str = "step",
        options: RunOptions | None = None,
    ) -> tuple[NodeTrace, dict[str, Any]]:
        """Run one node of a run hosted elsewhere (a Step Functions state, say).

        ``upstream`` holds the fired outputs of nodes that already ran; the node is skipped,
        retried, timed out and error-routed exactly as inside ``run``.
        """
        done = await self.run_attempt(
            node_id,
            trigger=trigger,
            upstream=upstream,
            item=item,
            iteration=iteration,
            run_id=run_id,
            options=options,
        )
        return done.trace, done.outputs

    async def run_attempt(
        self,
        node_id: str,
        *,
        trigger: Any = None,
        upstream: dict[str, dict[str, Any]] | None = None,
        view: dict[str, Any] | None = None,
        item: Any = None,
        iteration: tuple[int, ...] = (),
        run_id: str = "step",
        started_at: str | None = None,
        options: RunOptions | None = None,
        body: BodyRunner | None = None,
    ) -> SteppedNode:
        """``run_step`` for a host that keeps more of the run itself.

        ``view`` is what ``{{ nodes.<id> }}`` reads (default: the first fired value of each
        upstream node; a for-each body sees its container's outer view, not its item),
        ``started_at`` the run's start, and ``body`` runs a container's body in place of the
        plan's. The answer also says whether a failure is worth another attempt.
        """
        step = self.plan.steps.get(node_id)
        if step is None:
            raise KeyError(f"plan has no node {node_id!r}")
        scope = self.plan.root if step.scope is None else self.plan.bodies[step.scope]
        outputs = {k: dict(v) for k, v in (upstream or {}).items()}
        if view is None:
            view = {k: next(iter(v.values())) for k, v in outputs.items() if v}
        run = Walk(self.plan, self._steps, trigger, run_id, options or RunOptions())
        if started_at is not None:
            run.run_info["started_at"] = started_at
        run.body_override = body
        frame = Frame(scope, outputs, dict(view), iteration, item)
        await run.visit(node_id, frame)
        return SteppedNode(
            run.trace[-1], frame.outputs.get(node_id, {}), node_id in run.retry_worthy
        )


@dataclass(frozen=True, slots=True)
class SteppedNode:
    """One node run by ``Executor.run_attempt``: its trace entry, outputs and retry verdict."""

    trace: NodeTrace
    outputs: dict[str, Any]
    retry: bool


class RunHandle:
    """A run in progress: ``await handle.result()``, or ``handle.cancel()`` it."""

    def __init__(self, run: Walk) -> None:
        self._run = run
        self._task = asyncio.ensure_future(run.execute())

    @property
    def run_id(self) -> str:
        return self._run.run_id

    def cancel(self) -> None:
        self._run.cancelled = True
        self._task.cancel()

    async def result(self) -> RunResult:
        try:
            return await asyncio.shield(self._task)
        except asyncio.CancelledError:
            if not self._run.cancelled:
                raise  # the caller was cancelled, not the run
            return self._run.finish("cancelled", None)
