"""Running a stored graph version and recording the run.

One path serves the builder's test runs and deployed endpoints, so both leave the same trace
in the same place.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from starlette.concurrency import run_in_threadpool

from runtime.core.clock import utc_now
from runtime.core.graph import Graph
from runtime.core.options import RunOptions
from runtime.service.durable.keeper import DurableStore, RunKeeper
from runtime.service.durable.subgraphs import ChildOf, ServiceSubgraphs
from runtime.service.durable.walking import holding, walk_kept
from runtime.service.schemas import DRAFT_VERSION
from runtime.service.state import ServiceState, VersionStore
from runtime.store import RunRecord, RunState, TenantSettings
from runtime.store.slices import AuditStore, SettingsStore, UsageStore

if TYPE_CHECKING:
    from compliance.trace import RunLabels
    from runtime.engine.executor import Executor
    from runtime.engine.trace import RunResult

Trigger = Literal["http", "manual", "schedule", "api", "subgraph"]
DRAFT_WAITS = {
    "node": "",
    "message": "a test run of an unsaved graph stops where a node waits;"
    " save the graph and run the saved version to answer the wait",
    "type": "TestRunWaits",
}


class QueueStore(VersionStore, DurableStore, Protocol):
    """Prepare a stored version and write its run record and state."""


class FinishStore(DurableStore, UsageStore, Protocol):
    """A run under way: its record, and the model calls it charges to the tenant's usage."""


class RunningStore(QueueStore, FinishStore, Protocol):
    """Run a stored version and keep its record."""


class RecordingStore(RunningStore, AuditStore, Protocol):
    """Run a stored version and keep its record, audited where the run must be."""


@dataclass(frozen=True, slots=True)
class Prepared:
    """What a run needs before it starts, gathered in one worker-thread hop."""

    version: int
    executor: Executor
    options: RunOptions
    expires_at: int
    """When the run's record expires (the tenant's retention)."""
    labels: RunLabels | None = None
    """Data classes per node: what the record masks (SAD) and the audit event names."""


def prepare(
    state: ServiceState, store: VersionStore, graph_id: str, version: int | None
) -> Prepared:
    """Blocking: may read the head, compile a version and read the settings (all cached)."""
    if version is None:  # the head: read it to learn its number
        version = store.get_graph(graph_id, None).version
    settings = state.lookups.settings(store)
    # A version changes only by erasure, which bumps the settings' revision (``state.executor``).
    executor = state.executor(store, graph_id, version, settings.revision)
    labels = state.labels.get((store.tenant_id, graph_id, version))
    return Prepared(version, executor, *run_options(state, store, settings), labels=labels)


def prepare_draft(state: ServiceState, settings: SettingsStore, graph: Graph) -> Prepared:
    """A graph that is not saved (the builder's test run): compiled now, never cached.

    Raises ``CompileError`` (a 422 with the diagnostics) when the graph is not valid.
    """
    # cold start: compiling loads NetworkX and the node types; deployed runs use cached plans
    from compliance.trace import RunLabels
    from runtime.engine.compile import build_plan
    from runtime.engine.executor import Executor

    executor = Executor(build_plan(graph))
    labels = RunLabels.of(graph)
    options, expires_at = run_options(state, settings)
    # Nothing keeps a draft's run, so its delays sleep (bounded) rather than suspend it.
    options = options.model_copy(update={"durable_waits": False})
    return Prepared(DRAFT_VERSION, executor, options, expires_at, labels=labels)


def run_options(
    state: ServiceState, store: SettingsStore, settings: TenantSettings | None = None
) -> tuple[RunOptions, int]:
    """The run's options and its record's expiry, from the tenant's (cached) settings."""
    settings = settings or state.lookups.settings(store)
    options = RunOptions(
        tenant_id=store.tenant_id,
        egress_allow=tuple(settings.egress_allow),
        egress=state.egress,
        run_timeout_seconds=min(settings.max_run_seconds, state.config.max_run_seconds),
        ai=settings.ai,
        durable_waits=True,
        sleep_limit_seconds=state.config.sleep_limit_seconds,
    )
    return options, int(time.time()) + settings.run_retention_days * 86_400


