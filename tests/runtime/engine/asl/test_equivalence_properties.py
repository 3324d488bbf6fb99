"""Generated graphs give the same answers in-process and as state machines on moto.

The graphs are the property tests' ``wired_graphs``: a trigger and a DAG wired through ports
that exist and fit, sometimes with a for-each body, disabled nodes, retries or timeouts, and
perhaps one mutation that may break them. Invalid graphs are not compared (they never
compile), nor graphs whose expressions read a node that is not on a path to the reader (the
validator warns: what such a read finds depends on scheduling, in-process as well), nor graphs
that read the clock (each engine runs at its own moment); a schedule trigger's event gets a
fixed ``scheduled_at`` for the same reason. AI nodes call the local model server.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings

from runtime.ai.config import AiConfig
from runtime.ai.router import Router
from runtime.ai.session import AiSession, set_default_session
from runtime.ai.usage import MemoryLedger
from runtime.core.graph import Graph
from runtime.core.options import RunOptions
from runtime.engine.validate import validate
from runtime.local.llm import FakeProvider
from tests.asl_harness import MOTO_STOPPED_BRANCH, local_step_functions
from tests.property.test_graph_properties import wired_graphs
from tests.runtime.engine.asl.equivalence import assert_same, run_both

SCHEDULING_DEPENDENT = frozenset({"expression.not_upstream", "expression.unknown_node"})
OPTIONS = RunOptions(max_delay_seconds=0.01, http_timeout_seconds=1)
SCHEDULED_AT = "2026-01-05T09:00:00+01:00"


def _reads_the_clock(graph: Graph) -> bool:
    return any(
        (node.type == "transform.datetime" and node.config.get("operation") == "now")
        or "now(" in json.dumps(node.config)
        for node in graph.nodes
    )


def _pinned_schedule(graph: Graph, trigger_event: Any) -> Any:
    """A schedule trigger without ``scheduled_at`` in its event reads the clock."""
    if not any(node.type == "trigger.schedule" for node in graph.nodes):
        return trigger_event
    if isinstance(trigger_event, dict):
        return {"scheduled_at": SCHEDULED_AT, **trigger_event}
    return {"scheduled_at": SCHEDULED_AT}


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.filterwarnings(MOTO_STOPPED_BRANCH)
@pytest.mark.usefixtures("aws_env")
def test_generated_graphs_answer_the_same_on_both_engines(fake_server: FakeProvider) -> None:
    """AI nodes ask the local model server (its unscripted answers are the same every time)."""
    router = Router(AiConfig(providers=fake_server.providers()))
    set_default_session(AiSession(router, MemoryLedger()))
    with local_step_functions() as cloud:

        @settings(
            max_examples=40,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(wired_graphs())
        def check(graph_and_event: tuple[Graph, Any]) -> None:
            graph, trigger_event = graph_and_event
            diagnostics = validate(graph)
            if any(d.severity == "error" for d in diagnostics):
                event("invalid: not compiled")
                return
            if any(d.code in SCHEDULING_DEPENDENT for d in diagnostics):
                event("reads a node off its path: not compared")
                return
            if _reads_the_clock(graph):
                event("reads the clock: not compared")
                return
            trigger_event = _pinned_schedule(graph, trigger_event)
            both = asyncio.run(run_both(cloud, graph, trigger_event, options=OPTIONS))
            event(f"run {both.local.status}")
            assert_same(both)

        check()
