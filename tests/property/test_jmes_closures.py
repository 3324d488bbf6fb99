"""The closures built from an expression answer exactly as jmespath's own interpreter does."""

from __future__ import annotations

from typing import Any

import jmespath
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtime.core.errors import ExpressionError
from runtime.core.expr import _OPTIONS, compile_expression, evaluate

NAMES = ["a", "b", "c", "score", "tier"]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from([0.0, 1.5, -2.5]),
    st.sampled_from(["", "x", "hot", "a"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(NAMES), inner, max_size=4)
    ),
    max_leaves=12,
)
LITERALS = ["`0`", "`1`", "`2.5`", "'x'", "'hot'", "`null`", "`true`", "`[]`", "`{}`", "''"]


def _expressions() -> st.SearchStrategy[str]:
    atom = st.one_of(
        st.sampled_from(NAMES),
        st.sampled_from(LITERALS),
        st.just("@"),
        st.lists(st.sampled_from(NAMES), min_size=2, max_size=3).map(".".join),
        st.sampled_from(["a[0]", "a[*].b", "b[?c > `1`]", "values(@)", "keys(a)", "length(a)"]),
    )

    def combine(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        ops = ["==", "!=", "<", "<=", ">", ">=", "&&", "||", "|"]
        binary = st.tuples(inner, st.sampled_from(ops), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        )
        return st.one_of(
            binary,
            binary,
            binary,
            inner.map(lambda e: f"!({e})"),
            inner.map(lambda e: f"to_string({e})"),
            inner.map(lambda e: f"[{e}, a]"),
            inner.map(lambda e: f"not_null({e}, 'd')"),
        )

    return st.recursive(atom, combine, max_leaves=6)


def _outcome(fn: Any, data: Any) -> tuple[str, Any]:
    try:
        return "value", fn(data)
    except Exception as exc:  # the same failure class is what must match
        return "error", type(exc).__name__


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expression=_expressions(), data=VALUES)
def test_closures_agree_with_the_interpreter(expression: str, data: Any) -> None:
    compiled = compile_expression(expression)
    expected = _outcome(lambda d: jmespath.search(expression, d, options=_OPTIONS), data)
    assert _outcome(compiled.search, data) == expected


FLAT = st.tuples(
    st.sampled_from([*NAMES, *LITERALS, "@"]),
    st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "&&", "||"]),
    st.sampled_from([*NAMES, *LITERALS]),
    st.booleans(),
).map(lambda t: f"{'!' if t[3] else ''}({t[0]} {t[1]} {t[2]})")


@settings(max_examples=1000, deadline=None)
@given(expression=FLAT, data=st.dictionaries(st.sampled_from(NAMES), SCALARS, max_size=5))
def test_operators_agree_with_the_interpreter(expression: str, data: Any) -> None:
    compiled = compile_expression(expression)
    expected = _outcome(lambda d: jmespath.search(expression, d, options=_OPTIONS), data)
    assert _outcome(compiled.search, data) == expected


@pytest.mark.parametrize(
    ("expression", "data", "value"),
    [
        ("(a >= `30000` && `40`) || `0`", {"a": 45000}, 40),
        ("!a", {"a": 0}, False),
        ("a.b.c", {"a": {"b": [1]}}, None),
        ("a < `2.5`", {"a": 2}, True),
        ("sort_by(a, &b)[0].b", {"a": [{"b": 2}, {"b": 1}]}, 1),
    ],
)
def test_known_answers(expression: str, data: Any, value: Any) -> None:
    assert compile_expression(expression).search(data) == value


def test_mixed_ordering_fails_as_the_interpreter_does() -> None:
    with pytest.raises(ExpressionError, match="cannot evaluate"):
        evaluate("a >= `30000`", {"a": "45000"})
