from typing import Any

import pytest
from pydantic import ValidationError

from nodes.registry import default_registry
from tests.nodes.helpers import run_node


def rule(key: str, left: str, op: str, right: Any) -> dict[str, Any]:
    return {"key": key, "condition": {"conditions": [{"left": left, "op": op, "right": right}]}}


RULES = {
    "mode": "rules",
    "cases": [
        rule("big", "{{ input.amount }}", "gte", 1000),
        rule("eu", "{{ input.country }}", "in", ["DE", "FR"]),
    ],
}


def switch_type() -> Any:
    node_type = default_registry().get("logic.switch")
    assert node_type is not None
    return node_type


async def test_rules_mode_fires_the_first_matching_case_only() -> None:
    order = {"amount": 5000, "country": "DE"}
    assert await run_node("logic.switch", RULES, {"in": order}) == {"big": order}


async def test_all_matches_fires_every_matching_case() -> None:
    order = {"amount": 5000, "country": "DE"}
    out = await run_node("logic.switch", {**RULES, "all_matches": True}, {"in": order})
    assert out == {"big": order, "eu": order}


async def test_no_match_fires_nothing_or_the_fallback() -> None:
    order = {"amount": 5, "country": "US"}
    assert await run_node("logic.switch", RULES, {"in": order}) == {}
    out = await run_node("logic.switch", {**RULES, "fallback": True}, {"in": order})
    assert out == {"fallback": order}


async def test_value_mode_compares_with_json_equality() -> None:
    config = {
        "mode": "value",
        "value": "{{ input.code }}",
        "cases": [
            {"key": "ok", "value": 200},
            {"key": "missing", "value": "{{ nodes.settings.not_found }}"},
        ],
        "fallback": True,
    }
    scope = {"nodes": {"settings": {"not_found": 404}}}
    assert await run_node("logic.switch", config, {"in": {"code": 200.0}}, scope=scope) == {
        "ok": {"code": 200.0}
    }
    assert await run_node("logic.switch", config, {"in": {"code": 404}}, scope=scope) == {
        "missing": {"code": 404}
    }
    # "200" (text) is not 200 (number): it falls back instead of matching by accident
    assert await run_node("logic.switch", config, {"in": {"code": "200"}}, scope=scope) == {
        "fallback": {"code": "200"}
    }


def test_output_ports_follow_the_cases() -> None:
    node_type = switch_type()
    config = node_type.Config.model_validate({**RULES, "fallback": True})
    ports = node_type.output_ports(config)
    assert [p.name for p in ports] == ["big", "eu", "fallback", "error"]
    labelled = node_type.Config.model_validate(
        {"mode": "value", "cases": [{"key": "a", "label": "Tier A", "value": 1}]}
    )
    assert node_type.output_ports(labelled)[0].title == "Tier A"


def test_check_reports_duplicate_and_reserved_keys_and_missing_parts() -> None:
    node_type = switch_type()
    config = node_type.Config.model_validate(
        {
            "mode": "rules",
            "cases": [
                rule("a", "{{ input.x }}", "eq", 1),
                rule("a", "{{ input.x }}", "eq", 2),
                rule("error", "{{ input.x }}", "eq", 3),
                {"key": "fallback"},
            ],
        }
    )
    problems = node_type.check(config)
    assert ("cases[1].key", "duplicate case key 'a'") in problems
    assert ("cases[2].key", "'error' is reserved; choose another key") in problems
    assert ("cases[3].key", "'fallback' is reserved; choose another key") in problems
    assert ("cases[3].condition", "rules mode needs a condition") in problems
    # ports stay unique and never shadow the error port, even before the author fixes it
    assert [p.name for p in node_type.output_ports(config)] == ["a", "error"]

    value_mode = node_type.Config.model_validate(
        {"mode": "value", "cases": [{"key": "x"}, {"key": "y", "value": "{{ oops"}]}
    )
    paths = [path for path, _ in node_type.check(value_mode)]
    assert paths == ["cases[0].value", "cases[1].value"]


@pytest.mark.parametrize(
    "cases",
    [
        [],
        [{"key": "Not-A-Port", "value": 1}],
        [{"key": f"c{i}", "value": i} for i in range(33)],
    ],
)
def test_invalid_case_lists_are_rejected(cases: list[dict[str, Any]]) -> None:
    with pytest.raises(ValidationError):
        switch_type().Config.model_validate({"mode": "value", "cases": cases})
