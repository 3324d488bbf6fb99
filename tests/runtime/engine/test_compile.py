"""Compiling: a valid graph becomes a plan with levels and wiring; an invalid one never does."""

from __future__ import annotations

import pytest

from runtime.core.canonical import graph_hash
from runtime.core.errors import CompileError
from runtime.core.load import load_graph
from runtime.engine.compile import build_plan
from runtime.engine.plan import Plan, Wire
from tests.runtime.support import load_fixture


def test_levels_group_nodes_that_can_run_together() -> None:
    plan = build_plan(load_fixture("diamond.graph.json"))
    assert plan.trigger == "start"
    assert plan.root.levels == [["start"], ["left", "right"], ["join"], ["count"]]
    assert plan.root.order == ["start", "left", "right", "join", "count"]


def test_every_node_runs_after_its_inputs() -> None:
    plan = build_plan(load_fixture("if-branches.graph.json"))
    position = {node: i for i, node in enumerate(plan.root.order)}
    for step in plan.steps.values():
        for wire in step.inputs:
            assert position[wire.source] < position[step.node]


def test_steps_carry_wiring_branches_and_config() -> None:
    plan = build_plan(load_fixture("if-branches.graph.json"))
    check = plan.steps["check"]
    assert check.branches == {"false": ["basic"], "true": ["gold"]}
    assert plan.steps["join"].inputs == [
        Wire(source="gold", source_port="out", target="join", target_port="in_1"),
        Wire(source="basic", source_port="out", target="join", target_port="in_2"),
    ]
    assert plan.steps["join"].config == {"mode": "first"}
    assert not check.handles_errors


def test_error_port_wiring_is_recorded() -> None:
    plan = build_plan(load_fixture("error-port.graph.json"))
    assert plan.steps["strict"].handles_errors
    assert plan.steps["strict"].branches == {"error": ["recover"], "out": ["after"]}


def test_foreach_body_is_planned_as_its_own_scope() -> None:
    plan = build_plan(load_fixture("foreach-branch.graph.json"))
    assert plan.root.order == ["start", "each", "done"]
    body = plan.bodies["each"]
    assert body.order == ["big", "tag"]
    assert body.results == [
        Wire(source="tag", source_port="out", target="each", target_port="result")
    ]
    assert plan.steps["tag"].scope == "each"


def test_nested_bodies() -> None:
    plan = build_plan(load_fixture("nested-foreach.graph.json"))
    assert plan.bodies["rows"].order == ["cells"]
    assert plan.bodies["cells"].order == ["mark"]


def test_responders_are_listed() -> None:
    plan = build_plan(load_fixture("webhook-respond.graph.json"))
    assert plan.responders == ["reply"]


def test_invalid_graph_raises_compile_error_with_every_diagnostic() -> None:
    with pytest.raises(CompileError) as info:
        build_plan(load_fixture("diagnostics/cycle.graph.json"))
    error = info.value
    assert [d.code for d in error.diagnostics] == ["graph.cycle"]
    assert "graph.cycle" in str(error)
    assert "1 error(s)" in str(error)


def test_warnings_alone_do_not_stop_compilation() -> None:
    plan = build_plan(load_fixture("diagnostics/expression-not-upstream.graph.json"))
    assert set(plan.steps) == {"start", "greet", "later"}


def test_graph_without_trigger_does_not_compile() -> None:
    with pytest.raises(CompileError) as info:
        build_plan(load_fixture("diagnostics/no-trigger.graph.json"))
    assert "graph.no_trigger" in [d.code for d in info.value.diagnostics]


def test_plan_is_deterministic_and_serializable() -> None:
    graph = load_fixture("foreach-branch.graph.json")
    first = build_plan(graph)
    again = build_plan(load_graph(graph.to_json()))
    assert first == again
    assert Plan.model_validate_json(first.model_dump_json()) == first


def test_graph_hash_follows_content() -> None:
    graph = load_fixture("linear.graph.json")
    same = load_graph(graph.to_json())
    assert graph_hash(graph) == graph_hash(same)
    changed = graph.model_copy(deep=True)
    changed.nodes[1].config["fields"][0]["value"] = "Hi {{ input.lead.name }}"
    assert graph_hash(changed) != graph_hash(graph)
    assert build_plan(changed).graph_hash == graph_hash(changed)
