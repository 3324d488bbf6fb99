"""How the builder reads a test run (pure helpers behind the Run panel and the badges)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from builder.canvas import flow
from builder.views.run_view import (
    InputError,
    node_results,
    parse_sample,
    pin_refusal,
    pretty,
    with_run,
)
from runtime.core.load import load_graph_file

TRACE: list[dict[str, Any]] = [
    {"node": "hook", "type": "trigger.webhook", "status": "pinned", "outputs": {"out": {"a": 1}}},
    {"node": "score", "type": "transform.set", "status": "ok", "duration_ms": 1.234,
     "inputs": {"in": {"a": 1}}, "outputs": {"out": {"score": 85}}},
    {"node": "each", "type": "loop.foreach", "status": "ok"},
    {"node": "body", "type": "transform.set", "status": "ok", "iteration": [0]},
    {"node": "body", "type": "transform.set", "status": "failed", "iteration": [1],
     "error": {"node": "body", "message": "boom", "type": "NodeError"}, "handled": True},
    {"_truncated": True, "bytes": 10, "dropped_entries": 2},
]  # fmt: skip


def test_one_result_per_node_with_the_last_iteration_and_a_count() -> None:
    results = node_results(TRACE)
    assert set(results) == {"hook", "score", "each", "body"}
    assert results["score"].outputs == {"out": {"score": 85}}
    assert results["score"].duration_ms == pytest.approx(1.234)
    assert results["body"].iterations == 2
    assert results["body"].status == "failed"
    assert results["body"].error == "boom"
    assert results["body"].handled


def test_badges_follow_the_run_and_are_cleared_by_the_next() -> None:
    graph = load_graph_file(Path("examples/lead-scoring.graph.json").resolve())
    nodes, _ = flow.graph_to_flow(graph)
    trace: list[dict[str, Any]] = [
        {"node": "hook", "status": "pinned"},
        {"node": "points", "status": "ok", "duration_ms": 0.5},
        {"node": "route", "status": "failed", "error": {"node": "route", "message": "no case"}},
        {"node": "hot", "status": "skipped"},
    ]
    ran = flow.with_statuses(with_run(nodes, node_results(trace)), [])
    by_id = {n["id"]: n["data"] for n in ran}
    assert by_id["points"]["status"] == "ok"
    assert by_id["points"]["runMs"] == 0.5
    assert by_id["route"]["status"] == "failed"
    assert by_id["route"]["statusText"] == "the last run failed here: no case"
    assert by_id["hook"]["runStatus"] == "pinned"
    assert by_id["hook"]["status"] == "pinned"
    assert by_id["hot"]["status"] == "skipped"
    assert "runStatus" not in by_id["reply"]  # not reached
    cleared = with_run(ran, {})
    assert all("runStatus" not in n["data"] for n in cleared)


def test_only_an_output_a_node_produced_can_be_pinned() -> None:
    """Issue 14.1: pinning a failed node pinned ``{}`` and the next run "succeeded"."""
    trace: list[dict[str, Any]] = [
        {"node": "hook", "status": "failed", "error": {"node": "hook", "message": "no email"}},
        {"node": "score", "status": "ok", "outputs": {"out": {"score": 85}}},
        {"node": "body", "status": "failed", "handled": True, "outputs": {"error": {"m": 1}}},
        {"node": "cold", "status": "skipped"},
    ]
    results = node_results(trace)
    refusal = pin_refusal(results["hook"])
    assert refusal is not None
    assert "failed" in refusal
    assert "no email" in refusal
    assert pin_refusal(results["cold"]) == (
        "It did not run in the last run: there is nothing to pin."
    )
    assert pin_refusal(results["score"]) is None
    assert pin_refusal(results["body"]) is None  # a handled failure's error port fired


def test_sample_input_is_strict_json_with_a_located_error() -> None:
    assert parse_sample("") is None
    assert parse_sample(' {"lead": {"budget": 45000}} ') == {"lead": {"budget": 45000}}
    with pytest.raises(InputError, match="line 2, column"):
        parse_sample('{"a": 1,\n }')
    with pytest.raises(InputError, match="NaN"):
        parse_sample('{"a": NaN}')
    with pytest.raises(InputError, match="nested"):
        parse_sample("[" * 100_000 + "]" * 100_000)


def test_pretty_keeps_text_readable_and_bounded() -> None:
    assert pretty({"name": "Zoë"}) == '{\n  "name": "Zoë"\n}'
    long = pretty({"x": "a" * 50_000})
    assert len(long) < 21_000
    assert long.endswith("more characters)")
