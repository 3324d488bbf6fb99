from typing import Any

import pytest
from pydantic import ValidationError

from nodes.conditions import Condition, ConditionGroup, check_group, evaluate
from runtime.core.errors import ExpressionError, NodeRunError

SCOPE: dict[str, Any] = {
    "input": {
        "age": 30,
        "ratio": 0.5,
        "name": "Ada Lovelace",
        "tags": ["vip", "beta"],
        "meta": {"source": "web"},
        "empty": "",
        "none": None,
        "flag": True,
        "when": "2024-03-31T09:30:00Z",
    }
}


def group(*conditions: dict[str, Any], combinator: str = "and") -> ConditionGroup:
    return ConditionGroup.model_validate({"combinator": combinator, "conditions": list(conditions)})


def holds(left: Any, op: str, right: Any = None) -> bool:
    return evaluate(group({"left": left, "op": op, "right": right}), SCOPE)


@pytest.mark.parametrize(
    ("left", "op", "right", "expected"),
    [
        ("{{ input.age }}", "eq", 30, True),
        ("{{ input.age }}", "eq", 30.0, True),
        ("{{ input.age }}", "eq", "30", False),  # no string/number coercion
        ("{{ input.flag }}", "eq", 1, False),  # true is not 1
        ("{{ input.tags }}", "eq", ["vip", "beta"], True),
        ("{{ input.meta }}", "ne", {"source": "app"}, True),
        ("{{ input.none }}", "eq", None, True),
        ("{{ input.age }}", "gt", 18, True),
        ("{{ input.age }}", "gte", 30, True),
        ("{{ input.age }}", "lt", 30, False),
        ("{{ input.ratio }}", "lte", 0.5, True),
        ("{{ input.when }}", "gt", "2024-01-01", True),  # ISO dates order as strings
        ("{{ input.missing }}", "gt", 3, False),  # missing data: false, not an error
        ("{{ input.name }}", "contains", "Love", True),
        ("{{ input.name }}", "contains", "love", False),  # case-sensitive
        ("{{ input.tags }}", "contains", "vip", True),
        ("{{ input.meta }}", "contains", "source", True),
        ("{{ input.missing }}", "contains", "x", False),
        ("{{ input.tags }}", "not_contains", "gold", True),
        ("{{ input.name }}", "starts_with", "Ada", True),
        ("{{ input.name }}", "ends_with", "Ada", False),
        ("vip", "in", "{{ input.tags }}", True),
        ("{{ input.age }}", "in", [10, 30.0], True),
        ("gold", "in", ["vip"], False),
        ("{{ input.age }}", "exists", None, True),
        ("{{ input.missing }}", "exists", None, False),
        ("{{ input.none }}", "not_exists", None, True),
        ("{{ input.empty }}", "is_empty", None, True),
        ("{{ input.missing }}", "is_empty", None, True),
        ("{{ input.age }}", "is_empty", None, False),  # 0 or 30: numbers are never empty
        ("{{ input.tags }}", "not_empty", None, True),
        ("{{ input.flag }}", "is_true", None, True),
        ("true", "is_true", None, False),  # the string "true" is not a boolean
        ("{{ input.flag }}", "is_false", None, False),
    ],
)
def test_operator_table(left: Any, op: str, right: Any, expected: bool) -> None:
    assert holds(left, op, right) is expected


@pytest.mark.parametrize(
    ("left", "op", "right", "message"),
    [
        ("{{ input.age }}", "gt", "18", "condition 1: cannot apply 'gt' to number and string"),
        ("{{ input.tags }}", "lt", 3, "condition 1: cannot apply 'lt' to array and number"),
        ("{{ input.name }}", "contains", 3, "cannot apply 'contains' to string and number"),
        ("{{ input.age }}", "starts_with", "3", "cannot apply 'starts_with' to number and string"),
        ("{{ input.age }}", "contains", 3, "cannot apply 'contains' to number and number"),
    ],
)
def test_type_mismatch_is_an_error_naming_the_condition(
    left: Any, op: str, right: Any, message: str
) -> None:
    with pytest.raises(NodeRunError, match=message):
        holds(left, op, right)


def test_error_names_the_failing_condition_index() -> None:
    g = group(
        {"left": "{{ input.age }}", "op": "gt", "right": 1},
        {"left": "{{ input.name }}", "op": "gte", "right": 5},
    )
    with pytest.raises(NodeRunError, match="condition 2:"):
        evaluate(g, SCOPE)


def test_groups_short_circuit_so_a_guard_protects_a_comparison() -> None:
    guarded = group(
        {"left": "{{ input.name }}", "op": "is_empty"},
        {"left": "{{ input.name }}", "op": "gt", "right": 5},  # would raise if evaluated
    )
    assert evaluate(guarded, SCOPE) is False
    either = group(
        {"left": "{{ input.flag }}", "op": "is_true"},
        {"left": "{{ input.name }}", "op": "gt", "right": 5},
        combinator="or",
    )
    assert evaluate(either, SCOPE) is True


def test_and_needs_all_or_needs_any() -> None:
    yes = {"left": "{{ input.age }}", "op": "gt", "right": 18}
    no = {"left": "{{ input.age }}", "op": "gt", "right": 99}
    assert evaluate(group(yes, yes), SCOPE) is True
    assert evaluate(group(yes, no), SCOPE) is False
    assert evaluate(group(no, yes, combinator="or"), SCOPE) is True
    assert evaluate(group(no, no, combinator="or"), SCOPE) is False


def test_unary_operators_ignore_a_leftover_right_value() -> None:
    assert holds("{{ input.age }}", "exists", "{{ this is not valid }") is True


def test_binary_operator_without_right_is_a_config_error() -> None:
    with pytest.raises(ValidationError, match="operator 'gt' needs a value in 'right'"):
        Condition.model_validate({"left": "{{ input.age }}", "op": "gt"})


def test_unknown_operator_and_empty_group_are_config_errors() -> None:
    with pytest.raises(ValidationError):
        Condition.model_validate({"left": 1, "op": "matches", "right": ".*"})
    with pytest.raises(ValidationError):
        ConditionGroup.model_validate({"conditions": []})


def test_conditions_are_data_not_code() -> None:
    with pytest.raises(ExpressionError):
        holds("{{ __class__ }}", "exists")
    assert holds("__import__('os').system('true')", "eq", "__import__('os').system('true')")


def test_check_group_reports_syntax_errors_with_paths() -> None:
    g = group(
        {"left": "{{ input.age }}", "op": "eq", "right": {"a": ["{{ broken"]}},
        {"left": "{{ ]] }}", "op": "exists"},
    )
    paths = [path for path, _ in check_group(g, "condition")]
    assert paths == ["condition.conditions[0].right.a[0]", "condition.conditions[1].left"]
