"""Pinned data and "re-run from this node": what a builder user iterates with."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from runtime.core.graph import Graph
from runtime.core.load import load_graph_file
from runtime.core.pins import rerun_pins
from runtime.engine.compile import build_plan
from runtime.engine.executor import Executor
from runtime.engine.trace import TRACE

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
HOT = {
    "body": {
        "lead": {
            "email": "ada@example.com",
            "name": "Ada",
            "budget": 45000,
            "timeline": "this_month",
            "source": "web",
        }
    }
}


def _example(name: str) -> Graph:
    return load_graph_file(EXAMPLES / f"{name}.graph.json")


def _statuses(trace: list[Any]) -> dict[str, str]:
    return {t.node: t.status for t in trace}


async def test_a_pinned_node_is_not_run_and_its_pinned_output_flows_on() -> None:
    graph = _example("lead-scoring")
    first = await Executor(build_plan(graph)).run(HOT)
    scored = next(t for t in first.trace if t.node == "score").outputs
    # Pin the score to a cold lead's: the graph must now route cold, whatever the input says.
    cold = json.loads(json.dumps(scored))
    cold["out"]["score"] = 10
    result = await Executor(build_plan(graph)).run(HOT, pins={"score": cold})
    statuses = _statuses(result.trace)
    assert statuses["score"] == "pinned"
    assert statuses["cold"] == "ok"
    assert statuses["hot"] == "skipped"
    assert result.output["body"]["tier"] == "cold"
    pinned = next(t for t in result.trace if t.node == "score")
    assert pinned.outputs == cold
    assert pinned.inputs  # what arrived is still shown


async def test_a_pinned_trigger_replaces_the_event() -> None:
    graph = _example("lead-scoring")
    first = await Executor(build_plan(graph)).run(HOT)
    hook = next(t for t in first.trace if t.node == "hook").outputs
    result = await Executor(build_plan(graph)).run({"body": {}}, pins={"hook": hook})
    assert result.status == "succeeded"
    assert result.output["body"]["score"] == 85


async def test_pins_for_unknown_nodes_are_refused_by_name() -> None:
    executor = Executor(build_plan(_example("lead-scoring")))
    with pytest.raises(KeyError, match="nope"):
        await executor.run(HOT, pins={"nope": {}})


async def test_rerun_pins_cover_exactly_the_nodes_outside_the_downstream_cone() -> None:
    graph = _example("lead-scoring")
    first = await Executor(build_plan(graph)).run(HOT)
    trace = TRACE.dump_python(first.trace, mode="json")
    pins = rerun_pins(graph, trace, "route")
    # hook, points and score are upstream; warm and cold were skipped last time (not reusable).
    assert set(pins) == {"hook", "points", "score"}
    rerun = await Executor(build_plan(graph)).run(None, pins=pins)
    statuses = _statuses(rerun.trace)
    assert [statuses[n] for n in ("hook", "points", "score")] == ["pinned"] * 3
    assert statuses["route"] == statuses["hot"] == statuses["reply"] == "ok"
    assert rerun.output == first.output


async def test_rerun_from_a_body_node_reruns_its_container() -> None:
    graph = _example("foreach-fanout")
    body = [n for n in graph.nodes if n.parent is not None]
    assert body, "the example has a for-each body"
    container = str(body[0].parent)
    first = await Executor(build_plan(graph)).run(graph.metadata.get("sample_input"))
    assert first.status == "succeeded"
    trace = TRACE.dump_python(first.trace, mode="json")
    pins = rerun_pins(graph, trace, body[0].id)
    assert pins, "the trigger upstream of the container is pinned"
    assert container not in pins
    assert not {n.id for n in body} & set(pins)
    rerun = await Executor(build_plan(graph)).run(None, pins=pins)
    assert rerun.output == first.output
    with pytest.raises(KeyError):
        rerun_pins(graph, trace, "missing")


async def test_a_run_whose_respond_never_ran_is_not_a_success() -> None:
    """Issue 14.1: a failed trigger pinned as ``{}`` skipped everything downstream, and the
    run still said "succeeded" with output ``{}`` although the caller was never answered."""
    graph = _example("lead-scoring")
    refused = await Executor(build_plan(graph)).run({"body": {"lead": {}}})
    assert refused.status == "failed"
    assert refused.error is not None
    assert refused.error.node == "hook"
    failed_hook = next(t for t in refused.trace if t.node == "hook").outputs
    result = await Executor(build_plan(graph)).run(HOT, pins={"hook": failed_hook})
    assert _statuses(result.trace)["reply"] == "skipped"
    assert result.status == "failed"
    assert result.output is None
    assert result.error is not None
    assert result.error.node == "reply"
    assert "no Respond node ran" in result.error.message


async def test_a_graph_without_an_http_trigger_still_succeeds_without_responding() -> None:
    graph = _example("foreach-fanout")
    result = await Executor(build_plan(graph)).run(graph.metadata.get("sample_input"))
    assert result.status == "succeeded"