def record_for(
    result: RunResult,
    *,
    graph_id: str,
    version: int,
    slug: str | None,
    trigger: Trigger,
    started_at: str,
    expires_at: int,
    idempotency_key: str | None = None,
    labels: RunLabels | None = None,
    parent_run_id: str | None = None,
) -> RunRecord:
    """The record to store: SAD masked in the trace and the output (``compliance.trace``)."""
    trace, output = stored_trace(result, labels)
    return RunRecord(
        run_id=result.run_id,
        graph_id=graph_id,
        version=version,
        slug=slug,
        status=result.status,
        trigger=trigger,
        started_at=started_at,
        finished_at=None if result.status == "waiting" else utc_now(),
        duration_ms=result.duration_ms,
        output=output,
        error=result.error.model_dump() if result.error else None,
        trace=trace,
        trace_truncated=False,
        idempotency_key=idempotency_key,
        expires_at=expires_at,
        parent_run_id=parent_run_id,
    )


def stored_trace(result: RunResult, labels: RunLabels | None) -> tuple[list[dict[str, Any]], Any]:
    """The trace and output as they may be stored: SAD never reaches run storage."""
    # cold start: masking loads the compliance packs, only once a run is recorded
    from compliance.trace import RunLabels, mask_trace, mask_value
    from runtime.engine.trace import TRACE

    labels = labels or RunLabels()
    trace = mask_trace(TRACE.dump_python(result.trace, mode="json"), labels)
    responder = labels.outputs.get(result.responder or "", {})
    return trace, mask_value(result.output, responder)


def ran(result: RunResult) -> list[str]:
    return [t.node for t in result.trace if t.status == "ok"]


AUDITED_CLASSES: frozenset[str] = frozenset({"PHI", "PAN", "SAD", "CREDENTIALS"})
"""Classes whose every use the frameworks want on record: HIPAA's audit controls (PHI), PCI
DSS requirement 10 (card data), and secrets. Plain PII (a lead's email) is in the run records;
auditing each such webhook call too would triple its DynamoDB requests for no rule's sake."""


def _touched(prepared: Prepared, result: RunResult) -> list[str]:
    """The run's data classes, when any of them must be audited; else nothing."""
    labels = prepared.labels
    touched = labels.touched(ran(result)) if labels is not None else []
    return touched if AUDITED_CLASSES.intersection(touched) else []


async def _ended(
    keeper: RunKeeper, result: RunResult, prepared: Prepared, idempotency_key: str | None
) -> RunRecord:
    """Store how the run ended (or that it waits); the run as it happened, for the caller.

    The stored copy may be trimmed to fit an item.
    """
    run = keeper.run
    record = record_for(
        result,
        graph_id=run.graph_id,
        version=prepared.version,
        slug=run.slug,
        trigger=run.trigger,
        started_at=run.started_at,
        expires_at=prepared.expires_at,
        idempotency_key=idempotency_key,
        labels=prepared.labels,
        parent_run_id=run.parent_run_id,
    )
    if record.status == "waiting" and prepared.version == DRAFT_VERSION:
        record = record.model_copy(update={"status": "cancelled", "error": DRAFT_WAITS})
    if keeper.on_record:
        await keeper.end(result, record)
    else:  # never durable (it did not act, or it is a draft's): one write, as ever
        await keeper.close()
        await run_in_threadpool(keeper.store.put_run, record)
    return record


