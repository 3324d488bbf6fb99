"""Validate + compile time for 100, 1,000 and 10,000-node graphs, and how it grows.

The graphs look like real workflows: a webhook trigger with declared body fields, a set node
that normalizes the request, then a chain of branch blocks
``if → (set → template | set → template) → merge(first)`` whose templates read the trigger's
output through ``{{ nodes.hook.… }}`` and carry per-node literal text, padding set nodes to
the exact size, and an ``http.respond`` at the end.

Measured: ``analyze`` + ``plan_from_analysis`` (what ``build_plan`` does), and separately
``build_bundle``. Baseline: ``Graph.model_validate`` of the same document, i.e. just parsing
it. Expression caches are cleared before every timed run so each run is as cold as a fresh
``auterity compile`` process.
"""

from __future__ import annotations

import gc
from typing import Any

from bench.report import INFO, Row, fmt_seconds, measure, verdict
from runtime.core import expr
from runtime.core.graph import Graph
from runtime.engine.bundle import build_bundle
from runtime.engine.compile import plan_from_analysis
from runtime.engine.plan import Plan
from runtime.engine.validate import analyze

SIZES = (100, 1_000, 10_000)
TARGET_SECONDS_10K = 1.0
TARGET_GROWTH = 15.0
"""Allowed t(10,000)/t(1,000); exactly linear is 10x."""
BUDGET_S = 6.0
"""Timed seconds per measurement before it stops repeating (a quadratic case runs once)."""


def make_graph(size: int, *, refs: bool = True) -> dict[str, Any]:
    """A graph document with exactly ``size`` nodes and ~1.17 edges per node."""
    nodes: list[dict[str, Any]] = [
        {
            "id": "hook",
            "type": "trigger.webhook",
            "label": "New lead",
            "config": {
                "methods": ["POST"],
                "fields": [
                    {"name": "lead.name", "type": "string", "classes": ["PII"]},
                    {"name": "lead.amount", "type": "number", "required": True},
                    {"name": "lead.country", "type": "string"},
                ],
            },
        }
    ]
    edges: list[dict[str, Any]] = []

    def add(node: dict[str, Any], source: str, source_port: str = "out", **edge: Any) -> None:
        nodes.append({"position": {"x": 120.0 * len(nodes), "y": 0.0}, **node})
        edges.append({"source": source, "source_port": source_port, "target": node["id"], **edge})

    add(
        {
            "id": "normalize",
            "type": "transform.set",
            "config": {
                "keep_input": False,
                "fields": [
                    {"path": "name", "value": "{{ input.body.lead.name }}"},
                    {"path": "amount", "value": "{{ input.body.lead.amount }}"},
                    {"path": "country", "value": "{{ input.body.lead.country || 'DE' }}"},
                ],
            },
        },
        "hook",
    )
    prev, block = "normalize", 0
    while len(nodes) + 6 + 1 <= size:
        b = f"b{block}"
        add(
            {
                "id": f"{b}_if",
                "type": "logic.if",
                "label": f"Amount check {block}",
                "config": {
                    "condition": {
                        "combinator": "and",
                        "conditions": [
                            {"left": "{{ input.amount }}", "op": "gte", "right": block % 1000},
                            {"left": "{{ input.country }}", "op": "in", "right": ["DE", "FR"]},
                        ],
                    }
                },
            },
            prev,
        )
        for side in ("true", "false"):
            tier = "high" if side == "true" else "low"
            add(
                {
                    "id": f"{b}_set_{side}",
                    "type": "transform.set",
                    "config": {
                        "fields": [
                            {"path": "tier", "value": tier},
                            {"path": f"score_{block}", "value": "{{ input.amount }}"},
                        ]
                    },
                },
                f"{b}_if",
                side,
            )
            who = "{{ nodes.hook.body.lead.name }}" if refs else "{{ input.name }}"
            amount = "{{ input.amount }}"
            add(
                {
                    "id": f"{b}_msg_{side}",
                    "type": "transform.template",
                    "config": {
                        "template": f"Step {block} ({tier}): hi {who}, you owe {amount}",
                        "output_field": "message",
                    },
                },
                f"{b}_set_{side}",
            )
        add(
            {"id": f"{b}_merge", "type": "logic.merge", "config": {"mode": "first"}},
            f"{b}_msg_true",
            target_port="in_1",
        )
        edges.append({"source": f"{b}_msg_false", "target": f"{b}_merge", "target_port": "in_2"})
        prev, block = f"{b}_merge", block + 1
    while len(nodes) + 1 < size:
        pad = f"pad_{len(nodes)}"
        add(
            {
                "id": pad,
                "type": "transform.set",
                "config": {"fields": [{"path": "done", "value": True}]},
            },
            prev,
        )
        prev = pad
    add(
        {
            "id": "reply",
            "type": "http.respond",
            "config": {
                "status": 200,
                "body": {"name": "{{ input.name }}", "tier": "{{ input.tier }}"},
            },
        },
        prev,
    )
    return {"id": f"bench_{size}", "name": f"Benchmark {size}", "nodes": nodes, "edges": edges}


