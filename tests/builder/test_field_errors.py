"""Errors land under the field the inspector draws: pydantic ``loc`` and validator paths."""

from __future__ import annotations

from typing import Any

import pytest

from builder.inspector import field_errors
from builder.inspector.field_errors import GENERAL, locate, parse_path
from builder.inspector.field_specs import NodeFields, config_spec, node_fields_spec
from nodes.registry import default_registry
from runtime.core.graph import Graph, Node
from runtime.core.load import format_location
from runtime.engine.validate import validate


def _errors(node_type: str, config: dict[str, Any]) -> dict[str, list[str]]:
    cls = default_registry().get(node_type)
    assert cls is not None
    placed = field_errors.validate_model(cls.Config, config_spec(cls), config)
    return {path: [e["message"] for e in items] for path, items in placed.items()}


@pytest.mark.parametrize(
    "path",
    ["url", "cases[0].condition.conditions[12].left", "headers.X-Id", "fields[3]", ""],
)
def test_paths_round_trip(path: str) -> None:
    assert format_location(parse_path(path)) == path


def test_plain_fields() -> None:
    errors = _errors(
        "http.request",
        {"url": "https://x", "retries": 9, "timeout_seconds": "abc", "headers": {"a": 3}},
    )
    assert errors == {
        "retries": ["Input should be less than or equal to 5"],
        "timeout_seconds": ["Input should be a valid number, unable to parse string as a number"],
        "headers.a": ["Input should be a valid string"],
    }


def test_missing_and_unknown_fields() -> None:
    errors = _errors("http.request", {"bogus": 1})
    assert errors == {"url": ["Required"], GENERAL: ["bogus: is not a field of this node"]}


def test_nested_lists_of_models() -> None:
    config = {"cases": [{"key": "Bad", "condition": {"conditions": [{"op": "zz"}]}}]}
    errors = _errors("logic.switch", config)
    assert errors["cases[0].key"] == ["String should match pattern '^[a-z][a-z0-9_]{0,63}$'"]
    assert errors["cases[0].condition.conditions[0].left"] == ["Required"]
    assert errors["cases[0].condition.conditions[0].op"][0].startswith("Input should be 'eq'")
    assert _errors("logic.if", {"condition": {"conditions": []}}) == {
        "condition.conditions": ["List should have at least 1 item after validation, not 0"]
    }


def test_multiselect_items_are_named_by_position() -> None:
    errors = _errors("trigger.webhook", {"methods": ["GET", "FETCH"]})
    assert errors == {
        "methods": ["item 2: Input should be 'GET', 'POST', 'PUT', 'PATCH' or 'DELETE'"]
    }


def test_unions_keep_only_the_members_matching_what_was_typed() -> None:
    # float | Expr: a number out of range is not also told it is not a string...
    assert _errors("logic.delay", {"seconds": -1}) == {
        "seconds": ["Input should be greater than or equal to 0"]
    }
    # ...an expression is fine...
    assert _errors("logic.delay", {"seconds": "{{ input.wait }}"}) == {}
    # ...and a value of neither kind hears about both.
    assert _errors("logic.delay", {"seconds": [1]}) == {
        "seconds": ["Input should be a valid number", "Input should be a valid string"]
    }


def test_anything_that_is_not_an_object_or_too_deep_is_a_form_error() -> None:
    cls = default_registry().get("transform.set")
    assert cls is not None
    spec = config_spec(cls)
    assert field_errors.validate_model(cls.Config, spec, [1])[GENERAL][0]["message"]
    deep: dict[str, Any] = {}
    cursor = deep
    for _ in range(40):
        cursor["x"] = {}
        cursor = cursor["x"]
    assert (
        "deep"
        in field_errors.validate_model(cls.Config, spec, {"fields": deep})[GENERAL][0]["message"]
    )


def test_validator_diagnostics_are_placed_too() -> None:
    graph = Graph(
        nodes=[
            Node(id="t", type="trigger.schedule", config={"cron": "99 * * * *"}),
            Node(
                id="r",
                type="http.request",
                config={"url": "https://x/{{ input.", "body": {"a": "{{ nodes.ghost }}"}},
            ),
        ]
    )
    diagnostics = validate(graph)
    schedule = default_registry().get("trigger.schedule")
    request = default_registry().get("http.request")
    assert schedule is not None
    assert request is not None
    placed = field_errors.diagnostic_errors(
        config_spec(schedule), [d for d in diagnostics if d.node == "t"], skip_config_invalid=False
    )
    assert list(placed) == ["cron"]
    assert not placed["cron"][0]["message"].startswith("cron:")
    placed = field_errors.diagnostic_errors(
        config_spec(request), [d for d in diagnostics if d.node == "r"], skip_config_invalid=False
    )
    assert placed["url"][0]["severity"] == "error"
    general = [e["message"] for e in placed[GENERAL]]
    assert any("not connected" in m for m in general), general
    assert any(
        "nodes.ghost" in m and e["severity"] == "warning"
        for m, e in zip(general, placed[GENERAL], strict=True)
    )


def test_settings_and_label_errors() -> None:
    spec = node_fields_spec()
    errors = field_errors.validate_model(
        NodeFields, spec, {"label": "x" * 201, "retry": {"max_attempts": 0}, "timeout_seconds": 0}
    )
    assert set(errors) == {"label", "retry.max_attempts", "timeout_seconds"}
    assert field_errors.has_errors(errors)
    assert field_errors.validate_model(NodeFields, spec, {"label": "ok", "disabled": True}) == {}


def test_locate_stops_at_the_deepest_drawn_field() -> None:
    cls = default_registry().get("http.request")
    assert cls is not None
    spec = config_spec(cls)
    assert locate(spec, ("headers", "X-Id")) == (("headers", "X-Id"), ())
    assert locate(spec, ("body", "name")) == (("body",), ("name",))
    assert locate(spec, ("nope",)) == ((), ("nope",))
