"""Express or Standard, with reasons a user reads; the user's choice wins and says its risk."""

from __future__ import annotations

from typing import Any

from nodes.registry import default_registry
from runtime.engine.asl.workflow import choose_workflow
from runtime.engine.compile import build_plan
from runtime.engine.plan import Plan
from tests.runtime.support import load_fixture, make_graph


def _with(node: dict[str, Any]) -> Plan:
    graph = make_graph(
        [{"id": "start", "type": "trigger.manual"}, node],
        [{"source": "start", "target": node["id"]}],
    )
    return build_plan(graph)


def _delay(seconds: Any, **settings: Any) -> Plan:
    node = {"id": "pause", "type": "logic.delay", "config": {"seconds": seconds}}
    return _with({**node, "settings": settings} if settings else node)


def test_a_short_graph_is_express_and_says_what_it_gives_up() -> None:
    choice = choose_workflow(build_plan(load_fixture("linear.graph.json")), default_registry())
    assert choice.type == "EXPRESS"
    assert "limit of 5 minutes" in choice.reasons[0]
    assert "exactly-once" in choice.reasons[1]


def test_a_long_delay_needs_standard() -> None:
    choice = choose_workflow(_delay(600), default_registry())
    assert choice.type == "STANDARD"
    assert choice.reasons == [
        "node 'pause' waits 600 s, longer than an Express execution may run (5 minutes)"
    ]


def test_a_short_delay_stays_express() -> None:
    assert choose_workflow(_delay(30), default_registry()).type == "EXPRESS"
    assert choose_workflow(_delay("45"), default_registry()).type == "EXPRESS"


def test_a_delay_computed_at_run_time_needs_standard() -> None:
    choice = choose_workflow(_delay("{{ input.wait }}"), default_registry())
    assert choice.type == "STANDARD"
    assert "computed at run time" in choice.reasons[0]


def test_timeouts_and_retries_on_the_longest_path_count() -> None:
    slow = {
        "id": "call",
        "type": "transform.pick",
        "config": {"query": "@"},
        "settings": {"timeout_seconds": 120, "retry": {"max_attempts": 3}},
    }
    choice = choose_workflow(_with(slow), default_registry())
    assert choice.type == "STANDARD"
    assert "the longest path may take 361.5 s" in choice.reasons[0]


def test_exactly_once_needs_standard() -> None:
    plan = build_plan(load_fixture("linear.graph.json"))
    choice = choose_workflow(plan, default_registry(), exactly_once=True)
    assert choice.type == "STANDARD"
    assert "exactly-once" in choice.reasons[0]


def test_the_users_choice_wins_and_names_the_risk() -> None:
    forced = choose_workflow(_delay(600), default_registry(), requested="EXPRESS")
    assert (forced.type, forced.requested) == ("EXPRESS", "EXPRESS")
    assert forced.reasons[0].startswith("EXPRESS was requested although Standard is needed")
    assert "waits 600 s" in forced.reasons[1]
    plan = build_plan(load_fixture("linear.graph.json"))
    asked = choose_workflow(plan, default_registry(), requested="STANDARD")
    assert asked.type == "STANDARD"
    assert asked.reasons[0].startswith("STANDARD was requested")
    same = choose_workflow(plan, default_registry(), requested="EXPRESS")
    assert same.requested is None  # asked for what it would have chosen anyway