def _cold() -> None:
    expr.parse_template.cache_clear()
    expr.compile_expression.cache_clear()


def _compile(graph: Graph) -> Plan:
    analysis = analyze(graph)
    assert analysis.ok, analysis.diagnostics[:3]
    assert analysis.trigger is not None
    return plan_from_analysis(analysis)


def _time_size(doc: dict[str, Any]) -> tuple[float, float, float, int]:
    """Seconds to parse, to validate + compile, and to bundle; and how many compile runs."""
    graph = Graph.model_validate(doc)
    parse_s, _ = measure(lambda: Graph.model_validate(doc), warmup=0, budget_s=BUDGET_S)
    compile_s, runs = measure(
        lambda: _compile(graph), warmup=0, setup=_cold, budget_s=BUDGET_S, repeats=5
    )
    plan = _compile(graph)
    bundle_s, _ = measure(lambda: build_bundle(plan, graph), warmup=0, budget_s=BUDGET_S)
    return parse_s, compile_s, bundle_s, runs


def _paused_gc(fn: Any) -> Any:
    def paused() -> Any:
        gc.disable()
        try:
            return fn()
        finally:
            gc.enable()

    return paused


def run() -> list[Row]:
    # Warm-up: imports, the node registry, pydantic's first-use paths, zip/deflate.
    warm = Graph.model_validate(make_graph(100))
    build_bundle(_compile(warm), warm)

    rows: list[Row] = []
    compile_times: dict[int, float] = {}
    bundle_times: dict[int, float] = {}
    for size in SIZES:
        doc = make_graph(size)
        parse_s, compile_s, bundle_s, runs = _time_size(doc)
        compile_times[size], bundle_times[size] = compile_s, bundle_s
        is_target = size == SIZES[-1]
        suffix = "" if runs > 1 else " [1 run: too slow to repeat]"
        rows.append(
            Row(
                benchmark=f"validate+compile {size:,} nodes{suffix}",
                measured=f"{fmt_seconds(compile_s)} ({compile_s / size * 1e6:.0f} µs/node)",
                baseline=f"{fmt_seconds(parse_s)} parse ({parse_s / size * 1e6:.0f} µs/node)",
                ratio=f"{compile_s / parse_s:.1f}x parse",
                target=f"< {TARGET_SECONDS_10K:g} s" if is_target else "-",
                verdict=verdict(compile_s < TARGET_SECONDS_10K) if is_target else INFO,
            )
        )
        rows.append(
            Row(
                benchmark=f"build_bundle {size:,} nodes",
                measured=f"{fmt_seconds(bundle_s)} ({bundle_s / size * 1e6:.0f} µs/node)",
                baseline=f"{fmt_seconds(parse_s)} parse",
                ratio=f"{bundle_s / parse_s:.1f}x parse",
                target="-",
                verdict=INFO,
            )
        )
    small, big = SIZES[-2], SIZES[-1]
    linear = big / small
    growth = compile_times[big] / compile_times[small]
    rows.append(
        Row(
            benchmark=f"validate+compile growth {small:,} → {big:,}",
            measured=f"{growth:.1f}x time",
            baseline=f"{linear:.0f}x nodes",
            ratio=f"{growth / linear:.2f}x linear",
            target=f"≤ {TARGET_GROWTH:g}x",
            verdict=verdict(growth <= TARGET_GROWTH),
        )
    )
    bundle_growth = bundle_times[big] / bundle_times[small]
    rows.append(
        Row(
            benchmark=f"build_bundle growth {small:,} → {big:,}",
            measured=f"{bundle_growth:.1f}x time",
            baseline=f"{linear:.0f}x nodes",
            ratio=f"{bundle_growth / linear:.2f}x linear",
            target="-",
            verdict=INFO,
        )
    )
    rows += _diagnostics(big, compile_times[big])
    return rows


def _diagnostics(size: int, with_refs_s: float) -> list[Row]:
    """Attribute the 10k cost: without ``nodes.*`` references, and with the cyclic GC paused."""
    graph = Graph.model_validate(make_graph(size, refs=False))
    no_refs_s, _ = measure(lambda: _compile(graph), warmup=0, setup=_cold, budget_s=BUDGET_S)
    no_gc_s, _ = measure(
        _paused_gc(lambda: _compile(graph)), warmup=0, setup=_cold, budget_s=BUDGET_S
    )
    return [
        Row(
            benchmark=f"  diag: {size:,} nodes without nodes.* refs",
            measured=fmt_seconds(no_refs_s),
            baseline=f"{fmt_seconds(with_refs_s)} with refs",
            ratio=f"refs cost {with_refs_s / no_refs_s:.1f}x",
            target=f"< {TARGET_SECONDS_10K:g} s",
            verdict=INFO,
        ),
        Row(
            benchmark=f"  diag: {size:,} nodes without refs, GC paused",
            measured=fmt_seconds(no_gc_s),
            baseline=f"{fmt_seconds(no_refs_s)} GC on",
            ratio=f"GC cost {no_refs_s / no_gc_s:.1f}x",
            target=f"< {TARGET_SECONDS_10K:g} s",
            verdict=INFO,
        ),
    ]
