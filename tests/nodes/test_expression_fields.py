"""Every config field of every node type either renders ``{{ }}`` or refuses it at validation.

Issue 14: ``http.respond``'s ``content_type`` was a plain string, so ``{{ input.body.ct }}``
validated and went out literally. These tests walk every registered node type, so a field
added later is held to the same rule: a plain string field with ``{{`` is an
``expression.not_allowed`` error at its path, and a field marked as an expression
(``x-expression`` in the schema) is rendered when the node runs.
"""

from __future__ import annotations

import asyncio
import copy
import re
from collections.abc import Iterator
from typing import Any

import pytest

from nodes.base import expression_fields
from nodes.expression_schema import expression_positions
from nodes.registry import AnyNodeType, default_registry
from runtime.ai.usage import MemoryLedger
from runtime.core import expr
from runtime.core.egress import EgressPlatform
from runtime.core.graph import Node
from runtime.core.options import RunOptions
from runtime.engine.resolve import resolve_node
from tests.nodes.helpers import run_node

REGISTRY = default_registry()
TYPE_NAMES = [t.type for t in REGISTRY.latest()]
PROBE = "{{ input.probe_value }}"
OPTIONS = RunOptions(
    max_delay_seconds=0.05,
    http_timeout_seconds=1.0,
    egress_allow=("127.0.0.1",),
    egress=EgressPlatform.configure(open=["127.0.0.0/8"]),  # the operator opens loopback here
)
"""Egress only to loopback, where no web server listens: a request fails fast."""
REACH: dict[tuple[str, str], dict[str, Any]] = {
    ("http.request", ""): {"url": "http://127.0.0.1/leads/{{ input.id }}", "retries": 0},
    ("transform.datetime", "amount"): {"operation": "add"},
    ("transform.datetime", "other"): {"operation": "difference"},
    ("logic.switch", "cases"): {"mode": "value", "all_matches": True},
}
"""Settings under which a field is used at all (``other`` only matters for ``difference``)."""


def _leaves(value: Any, path: str = "") -> Iterator[str]:
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _leaves(child, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _leaves(child, f"{path}[{index}]")
    else:
        yield path


def _parts(path: str) -> list[str | int]:
    return [int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", path)]


def _set(config: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(config)
    target: Any = out
    parts = _parts(path)
    for part in parts[:-1]:
        target = target[part]
    target[parts[-1]] = value
    return out


def _pattern(position: str) -> re.Pattern[str]:
    """A schema position (``cases[].value``, ``headers.*``) as a regex over concrete paths."""
    text = re.escape(position).replace(r"\[\]", r"\[\d+\]").replace(r"\*", r"[^.\[]+")
    return re.compile(f"^{text}(\\.|\\[|$)")


def _rendered(node_type: AnyNodeType, path: str) -> bool:
    return any(_pattern(p).match(path) for p in expression_positions(node_type.Config))


def _candidate_paths(node_type: AnyNodeType) -> list[str]:
    """Every leaf of the example, and every top-level field the example leaves out."""
    example = node_type.example
    paths = [p for p in _leaves(example) if p]
    fields = node_type.Config.model_fields
    names = [info.alias or name for name, info in fields.items()]
    paths += [name for name in names if name not in example]
    return sorted(set(paths))


def test_http_respond_content_type_is_an_expression_field() -> None:
    node_type = REGISTRY.get("http.respond")
    assert node_type is not None
    assert "content_type" in expression_positions(node_type.Config)


@pytest.mark.parametrize("type_name", TYPE_NAMES)
def test_a_plain_field_refuses_an_expression_at_validation(type_name: str) -> None:
    node_type = REGISTRY.get(type_name)
    assert node_type is not None
    checked = 0
    for path in _candidate_paths(node_type):
        if _rendered(node_type, path):
            continue
        config = _set(node_type.example, path, PROBE)
        _, diagnostics = resolve_node(Node(id="n1", type=type_name, config=config), REGISTRY)
        at = [d for d in diagnostics if d.severity == "error" and d.path == f"config.{path}"]
        assert at, f"{type_name}.{path} accepts {PROBE!r} but never renders it: {diagnostics}"
        assert {d.code for d in at} <= {"expression.not_allowed", "config.invalid"}, at
        checked += 1
    if type_name == "http.respond":
        assert checked == 0  # every field of a response is rendered


def test_the_refusal_names_the_field_and_says_why() -> None:
    config = {"labels": [{"key": "a", "description": "{{ input.x }}"}, {"key": "b"}]}
    _, diagnostics = resolve_node(Node(id="c", type="ai.classify", config=config), REGISTRY)
    (problem,) = [d for d in diagnostics if d.severity == "error"]
    assert (problem.code, problem.node, problem.path) == (
        "expression.not_allowed",
        "c",
        "config.labels[0].description",
    )
    assert "is used as written" in problem.message


@pytest.mark.parametrize("type_name", TYPE_NAMES)
async def test_an_expression_field_is_rendered_when_the_node_runs(
    type_name: str, monkeypatch: pytest.MonkeyPatch, echo_ai: MemoryLedger
) -> None:
    node_type = REGISTRY.get(type_name)
    assert node_type is not None
    seen: list[str] = []
    real_render, real_evaluate = expr.render, expr.evaluate

    def render(source: str, scope: Any) -> Any:
        seen.append(source)
        return real_render(source, scope)

    def evaluate(source: str, data: Any) -> Any:
        seen.append(source)
        return real_evaluate(source, data)

    monkeypatch.setattr(expr, "render", render)
    monkeypatch.setattr(expr, "evaluate", evaluate)
    kinds = expression_fields(node_type.Config)
    missed = []
    for path in _candidate_paths(node_type):
        if not _rendered(node_type, path):
            continue
        query = kinds.get(str(_parts(path)[0])) == "query"
        probe = "probe_value" if query else PROBE  # a bare JMESPath query has no braces
        base = dict(node_type.example)
        for (name, prefix), settings in REACH.items():
            if name == type_name and path.startswith(prefix):
                base.update(settings)
        config = _set(base, path, probe)
        seen.clear()
        try:
            async with asyncio.timeout(10):
                await run_node(type_name, config, node_type.example_input, options=OPTIONS)
        except Exception:  # the probe renders to null; only whether it was rendered matters
            pass
        if probe not in seen:
            missed.append(path)
    assert not missed, f"{type_name}: marked as expressions but never rendered: {missed}"