async def execute_and_record(
    state: ServiceState,
    store: RecordingStore,
    *,
    graph_id: str,
    version: int | None,
    event: Any,
    trigger: Trigger,
    slug: str | None,
    actor: str,
    idempotency_key: str | None = None,
    prepared: Prepared | None = None,
    pins: dict[str, dict[str, Any]] | None = None,
    parent: ChildOf | None = None,
    run_id: str | None = None,
) -> RunRecord:
    """Run and record; ``prepared`` (from ``prepare``) saves the hop when the caller has it.

    A run of a stored version is durable (``runtime.service.durable``); a draft's is not, and
    stops at its first wait. ``run_id``: one the caller already recorded elsewhere (a
    schedule slot's claim names its run before it starts, ``runtime.store.fires``); by
    default a new one.
    """
    if prepared is None:
        prepared = await run_in_threadpool(prepare, state, store, graph_id, version)
    run_id = run_id or store.new_run_id()
    keeper = RunKeeper(
        state,
        store,
        RunState(
            run_id=run_id,
            graph_id=graph_id,
            version=prepared.version,
            slug=slug,
            trigger=trigger,
            event=event,
            started_at=utc_now(),
            expires_at=prepared.expires_at,
            idempotency_key=idempotency_key,
            **(parent.model_dump() if parent else {}),
        ),
    )
    calls = ServiceSubgraphs(state, store, keeper.run, execute_and_record)
    with holding(state, run_id):
        result = await walk_kept(state, store, prepared, keeper, pins=pins, subgraphs=calls)
        if result is None:  # cancelled elsewhere, or taken over: its record says how it stands
            return await run_in_threadpool(store.get_run, run_id)
        record = await _ended(keeper, result, prepared, idempotency_key)
    if trigger == "manual":
        await run_in_threadpool(
            store.record_audit,
            actor=actor,
            action="run.manual",
            target=graph_id,
            details={"run_id": run_id, "version": prepared.version, "status": result.status},
        )
    elif trigger == "http" and (touched := _touched(prepared, result)):
        # Which data classes the run touched, so a reviewer can find every run that handled
        # PHI (HIPAA) or card data (PCI): class names only, never values. Other runs are in
        # the run records already (see AUDITED_CLASSES).
        await run_in_threadpool(
            store.record_audit,
            actor=actor,
            action="run.endpoint",
            target=graph_id,
            details={
                "run_id": run_id,
                "slug": slug,
                "version": prepared.version,
                "status": result.status,
                "classes": touched,
                # HIPAA: every node that touched PHI (or card data, or secrets) is named.
                "nodes": prepared.labels.touching(ran(result), AUDITED_CLASSES)
                if prepared.labels is not None
                else {},
            },
            outcome="succeeded" if result.status == "succeeded" else "failed",
        )
    return record


def queue_run(
    state: ServiceState,
    store: QueueStore,
    *,
    graph_id: str,
    version: int,
    slug: str | None,
    event: Any,
    idempotency_key: str | None = None,
) -> tuple[RunRecord, Prepared]:
    """Blocking: record the run as queued, with what any process needs to start it.

    Separate from starting it, so a keyed delivery can claim its ``Idempotency-Key`` around
    exactly this write (``runtime.service.idempotency``).
    """
    prepared = prepare(state, store, graph_id, version)
    queued = RunRecord(
        run_id=store.new_run_id(),
        graph_id=graph_id,
        version=version,
        slug=slug,
        status="queued",
        trigger="http",
        started_at=utc_now(),
        finished_at=None,
        duration_ms=None,
        output=None,
        error=None,
        trace=[],
        trace_truncated=False,
        idempotency_key=idempotency_key,
        expires_at=prepared.expires_at,
    )
    store.put_run(queued)
    store.put_run_state(
        RunState(
            run_id=queued.run_id,
            graph_id=graph_id,
            version=version,
            slug=slug,
            trigger="http",
            event=event,
            started_at=queued.started_at,
            expires_at=queued.expires_at,
            idempotency_key=idempotency_key,
            owner=state.instance,
            lease_until=int(time.time()) + state.config.lease_seconds,
        )
    )
    return queued, prepared


def spawn_queued_run(
    state: ServiceState, store: FinishStore, queued: RunRecord, prepared: Prepared, event: Any
) -> None:
    """Finish a queued run in the background; it updates the queued record as it goes."""

    async def finish() -> None:
        await run_in_threadpool(store.update_run, queued.run_id, status="running")
        run = await run_in_threadpool(store.get_run_state, queued.run_id)
        keeper = RunKeeper(state, store, run, on_record=True, durable=True)
        calls = ServiceSubgraphs(state, store, run, execute_and_record)
        with holding(state, queued.run_id):
            result = await walk_kept(state, store, prepared, keeper, subgraphs=calls)
            if result is not None:  # else cancelled, or another process took it over
                await _ended(keeper, result, prepared, queued.idempotency_key)

    state.spawn(finish())


async def start_background_run(
    state: ServiceState,
    store: RunningStore,
    *,
    graph_id: str,
    version: int,
    event: Any,
    slug: str | None,
) -> RunRecord:
    """``?async=1``: record the run as queued, answer at once, finish it in the background."""
    queued, prepared = await run_in_threadpool(
        lambda: queue_run(state, store, graph_id=graph_id, version=version, slug=slug, event=event)
    )
    spawn_queued_run(state, store, queued, prepared, event)
    return queued
