"""The state handler alone, called as a Task would call it: one attempt of one node."""

from __future__ import annotations

from typing import Any

import pytest

from nodes.registry import Registry
from runtime.engine.asl.contract import NODE_FAILED, NodeAttemptFailed, RunInput
from runtime.engine.asl.handler import make_state_handler
from runtime.engine.compile import build_plan
from tests.runtime.support import Board, load_fixture, make_graph

START = {"id": "start", "type": "trigger.manual"}


def _event(node: str, nodes: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "node": node,
        "run": RunInput(id="r").model_dump(mode="json"),
        "nodes": nodes or {},
        **extra,
    }


def _ran(node: str, out: dict[str, Any]) -> dict[str, Any]:
    return {"node": node, "status": "ok", "out": out, "port": next(iter(out), None)}


def test_a_node_answers_with_its_record() -> None:
    handler = make_state_handler(build_plan(load_fixture("linear.graph.json")))
    lead = {"lead": {"name": "Ada"}}
    record = handler(_event("greet", {"start": _ran("start", {"out": lead})}), None)
    assert record["node"] == "greet"
    assert (record["status"], record["port"], record["attempts"]) == ("ok", "out", 1)
    assert record["out"]["out"]["greeting"] == "Hello Ada"


def test_a_node_none_of_whose_inputs_fired_is_skipped() -> None:
    handler = make_state_handler(build_plan(load_fixture("linear.graph.json")))
    skipped = {"node": "start", "status": "skipped", "out": {}}
    assert handler(_event("greet", {"start": skipped}), None)["status"] == "skipped"


def _flaky(registry: Registry, attempts: int, *, handled: bool = False) -> Any:
    nodes: list[dict[str, Any]] = [
        START,
        {"id": "call", "type": "test.flaky", "config": {"failures": 9},
         "settings": {"retry": {"max_attempts": attempts}}},
    ]  # fmt: skip
    edges = [{"source": "start", "target": "call"}]
    if handled:
        nodes.append({"id": "fallback", "type": "test.probe"})
        edges.append({"source": "call", "source_port": "error", "target": "fallback"})
    return make_state_handler(build_plan(make_graph(nodes, edges), registry), registry)


def test_a_failed_attempt_the_policy_allows_again_is_raised_for_the_retry(
    registry: Registry,
) -> None:
    handler = _flaky(registry, attempts=3, handled=True)
    upstream = {"start": _ran("start", {"out": 1})}
    for attempt in (0, 1):
        with pytest.raises(NodeAttemptFailed, match=f"attempt {attempt + 1} failed"):
            handler(_event("call", upstream, attempt=attempt), None)
    last = handler(_event("call", upstream, attempt=2), None)
    assert (last["status"], last["handled"], last["attempts"]) == ("failed", True, 3)
    assert last["out"]["error"]["attempts"] == 3  # as in-process: the attempts made
    assert Board.calls["call"] == 3


def test_a_delay_reports_its_wait_instead_of_sleeping() -> None:
    graph = make_graph(
        [START, {"id": "pause", "type": "logic.delay", "config": {"seconds": "{{ input }}"}}],
        [{"source": "start", "target": "pause"}],
    )
    handler = make_state_handler(build_plan(graph))
    record = handler(_event("pause", {"start": _ran("start", {"out": 2.5})}), None)
    assert (record["status"], record["wait"], record["out"]) == ("ok", 3, {"out": 2.5})
    too_long = handler(_event("pause", {"start": _ran("start", {"out": 5000})}), None)
    assert too_long["status"] == "failed"
    assert "longer than this workspace allows" in too_long["error"]["message"]


def test_a_foreach_lists_its_items_then_collects_what_the_map_found() -> None:
    handler = make_state_handler(build_plan(load_fixture("foreach-item-error.graph.json")))
    items = [{"a": 1}, 5]
    upstream = {"start": _ran("start", {"out": {"items": items}})}
    listed = handler(_event("each", upstream, phase="items"), None)
    assert listed["out"] == {"out": items}
    each = [
        {"fired": True, "value": {"a": 1, "tagged": True},
         "nodes": {"tag": {"node": "tag", "status": "ok"}}},
        {"failure": {"node": "tag", "message": "boom", "type": "NodeRunError", "index": 1},
         "nodes": {"tag": {"node": "tag", "status": "failed"}}},
    ]  # fmt: skip
    own = {**listed, "each": each}
    collected = handler(_event("each", {**upstream, "each": own}, phase="collect"), None)
    assert collected["status"] == "failed"
    assert collected["error"]["message"] == "item 1: node 'tag' failed: boom"
    assert [(e["node"], e["iteration"], e["status"]) for e in collected["body"]] == [
        ("tag", [0], "ok"),
        ("tag", [1], "failed"),
    ]


def test_a_map_that_failed_on_an_item_fails_the_foreach_the_same_way() -> None:
    handler = make_state_handler(build_plan(load_fixture("foreach-item-error.graph.json")))
    upstream = {"start": _ran("start", {"out": {"items": [1, 2, 3]}})}
    cause = '{"node":"tag","message":"boom","type":"NodeRunError","index":2}'
    own = {"node": "each", "status": "ok", "each": {"Error": NODE_FAILED, "Cause": cause}}
    collected = handler(_event("each", {**upstream, "each": own}, phase="collect"), None)
    assert collected["error"]["message"] == "item 2: node 'tag' failed: boom"


def test_an_event_the_handler_cannot_read_is_an_error_not_an_answer() -> None:
    handler = make_state_handler(build_plan(load_fixture("linear.graph.json")))
    with pytest.raises(KeyError):
        handler(_event("ghost"), None)
    with pytest.raises(ValueError, match="phase"):
        handler(_event("greet", phase="later"), None)
