"""Structured conditions shared by if, switch and filter.

A condition is data (``left``, ``op``, ``right``), never code and never prose: the builder can
render it as a form, the validator can check it, and evaluating it can only compare JSON values.
There is deliberately no regex operator (a user pattern over user data is a ReDoS waiting to
happen); ``contains``/``starts_with``/``ends_with`` cover what people use regexes for here.

Type rules, chosen so a surprising comparison fails loudly instead of quietly routing data:

* ``eq``/``ne`` compare JSON values strictly: ``1 == 1.0`` but ``1 != "1"`` and ``true != 1``.
* ``gt``/``gte``/``lt``/``lte`` need two numbers or two strings (strings compare by code point,
  which orders ISO dates correctly). A null side (a missing field) makes the comparison false,
  because "missing" is data, not a mistake. Any other mix (number vs string, object vs number)
  raises ``NodeRunError`` naming the condition, because it almost always means a field holds
  text where the author expected a number.
* ``contains``: substring for strings, element for arrays, key for objects; null ``left`` is
  false. ``in`` is the same test with the sides swapped. ``not_contains`` negates ``contains``.
* ``exists`` means "not null" (JMESPath cannot tell a missing field from a null one).
* ``is_empty``: null, ``""``, ``[]`` and ``{}``. ``is_true``/``is_false`` need real booleans.

Groups short-circuit in order, so ``exists(x) and x > 3`` never compares a missing ``x``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

from pydantic import Field, model_validator

from nodes.base import ExprValue, NodeConfig
from runtime.core import expr
from runtime.core.errors import NodeRunError
from runtime.core.types import json_type

Operator = Literal[
    "eq",
    "ne",
    "gt",
    "gte",
    "lt",
    "lte",
    "contains",
    "not_contains",
    "starts_with",
    "ends_with",
    "in",
    "exists",
    "not_exists",
    "is_empty",
    "not_empty",
    "is_true",
    "is_false",
]

UNARY_OPS: frozenset[str] = frozenset(
    {"exists", "not_exists", "is_empty", "not_empty", "is_true", "is_false"}
)
"""Operators that look only at ``left``; a ``right`` left over from editing is ignored."""

NEEDS_RIGHT: frozenset[str] = frozenset(
    {"gt", "gte", "lt", "lte", "contains", "not_contains", "starts_with", "ends_with", "in"}
)
"""Operators for which a null ``right`` can only be a forgotten field (``eq null`` is fine)."""


class Condition(NodeConfig):
    """One test: ``left op right``; both sides are JSON values whose strings are templates."""

    left: ExprValue = Field(
        description="Value or `{{ expression }}` to test, e.g. `{{ item.age }}`."
    )
    op: Operator = Field(default="eq", description="How to compare `left` with `right`.")
    right: ExprValue = Field(
        default=None, description="Value to compare with (unused by unary ops)."
    )

    @model_validator(mode="after")
    def _right_when_needed(self) -> Condition:
        if self.op in NEEDS_RIGHT and self.right is None:
            raise ValueError(f"operator '{self.op}' needs a value in 'right'")
        return self


class ConditionGroup(NodeConfig):
    """Conditions joined by one combinator; evaluated in order and short-circuited."""

    combinator: Literal["and", "or"] = Field(default="and", description="All (and) or any (or).")
    conditions: list[Condition] = Field(min_length=1, max_length=50)


class _TypeMismatch(Exception):
    """Internal: the two sides cannot be compared with this operator."""


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def json_equal(a: Any, b: Any) -> bool:
    """JSON equality: numbers by value, never ``true == 1``, containers element-wise."""
    if _is_number(a) and _is_number(b):
        return bool(a == b)
    if json_type(a) != json_type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    return bool(a == b)


def _order(a: Any, b: Any, test: Callable[[Any, Any], bool]) -> bool:
    if a is None or b is None:
        return False
    if (_is_number(a) and _is_number(b)) or (isinstance(a, str) and isinstance(b, str)):
        return test(a, b)
    raise _TypeMismatch


def _contains(container: Any, needle: Any) -> bool:
    if container is None:
        return False
    if isinstance(container, str):
        if not isinstance(needle, str):
            raise _TypeMismatch
        return needle in container
    if isinstance(container, list):
        return any(json_equal(element, needle) for element in container)
    if isinstance(container, dict):
        if not isinstance(needle, str):
            raise _TypeMismatch
        return needle in container
    raise _TypeMismatch


def _affix(value: Any, affix: Any, starts: bool) -> bool:
    if value is None:
        return False
    if not isinstance(value, str) or not isinstance(affix, str):
        raise _TypeMismatch
    return value.startswith(affix) if starts else value.endswith(affix)


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | dict) and len(value) == 0)


def compare(op: str, left: Any, right: Any) -> bool:
    """Apply one operator to two already-rendered values (raises ``_TypeMismatch``)."""
    match op:
        case "eq":
            return json_equal(left, right)
        case "ne":
            return not json_equal(left, right)
        case "gt":
            return _order(left, right, lambda a, b: a > b)
        case "gte":
            return _order(left, right, lambda a, b: a >= b)
        case "lt":
            return _order(left, right, lambda a, b: a < b)
        case "lte":
            return _order(left, right, lambda a, b: a <= b)
        case "contains":
            return _contains(left, right)
        case "not_contains":
            return not _contains(left, right)
        case "starts_with":
            return _affix(left, right, starts=True)
        case "ends_with":
            return _affix(left, right, starts=False)
        case "in":
            return _contains(right, left)
        case "exists":
            return left is not None
        case "not_exists":
            return left is None
        case "is_empty":
            return _is_empty(left)
        case "not_empty":
            return not _is_empty(left)
        case "is_true":
            return left is True
        case "is_false":
            return left is False
    raise ValueError(f"unknown operator {op!r}")  # pragma: no cover - Literal guards it


def evaluate_condition(condition: Condition, scope: Mapping[str, Any], index: int = 0) -> bool:
    """Render both sides against ``scope`` and compare; ``index`` only names it in errors."""
    left = expr.render_value(condition.left, scope)
    right = None if condition.op in UNARY_OPS else expr.render_value(condition.right, scope)
    try:
        return compare(condition.op, left, right)
    except _TypeMismatch:
        raise NodeRunError(
            f"condition {index + 1}: cannot apply '{condition.op}' to {json_type(left)}"
            f" and {json_type(right)}"
        ) from None


def evaluate(group: ConditionGroup, scope: Mapping[str, Any]) -> bool:
    """Whether the group holds for ``scope``; stops at the first deciding condition."""
    want_all = group.combinator == "and"
    for index, condition in enumerate(group.conditions):
        if evaluate_condition(condition, scope, index) != want_all:
            return not want_all
    return want_all


def check_group(group: ConditionGroup, path: str) -> list[tuple[str, str]]:
    """Expression syntax problems inside a group, as ``[(field path, message)]``.

    The validator only sees top-level evaluated fields; conditions nest their templates, so
    nodes that hold a group report them through ``check``.
    """
    problems: list[tuple[str, str]] = []
    for i, condition in enumerate(group.conditions):
        for side in ("left", "right"):
            base = f"{path}.conditions[{i}].{side}"
            for sub, message in expr.check_value(getattr(condition, side)):
                problems.append((f"{base}{'.' if sub and sub[0] != '[' else ''}{sub}", message))
    return problems
