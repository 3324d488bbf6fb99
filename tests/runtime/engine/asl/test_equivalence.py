"""Same answers on both engines: each graph runs in-process and as its compiled state machine on
moto's ASL interpreter, and the run status, failure, output and every node's status, outputs,
attempts and body entries must be equal (``equivalence.assert_same``)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from nodes.registry import Registry
from runtime.core.graph import Graph
from runtime.core.load import load_graph_file
from runtime.deployed.handlers import make_state_handler
from runtime.engine.asl.contract import RunInput
from runtime.engine.asl.machine import compile_asl
from runtime.engine.compile import build_plan
from tests.ai_fixtures import FakeAi
from tests.asl_harness import MOTO_STOPPED_BRANCH, LocalStepFunctions
from tests.runtime.engine.asl.equivalence import (
    assert_same,
    event_for,
    run_both,
    top_level,
    webhook_event,
)
from tests.runtime.support import load_fixture, make_graph

pytestmark = pytest.mark.filterwarnings(MOTO_STOPPED_BRANCH)
ROOT = Path(__file__).resolve().parents[4]
EXAMPLES = sorted((ROOT / "examples").glob("*.graph.json"))
TEMPLATES = sorted((ROOT / "templates").glob("*.graph.json"))


@pytest.mark.parametrize("path", EXAMPLES + TEMPLATES, ids=lambda p: f"{p.parent.name}/{p.stem}")
async def test_every_example_and_template_answers_the_same(
    path: Path, cloud: LocalStepFunctions, fake_ai: FakeAi
) -> None:
    graph = load_graph_file(path)
    event = event_for(graph, graph.metadata.get("sample_input"))
    calls: list[int] = []
    both = await run_both(
        cloud, graph, event, after_local=lambda: calls.append(len(fake_ai.ledger.calls))
    )
    assert both.local.status == "succeeded", both.local.error
    assert_same(both)
    # The machine asked the model exactly what the in-process run asked, no more.
    assert len(fake_ai.ledger.calls) == 2 * calls[0]


FIXTURE_RUNS: list[tuple[str, Any]] = [
    ("linear.graph.json", {"lead": {"name": "Ada"}}),
    ("diamond.graph.json", {"a": 1}),
    ("if-branches.graph.json", {"amount": 50}),
    ("if-branches.graph.json", {"amount": 5000}),
    ("disabled-node.graph.json", {"a": 1}),
    ("webhook-respond.graph.json", webhook_event({"name": "Ada"})),
    ("error-port.graph.json", [1, 2]),
    ("error-port.graph.json", {"a": 1}),
    ("unwired-failure.graph.json", [1, 2]),
    ("foreach-branch.graph.json", {"leads": [{"amount": 5}, {"amount": 500}, {"amount": 100}]}),
    ("nested-foreach.graph.json", {"rows": [{"cells": [{"v": 1}, {"v": 2}]}, {"cells": []}]}),
    ("foreach-item-error.graph.json", {"items": "not a list"}),
    ("payload-echo.graph.json", {"x": [1, 2, 3]}),
]


@pytest.mark.parametrize(("name", "event"), FIXTURE_RUNS, ids=lambda v: str(v)[:40])
async def test_fixture_graphs_answer_the_same(
    name: str, event: Any, cloud: LocalStepFunctions
) -> None:
    assert_same(await run_both(cloud, load_fixture(name), event))


@pytest.mark.parametrize("mode", ["fail", "skip", "collect"])
@pytest.mark.parametrize("concurrency", [1, 3])
async def test_a_body_failing_on_one_item_answers_the_same(
    mode: str, concurrency: int, cloud: LocalStepFunctions
) -> None:
    graph = load_fixture("foreach-item-error.graph.json")
    each = graph.node("each")
    assert each is not None
    each.config |= {"on_item_error": mode, "concurrency": concurrency}
    both = await run_both(cloud, graph, {"items": [{"a": 1}, 5, {"a": 3}]})
    assert both.local.status == ("failed" if mode == "fail" else "succeeded")
    assert_same(both)


def _respond_on_true_only() -> Graph:
    """A webhook whose only Respond sits on one side of an if."""
    condition = {"conditions": [{"left": "{{ input.body.ok }}", "op": "eq", "right": True}]}
    return make_graph(
        [
            {"id": "hook", "type": "trigger.webhook"},
            {"id": "check", "type": "logic.if", "config": {"condition": condition}},
            {"id": "reply", "type": "http.respond", "config": {"body": "{{ input.body }}"}},
        ],
        [
            {"source": "hook", "target": "check"},
            {"source": "check", "source_port": "true", "target": "reply"},
        ],
    )


@pytest.mark.parametrize("ok", [True, False])
async def test_a_caller_left_without_an_answer_fails_the_same(
    ok: bool, cloud: LocalStepFunctions
) -> None:
    both = await run_both(cloud, _respond_on_true_only(), webhook_event({"ok": ok}))
    assert both.local.status == ("succeeded" if ok else "failed")
    assert_same(both)


def _flaky(settings: dict[str, Any], failures: int, *, handled: bool) -> Graph:
    nodes: list[dict[str, Any]] = [
        {"id": "start", "type": "trigger.manual"},
        {
            "id": "call",
            "type": "test.flaky",
            "config": {"failures": failures},
            "settings": settings,
        },
        {"id": "after", "type": "test.probe"},
    ]
    edges = [{"source": "start", "target": "call"}, {"source": "call", "target": "after"}]
    if handled:
        nodes.append({"id": "fallback", "type": "test.probe"})
        edges.append({"source": "call", "source_port": "error", "target": "fallback"})
    return make_graph(nodes, edges)


RETRY = {"retry": {"max_attempts": 3, "backoff_seconds": 0}}


@pytest.mark.parametrize(
    ("settings", "failures", "handled"),
    [
        (RETRY, 2, False),  # the third attempt succeeds
        (RETRY, 5, False),  # every attempt fails: the run fails naming the node
        (RETRY, 5, True),  # every attempt fails: the error port gets the payload
        ({}, 1, True),  # no retry policy: one attempt, handled
    ],
    ids=["recovers", "gives-up", "gives-up-handled", "no-retry-handled"],
)
async def test_retries_are_the_state_machines_and_count_the_same(
    settings: dict[str, Any],
    failures: int,
    handled: bool,
    cloud: LocalStepFunctions,
    registry: Registry,
) -> None:
    graph = _flaky(settings, failures, handled=handled)
    both = await run_both(cloud, graph, {"n": 1}, registry=registry)
    assert_same(both)
    if both.local.status == "succeeded":
        attempts = top_level(both.asl)["call"][4]
        assert attempts == min(failures + 1, settings.get("retry", {}).get("max_attempts", 1))


async def test_a_broken_contract_is_not_retried(
    cloud: LocalStepFunctions, registry: Registry
) -> None:
    graph = make_graph(
        [
            {"id": "start", "type": "trigger.manual"},
            {"id": "bad", "type": "test.bad_output", "settings": RETRY},
            {"id": "fallback", "type": "test.probe"},
        ],
        [
            {"source": "start", "target": "bad"},
            {"source": "bad", "source_port": "error", "target": "fallback"},
        ],
    )
    both = await run_both(cloud, graph, None, registry=registry)
    assert top_level(both.asl)["bad"][4] == 1
    assert_same(both)


async def test_a_node_timeout_fails_the_same(cloud: LocalStepFunctions, registry: Registry) -> None:
    graph = make_graph(
        [
            {"id": "start", "type": "trigger.manual"},
            {
                "id": "stuck",
                "type": "test.rendezvous",
                "config": {"wait": "never"},
                "settings": {"timeout_seconds": 0.2},
            },
            {"id": "fallback", "type": "test.probe"},
        ],
        [
            {"source": "start", "target": "stuck"},
            {"source": "stuck", "source_port": "error", "target": "fallback"},
        ],
    )
    both = await run_both(cloud, graph, None, registry=registry)
    assert top_level(both.asl)["stuck"][2] == ("stuck", "Timeout", "timed out after 0.2s")
    assert_same(both)


def _delay(seconds: Any) -> Graph:
    return make_graph(
        [
            {"id": "start", "type": "trigger.manual"},
            {"id": "pause", "type": "logic.delay", "config": {"seconds": seconds}},
            {"id": "done", "type": "transform.pick", "config": {"query": "@"}},
        ],
        [{"source": "start", "target": "pause"}, {"source": "pause", "target": "done"}],
    )


@pytest.mark.parametrize("wait", [0.3, 99])
async def test_a_delay_is_a_wait_state_and_refuses_the_same(
    wait: float, cloud: LocalStepFunctions
) -> None:
    both = await run_both(cloud, _delay("{{ input.wait }}"), {"wait": wait})
    assert both.local.status == ("succeeded" if wait < 2 else "failed")
    assert_same(both)
    if both.asl.status == "succeeded":
        assert '"Type": "Wait"' in both.machine_json


async def test_a_distributed_map_answers_the_same(cloud: LocalStepFunctions) -> None:
    graph = load_graph_file(ROOT / "examples" / "foreach-fanout.graph.json")
    both = await run_both(
        cloud,
        graph,
        graph.metadata.get("sample_input"),
        workflow="standard",
        distributed_above={"each_line": 1},
    )
    assert '"Mode": "DISTRIBUTED"' in both.machine_json
    assert_same(both)


@pytest.mark.parametrize("workflow", ["express", "standard"])
async def test_both_workflow_types_answer_the_same(
    workflow: Any, cloud: LocalStepFunctions
) -> None:
    graph = load_graph_file(ROOT / "examples" / "lead-scoring.graph.json")
    lead = {"lead": {"email": "bob@example.com", "budget": 5000, "timeline": "someday"}}
    both = await run_both(cloud, graph, webhook_event(lead), workflow=workflow)
    assert_same(both)


async def test_every_node_reads_the_same_run(cloud: LocalStepFunctions) -> None:
    """Without an id or start time in its input, a run is the execution's name and start."""
    reads = [
        {"path": "id", "value": "{{ run.id }}"},
        {"path": "at", "value": "{{ run.started_at }}"},
    ]
    graph = make_graph(
        [
            {"id": "start", "type": "trigger.manual"},
            {"id": "first", "type": "transform.set", "config": {"fields": reads}},
            {"id": "then", "type": "transform.set", "config": {"fields": reads[1:]}},
        ],
        [{"source": "start", "target": "first"}, {"source": "first", "target": "then"}],
    )
    plan = build_plan(graph)
    arn = cloud.deploy(compile_asl(plan), make_state_handler(plan))
    result = await asyncio.to_thread(cloud.run, plan, arn, RunInput(trigger={}))
    first = result.node("first")
    assert first is not None
    assert first.outputs["out"]["id"] == result.run_id
    assert first.outputs["out"]["at"] == result.output["at"]
    given = await asyncio.to_thread(cloud.run, plan, arn, RunInput(id="run-7", trigger={}))
    assert given.output["id"] == "run-7"


async def test_node_ids_with_hyphens_and_underscores(cloud: LocalStepFunctions) -> None:
    """Ids go into JSONPaths as they are: ``[A-Za-z_][A-Za-z0-9_-]*`` needs no quoting."""
    graph = make_graph(
        [
            {"id": "_start", "type": "trigger.manual"},
            {"id": "for-each", "type": "logic.foreach", "config": {"items": "{{ input }}"}},
            {"id": "tag-it", "type": "transform.set", "parent": "for-each",
             "config": {"fields": [{"path": "seen", "value": "{{ nodes._start }}"}]}},
            {"id": "count-them", "type": "transform.pick", "config": {"query": "length(@)"}},
        ],
        [
            {"source": "_start", "target": "for-each"},
            {"source": "for-each", "source_port": "item", "target": "tag-it"},
            {"source": "tag-it", "target": "for-each", "target_port": "result"},
            {"source": "for-each", "target": "count-them"},
        ],
    )  # fmt: skip
    both = await run_both(cloud, graph, [{"a": 1}, {"a": 2}])
    assert both.local.output == 2
    assert_same(both)
