"""JMESPath expressions turned into nested Python closures, once, when they are compiled.

``jmespath`` interprets the syntax tree on every search: a visitor dispatch per node, and a new
interpreter per call. Every ``{{ }}`` in a node's config is searched on every run, so on a
deployed endpoint that walk was a tenth of the server's CPU per request. Here the common node
types become closures that call the library's own helpers (``_equals``, ``_is_comparable``,
its function table), so they answer exactly as the interpreter does; any other node type
(projections, slices, ``&expr`` arguments, ...) is a closure that hands its subtree to
jmespath's own interpreter. ``tests/property/test_jmes_closures.py`` checks both agree.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from jmespath import visitor as _visitor

visitor: Any = _visitor
"""The interpreter's module; its private comparison helpers are not in the type stubs."""

Search = Callable[[Any], Any]
_ORDERING: dict[str, Callable[[Any, Any], Any]] = {
    "lt": operator.lt,
    "gt": operator.gt,
    "lte": operator.le,
    "gte": operator.ge,
}


def _is_false(value: Any) -> bool:
    # JMESPath falsiness, spelled as the interpreter spells it (0 and 0.0 are true).
    return value == "" or value == [] or value == {} or value is None or value is False


def closure(node: Any, options: Any) -> Search:
    """A function of the current value that evaluates ``node`` (a jmespath AST node)."""
    kind = node["type"]
    children: list[Any] = node.get("children") or []
    if kind == "field":
        name = node["value"]

        def field(value: Any) -> Any:
            try:
                return value.get(name)
            except AttributeError:
                return None

        return field
    if kind in ("subexpression", "index_expression", "pipe"):
        steps = [closure(child, options) for child in children]

        def chain(value: Any) -> Any:
            for step in steps:
                value = step(value)
            return value

        return chain
    if kind in ("current", "identity"):
        return lambda value: value
    if kind == "literal":
        literal = node["value"]
        return lambda _value: literal
    if kind == "comparator":
        return _comparator(node["value"], *(closure(child, options) for child in children))
    if kind in ("and_expression", "or_expression"):
        left, right = (closure(child, options) for child in children)
        if kind == "and_expression":
            return lambda value: matched if _is_false(matched := left(value)) else right(value)
        return lambda value: right(value) if _is_false(matched := left(value)) else matched
    if kind == "not_expression":
        inner = closure(children[0], options)

        def negate(value: Any) -> Any:
            found = inner(value)
            if visitor._is_actual_number(found) and found == 0:
                return False  # !0 is false: 0 is not falsy in JMESPath
            return not found

        return negate
    if kind == "function_expression" and all(c.get("type") != "expref" for c in children):
        return _function(node["value"], [closure(child, options) for child in children], options)
    return _interpreted(node, options)


def _comparator(op: str, left: Search, right: Search) -> Search:
    if op == "eq":
        return lambda value: visitor._equals(left(value), right(value))
    if op == "ne":
        return lambda value: not visitor._equals(left(value), right(value))
    compare = _ORDERING[op]

    def ordered(value: Any) -> Any:
        a, b = left(value), right(value)
        if not (visitor._is_comparable(a) and visitor._is_comparable(b)):
            return None  # ordering is only defined for numbers and strings
        return compare(a, b)

    return ordered


def _function(name: str, args: list[Search], options: Any) -> Search:
    table = options.custom_functions

    def call(value: Any) -> Any:
        return table.call_function(name, [arg(value) for arg in args])

    return call


def _interpreted(node: Any, options: Any) -> Search:
    interpreter = visitor.TreeInterpreter(options)
    return lambda value: interpreter.visit(node, value)
