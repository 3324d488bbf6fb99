"""The executor: branches, concurrency, retries, timeouts, failures, cancellation, for-each.

Nothing here measures time. Concurrency is proven with two nodes that each wait for an event
the other sets (run one after the other, they would deadlock); timeouts are only used to make
something fail, never to assert how fast it was.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from nodes.registry import Registry
from runtime.core.graph import Graph
from runtime.core.options import RunOptions
from runtime.engine.compile import build_plan
from runtime.engine.executor import Executor
from runtime.engine.trace import RunResult
from tests.runtime.support import Board, load_fixture, make_graph

START = {"id": "start", "type": "trigger.manual"}
SAFETY = RunOptions(run_timeout_seconds=60)
"""Turns a deadlock into a failed assertion instead of a hung test; never expected to fire."""


def _graph(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> Graph:
    return make_graph([START, *nodes], edges)


def _after_start(*node_ids: str) -> list[dict[str, Any]]:
    return [{"source": "start", "target": n} for n in node_ids]


async def _run(
    graph: Graph,
    event: Any = None,
    registry: Registry | None = None,
    options: RunOptions = SAFETY,
) -> RunResult:
    return await Executor(build_plan(graph, registry), registry).run(event, options=options)


def _statuses(result: RunResult) -> dict[str, str]:
    return {t.node: t.status for t in result.trace if not t.iteration}


async def _fixture_run(name: str, event: Any = None) -> RunResult:
    return await _run(load_fixture(name), event)


# --- concurrency ------------------------------------------------------------------------------


async def test_independent_branches_run_concurrently(registry: Registry) -> None:
    graph = _graph(
        [
            {
                "id": "a",
                "type": "test.rendezvous",
                "config": {"signal": "a_started", "wait": "b_started"},
            },
            {
                "id": "b",
                "type": "test.rendezvous",
                "config": {"signal": "b_started", "wait": "a_started"},
            },
        ],
        _after_start("a", "b"),
    )
    result = await _run(graph, {"x": 1}, registry)
    assert result.status == "succeeded", result.error
    assert _statuses(result) == {"start": "ok", "a": "ok", "b": "ok"}
    assert result.output == {"a": {"x": 1}, "b": {"x": 1}}


@pytest.mark.parametrize(("limit", "peak"), [(None, 4), (2, 2), (1, 1)])
async def test_max_concurrency_caps_parallel_nodes(
    registry: Registry, limit: int | None, peak: int
) -> None:
    ids = [f"p{i}" for i in range(4)]
    graph = _graph([{"id": i, "type": "test.probe"} for i in ids], _after_start(*ids))
    options = RunOptions() if limit is None else RunOptions(max_concurrency=limit)
    result = await _run(graph, {}, registry, options)
    assert result.status == "succeeded"
    assert Board.peak == peak


# --- branches ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "ran", "skipped", "tier"),
    [(150, "gold", "basic", "gold"), (5, "basic", "gold", "basic")],
)
async def test_if_runs_only_the_branch_taken(
    amount: int, ran: str, skipped: str, tier: str
) -> None:
    result = await _fixture_run("if-branches.graph.json", {"amount": amount})
    assert result.status == "succeeded"
    statuses = _statuses(result)
    assert statuses[ran] == "ok"
    assert statuses[skipped] == "skipped"
    assert statuses["join"] == "ok"
    assert result.output == {"amount": amount, "tier": tier}
    assert result.node(skipped).attempts == 0  # type: ignore[union-attr]


async def test_node_the_validator_calls_unreachable_does_not_run() -> None:
    # The validator warns "no path from the trigger reaches this node; it will never run".
    graph = load_fixture("diagnostics/unreachable.graph.json")
    result = await _run(graph, {"a": 1})
    assert result.status == "succeeded"
    assert _statuses(result).get("orphan") in (None, "skipped")
    assert result.output == {"a": 1}  # the output of greet, the only sink that ran


async def test_disabled_node_passes_its_input_through() -> None:
    result = await _fixture_run("disabled-node.graph.json", {"a": 1})
    assert result.status == "succeeded"
    muted = result.node("muted")
    assert muted is not None
    assert muted.status == "disabled"
    assert muted.outputs == {"out": {"a": 1}}
    assert result.output == {"a": 1, "after": True}


async def test_respond_node_output_is_the_run_output() -> None:
    event = {"method": "POST", "path": "/", "headers": {}, "query": {}, "body": {"name": "Ada"}}
    result = await _fixture_run("webhook-respond.graph.json", event)
    assert result.status == "succeeded"
    assert result.output == {
        "status": 201,
        "headers": {"content-type": "application/json", "x-greeted": "Ada"},
        "body": {"greeting": "Hello Ada"},
    }


async def test_executor_runs_are_independent() -> None:
    executor = Executor(build_plan(load_fixture("if-branches.graph.json")))
    first, second = await asyncio.gather(executor.run({"amount": 500}), executor.run({"amount": 1}))
    assert first.output["tier"] == "gold"
    assert second.output["tier"] == "basic"
    assert first.run_id != second.run_id


# --- retries and timeouts ---------------------------------------------------------------------


def _flaky(failures: int, attempts: int, **settings: Any) -> Graph:
    return _graph(
        [
            {
                "id": "flaky",
                "type": "test.flaky",
                "config": {"failures": failures},
                "settings": {"retry": {"max_attempts": attempts, "backoff_seconds": 0}, **settings},
            }
        ],
        _after_start("flaky"),
    )


async def test_retry_until_success(registry: Registry) -> None:
    result = await _run(_flaky(failures=2, attempts=3), {"x": 1}, registry)
    assert result.status == "succeeded"
    flaky = result.node("flaky")
    assert flaky is not None
    assert (flaky.status, flaky.attempts) == ("ok", 3)
    assert result.output == {"attempt": 3, "input": {"x": 1}}


async def test_retries_exhausted(registry: Registry) -> None:
    result = await _run(_flaky(failures=5, attempts=3), {}, registry)
    assert result.status == "failed"
    assert result.node("flaky").attempts == 3  # type: ignore[union-attr]
    assert Board.calls["flaky"] == 3
    assert result.error is not None
    assert result.error.message == "attempt 3 failed"


async def test_expression_errors_are_not_retried() -> None:
    graph = _graph(
        [
            {
                "id": "split",
                "type": "transform.set",
                "settings": {"retry": {"max_attempts": 3, "backoff_seconds": 0}},
                "config": {"fields": [{"path": "parts", "value": "{{ split(input.name, '') }}"}]},
            }
        ],
        _after_start("split"),
    )
    result = await _run(graph, {"name": "a,b"})
    assert result.status == "failed"
    assert result.error is not None
    assert result.error.type == "ExpressionError"
    assert result.node("split").attempts == 1  # type: ignore[union-attr]


async def test_node_timeout_fails_the_node_with_a_message_saying_so(registry: Registry) -> None:
    graph = _graph(
        [
            {
                "id": "stuck",
                "type": "test.rendezvous",
                "config": {"wait": "never"},
                "settings": {"timeout_seconds": 0.05},
            }
        ],
        _after_start("stuck"),
    )
    result = await _run(graph, {}, registry)
    assert result.status == "failed"
    assert result.error is not None
    assert result.error.node == "stuck"
    assert result.error.type == "Timeout"
    assert "timed out after 0.05s" in result.error.message


async def test_each_attempt_has_its_own_timeout(registry: Registry) -> None:
    graph = _graph(
        [
            {
                "id": "stuck",
                "type": "test.rendezvous",
                "config": {"wait": "never"},
                "settings": {
                    "timeout_seconds": 0.02,
                    "retry": {"max_attempts": 2, "backoff_seconds": 0},
                },
            }
        ],
        _after_start("stuck"),
    )
    result = await _run(graph, {}, registry)
    assert result.node("stuck").attempts == 2  # type: ignore[union-attr]
    assert Board.calls["stuck"] == 2


# --- failures ---------------------------------------------------------------------------------


async def test_wired_error_port_turns_a_failure_into_data() -> None:
    result = await _fixture_run("error-port.graph.json", [1, 2])
    assert result.status == "succeeded"
    strict = result.node("strict")
    assert strict is not None
    assert (strict.status, strict.handled) == ("failed", True)
    statuses = _statuses(result)
    assert statuses["after"] == "skipped"
    assert statuses["recover"] == "ok"
    payload = result.output
    assert payload["node"] == "strict"
    assert "expected an object" in payload["message"]
    assert payload["type"] == "NodeRunError"
    assert payload["attempts"] == 1
    assert payload["input"] == [1, 2]
    assert payload["recovered"] is True


async def test_wired_error_port_stays_quiet_when_nothing_fails() -> None:
    result = await _fixture_run("error-port.graph.json", {"a": 1})
    assert _statuses(result)["recover"] == "skipped"
    assert result.output == {"a": 1, "seen": True, "after": True}


async def test_unwired_failure_fails_the_run_and_stops_downstream() -> None:
    result = await _fixture_run("unwired-failure.graph.json", [1, 2])
    assert result.status == "failed"
    assert result.output is None
    assert result.error is not None
    assert result.error.node == "strict"
    assert "expected an object" in result.error.message
    assert _statuses(result).get("after") in (None, "skipped")


async def test_failure_in_one_branch_cancels_the_other(registry: Registry) -> None:
    graph = _graph(
        [
            {
                "id": "slow",
                "type": "test.rendezvous",
                "config": {"signal": "slow_started", "wait": "never"},
            },
            {"id": "gate", "type": "test.rendezvous", "config": {"wait": "slow_started"}},
            {"id": "broken", "type": "test.raise"},
        ],
        [*_after_start("slow", "gate"), {"source": "gate", "target": "broken"}],
    )
    result = await _run(graph, {}, registry)
    assert result.status == "failed"
    assert result.error is not None
    assert result.error.node == "broken"
    assert _statuses(result)["slow"] == "cancelled"


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        ("zero_division", "ZeroDivisionError"),
        ("recursion", "RecursionError"),
        ("key_error", "KeyError"),
    ],
)
async def test_arbitrary_exceptions_become_a_failed_node(
    registry: Registry, error: str, kind: str
) -> None:
    graph = _graph(
        [
            {"id": "broken", "type": "test.raise", "config": {"error": error}},
            {"id": "after", "type": "test.flaky"},
        ],
        [*_after_start("broken"), {"source": "broken", "target": "after"}],
    )
    executor = Executor(build_plan(graph, registry), registry)
    result = await executor.run({})
    assert result.status == "failed"
    assert result.error is not None
    assert (result.error.node, result.error.type) == ("broken", kind)
    assert kind in result.error.message
    assert Board.calls["after"] == 0
    # The executor is still usable afterwards.
    assert (await executor.run({})).status == "failed"


@pytest.mark.parametrize(
    ("shape", "fragment"), [("list", "returned list, not a dict"), ("unknown_port", "surprise")]
)
async def test_node_breaking_the_output_contract_fails(
    registry: Registry, shape: str, fragment: str
) -> None:
    graph = _graph(
        [{"id": "odd", "type": "test.bad_output", "config": {"shape": shape}}], _after_start("odd")
    )
    result = await _run(graph, {}, registry)
    assert result.status == "failed"
    assert result.error is not None
    assert result.error.type == "ContractError"
    assert fragment in result.error.message


# --- cancellation and run timeout -------------------------------------------------------------


def _stuck_graph() -> Graph:
    return _graph(
        [
            {
                "id": "stuck",
                "type": "test.rendezvous",
                "config": {"signal": "stuck_started", "wait": "never"},
            },
            {"id": "after", "type": "test.flaky"},
        ],
        [*_after_start("stuck"), {"source": "stuck", "target": "after"}],
    )


async def test_cancel_stops_the_run_and_marks_the_running_node(registry: Registry) -> None:
    handle = Executor(build_plan(_stuck_graph(), registry), registry).start({"x": 1})
    await Board.events["stuck_started"].wait()
    handle.cancel()
    result = await handle.result()
    assert result.status == "cancelled"
    assert result.run_id == handle.run_id
    assert _statuses(result) == {"start": "ok", "stuck": "cancelled"}
    assert Board.calls["after"] == 0


async def test_cancel_inside_a_foreach_body(registry: Registry) -> None:
    graph = _graph(
        [
            {"id": "each", "type": "logic.foreach", "config": {"items": "{{ input }}"}},
            {
                "id": "stuck",
                "type": "test.rendezvous",
                "parent": "each",
                "config": {"signal": "item_{{ index }}", "wait": "never"},
            },
        ],
        [
            *_after_start("each"),
            {"source": "each", "source_port": "item", "target": "stuck"},
            {"source": "stuck", "target": "each", "target_port": "result"},
        ],
    )
    handle = Executor(build_plan(graph, registry), registry).start([1, 2, 3])
    await Board.events["item_0"].wait()
    handle.cancel()
    result = await handle.result()
    assert result.status == "cancelled"
    assert [(t.node, t.iteration, t.status) for t in result.trace if t.node != "start"] == [
        ("stuck", [0], "cancelled"),
        ("each", [], "cancelled"),
    ]


async def test_run_timeout_stops_the_run(registry: Registry) -> None:
    options = RunOptions(run_timeout_seconds=0.05)
    result = await _run(_stuck_graph(), {}, registry, options)
    assert result.status == "timed_out"
    assert result.error is not None
    assert result.error.type == "Timeout"
    assert "run timed out after 0.05s" in result.error.message
    assert _statuses(result) == {"start": "ok", "stuck": "cancelled"}


async def test_run_timeout_names_the_node_that_was_still_running(registry: Registry) -> None:
    result = await _run(_stuck_graph(), {}, registry, RunOptions(run_timeout_seconds=0.05))
    assert result.error is not None
    assert result.error.node == "stuck"
    assert "still running: stuck" in result.error.message


# --- for-each ---------------------------------------------------------------------------------


def _foreach_graph(concurrency: int, body_type: str, body_config: dict[str, Any]) -> Graph:
    return _graph(
        [
            {
                "id": "each",
                "type": "logic.foreach",
                "config": {"items": "{{ input }}", "concurrency": concurrency},
            },
            {"id": "body", "type": body_type, "parent": "each", "config": body_config},
        ],
        [
            *_after_start("each"),
            {"source": "each", "source_port": "item", "target": "body"},
            {"source": "body", "target": "each", "target_port": "result"},
        ],
    )


async def test_foreach_items_run_concurrently(registry: Registry) -> None:
    graph = _foreach_graph(
        2, "test.rendezvous", {"signal": "{{ item.me }}", "wait": "{{ item.other }}"}
    )
    items = [{"me": "first", "other": "second"}, {"me": "second", "other": "first"}]
    result = await _run(graph, items, registry)
    assert result.status == "succeeded", result.error
    assert result.output == items


@pytest.mark.parametrize("concurrency", [1, 3])
async def test_foreach_concurrency_is_a_cap(registry: Registry, concurrency: int) -> None:
    graph = _foreach_graph(concurrency, "test.probe", {})
    result = await _run(graph, list(range(6)), registry)
    assert result.output == list(range(6))  # results keep item order
    assert Board.peak == concurrency


async def _item_error_run(mode: str) -> RunResult:
    graph = load_fixture("foreach-item-error.graph.json")
    graph.node("each").config["on_item_error"] = mode  # type: ignore[union-attr]
    return await _run(graph, {"items": [{"a": 1}, 5, {"a": 3}]})


async def test_foreach_item_error_fail() -> None:
    result = await _item_error_run("fail")
    assert result.status == "failed"
    assert result.error is not None
    assert result.error.node == "each"
    assert "item 1" in result.error.message
    assert "'tag'" in result.error.message


async def test_foreach_item_error_skip() -> None:
    result = await _item_error_run("skip")
    assert result.status == "succeeded"
    assert result.output == [{"a": 1, "tagged": True}, {"a": 3, "tagged": True}]


async def test_foreach_item_error_collect() -> None:
    result = await _item_error_run("collect")
    assert result.status == "succeeded"
    first, failed, last = result.output
    assert first == {"a": 1, "tagged": True}
    assert failed["index"] == 1
    assert "expected an object" in failed["error"]
    assert last == {"a": 3, "tagged": True}


async def test_failed_foreach_leaves_nothing_running(registry: Registry) -> None:
    # Item 0 fails while item 1 is still waiting: once the run has failed, item 1 must not
    # go on running (and calling APIs) behind the caller's back.
    graph = _graph(
        [
            {
                "id": "each",
                "type": "logic.foreach",
                "config": {"items": "{{ input }}", "concurrency": 2},
            },
            {
                "id": "gate",
                "type": "test.rendezvous",
                "parent": "each",
                "config": {"signal": "{{ item.signal }}", "wait": "{{ item.wait }}"},
            },
            {"id": "check", "type": "test.flaky", "parent": "each", "config": {"failures": 1}},
        ],
        [
            *_after_start("each"),
            {"source": "each", "source_port": "item", "target": "gate"},
            {"source": "gate", "target": "check"},
            {"source": "check", "target": "each", "target_port": "result"},
        ],
    )
    items = [{"signal": "first", "wait": ""}, {"signal": "second", "wait": "never"}]
    before = asyncio.all_tasks()
    result = await _run(graph, items, registry)
    assert result.status == "failed"
    for _ in range(10):
        await asyncio.sleep(0)
    assert asyncio.all_tasks() - before == set()


async def test_nested_foreach() -> None:
    rows = {"rows": [{"cells": [{"v": 1}, {"v": 2}]}, {"cells": [{"v": 3}]}]}
    result = await _fixture_run("nested-foreach.graph.json", rows)
    assert result.status == "succeeded"
    assert result.output == [[{"v": 1, "col": 0}, {"v": 2, "col": 1}], [{"v": 3, "col": 0}]]
    marks = sorted(t.iteration for t in result.trace if t.node == "mark")
    assert marks == [[0, 0], [0, 1], [1, 0]]
    assert sorted(t.iteration for t in result.trace if t.node == "cells") == [[0], [1]]


async def test_foreach_body_with_a_branch() -> None:
    leads = {"leads": [{"amount": 5}, {"amount": 500}, {"amount": 100}]}
    result = await _fixture_run("foreach-branch.graph.json", leads)
    assert result.status == "succeeded"
    assert result.output == {
        "gold": [
            {"amount": 500, "tier": "gold", "pos": 1},
            {"amount": 100, "tier": "gold", "pos": 2},
        ],
        "count": 2,
    }
    skipped = [t.iteration for t in result.trace if t.node == "tag" and t.status == "skipped"]
    assert skipped == [[0]]


# --- one attempt of one node, for hosts that keep the run (run_attempt) -----------------------


async def test_run_attempt_says_whether_a_failure_is_worth_another_try(registry: Registry) -> None:
    graph = _graph(
        [
            {"id": "flaky", "type": "test.raise", "config": {"error": "run_error"}},
            {"id": "contract", "type": "test.bad_output"},
        ],
        _after_start("flaky", "contract"),
    )
    executor = Executor(build_plan(graph, registry), registry)
    upstream = {"start": {"out": 1}}
    flaky = await executor.run_attempt("flaky", upstream=upstream)
    assert (flaky.trace.status, flaky.retry) == ("failed", True)
    broken = await executor.run_attempt("contract", upstream=upstream)
    assert (broken.trace.status, broken.retry) == ("failed", False)
    assert broken.trace.error is not None
    assert broken.trace.error.type == "ContractError"


async def test_run_attempt_never_retries_an_expression_error() -> None:
    graph = _graph(
        [{"id": "pick", "type": "transform.pick", "config": {"query": "length(@)"}}],
        _after_start("pick"),
    )
    done = await Executor(build_plan(graph)).run_attempt("pick", upstream={"start": {"out": 3}})
    assert done.trace.status == "failed"
    assert done.trace.error is not None
    assert (done.trace.error.type, done.retry) == ("ExpressionError", False)


async def test_run_attempt_reads_the_view_and_run_it_is_given() -> None:
    graph = _graph(
        [
            {
                "id": "say",
                "type": "transform.set",
                "config": {
                    "fields": [
                        {"path": "seen", "value": "{{ nodes.start }}"},
                        {"path": "at", "value": "{{ run.started_at }}"},
                    ]
                },
            }
        ],
        _after_start("say"),
    )
    done = await Executor(build_plan(graph)).run_attempt(
        "say",
        upstream={"start": {"out": {"a": 1}}},
        view={"start": "from the view"},
        started_at="2026-01-01T00:00:00+00:00",
    )
    assert done.outputs["out"]["seen"] == "from the view"
    assert done.outputs["out"]["at"] == "2026-01-01T00:00:00+00:00"


async def test_run_attempt_runs_a_containers_body_it_is_given() -> None:
    plan = build_plan(load_fixture("foreach-branch.graph.json"))

    async def doubled(item: Any, index: int) -> tuple[bool, Any]:
        return index != 1, item["amount"] * 2

    leads = {"leads": [{"amount": 5}, {"amount": 500}, {"amount": 100}]}
    done = await Executor(plan).run_attempt(
        "each", upstream={"start": {"out": leads}}, body=doubled
    )
    assert done.outputs == {"out": [10, 200]}
