"""Expressions: ``{{ ... }}`` interpolation whose inside is a JMESPath query over run data.

JMESPath is a query language over JSON values with no way to name a Python attribute, call a
Python function or import anything, so a user string here can only *read* the data it is given.
That is the whole point: n8n's expression RCE (CVE-2025-68613) and Langflow's exec endpoint
(CVE-2025-3248) came from evaluating user text as code. Nothing in this module hands user text
to ``eval``, ``exec``, ``compile``, ``str.format`` or a template engine.

The data an expression sees (its *scope*) is plain JSON: ``input`` (what reached the node),
``nodes`` (upstream outputs by node id), ``trigger`` (the triggering event), ``run`` (ids and
times), and ``item``/``index`` inside a for-each body.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jmespath
import jmespath.exceptions
import jmespath.lexer
import jmespath.parser

from runtime.core.errors import ExpressionError
from runtime.core.expr_functions import FUNCTIONS, MAX_INT_BITS, check_call
from runtime.core.jmes_closures import Search, closure

OPEN, CLOSE = "{{", "}}"
MAX_EXPRESSION_CHARS = 2_000
MAX_TEMPLATE_CHARS = 200_000
MAX_SEGMENTS = 500
SCOPE_ROOTS = ("input", "nodes", "trigger", "run", "item", "index", "vars")


_OPTIONS = jmespath.Options(custom_functions=FUNCTIONS, dict_cls=dict)


@dataclass(frozen=True, slots=True)
class CompiledExpression:
    text: str
    parsed: jmespath.parser.ParsedResult
    computes: bool
    """Calls functions, so its result may hold values JSON cannot carry (NaN, 10**5000)."""
    search: Search
    """The expression as closures (``runtime.core.jmes_closures``): what evaluation calls."""


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of a template: literal text, or an expression to evaluate."""

    text: str
    is_expression: bool
    compiled: CompiledExpression | None = None


@dataclass(frozen=True, slots=True)
class Template:
    source: str
    segments: tuple[Segment, ...]

    @property
    def is_literal(self) -> bool:
        return not any(s.is_expression for s in self.segments)

    @property
    def is_single_expression(self) -> bool:
        """``"{{ x }}"`` alone yields the value itself (a number stays a number)."""
        return len(self.segments) == 1 and self.segments[0].is_expression

    def expressions(self) -> Iterator[Segment]:
        return (s for s in self.segments if s.is_expression)


def _check_tokens(expression: str) -> None:
    try:
        tokens = list(jmespath.lexer.Lexer().tokenize(expression))
    except jmespath.exceptions.JMESPathError as exc:
        raise ExpressionError(_jmespath_message(exc), expression=expression) from None
    for token in tokens:
        if token["type"] in ("unquoted_identifier", "quoted_identifier"):
            name = str(token["value"])
            if name.startswith("__"):
                raise ExpressionError(
                    f"names starting with '__' are not allowed: {name!r}", expression=expression
                )


def _jmespath_message(exc: Exception) -> str:
    # JMESPath messages span lines with a caret diagram; the first line says enough.
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return first[:300]


def _check_ast(ast: Any, text: str) -> bool:
    """Refuse constructs that yield non-JSON values; return whether any function is called.

    ``&expr`` is only meaningful as a function argument (``sort_by(@, &age)``); anywhere else
    it evaluates to an internal Python object. Literals must be finite numbers.
    """
    computes = False
    stack: list[tuple[Any, str]] = [(ast, "")]
    while stack:
        node, parent = stack.pop()
        if not isinstance(node, dict):
            continue
        kind = node.get("type")
        if kind == "function_expression":
            computes = True
            check_call(str(node.get("value")), len(node.get("children") or []), text)
        elif kind == "expref" and parent != "function_expression":
            raise ExpressionError(
                "'&' expressions are only allowed as function arguments", expression=text
            )
        elif kind == "literal":
            _check_json_value(node.get("value"), text)
        stack.extend((child, str(kind)) for child in node.get("children") or [])
    return computes


def _check_json_value(value: Any, text: str) -> None:
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, float) and not math.isfinite(current):
            raise ExpressionError("numbers must be finite (no NaN or Infinity)", expression=text)
        if isinstance(current, int) and not isinstance(current, bool):
            if current.bit_length() > MAX_INT_BITS:
                raise ExpressionError("number is too large", expression=text)
        elif isinstance(current, dict):
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
        elif current is not None and not isinstance(current, str | bool | float):
            raise ExpressionError(
                f"expression produced a {type(current).__name__}, which is not JSON data",
                expression=text,
            )


@lru_cache(maxsize=8192)
def compile_expression(expression: str) -> CompiledExpression:
    """Parse one expression (the text between ``{{`` and ``}}``), or raise ExpressionError."""
    text = expression.strip()
    if not text:
        raise ExpressionError("empty expression", expression=expression)
    if len(text) > MAX_EXPRESSION_CHARS:
        raise ExpressionError(
            f"expression is longer than {MAX_EXPRESSION_CHARS} characters", expression=text[:80]
        )
    try:
        with warnings.catch_warnings():
            # jmespath accepts deprecated non-JSON backtick literals with only a warning.
            warnings.simplefilter("error")
            _check_tokens(text)
            parsed = jmespath.compile(text)
    except (jmespath.exceptions.JMESPathError, ValueError, RecursionError, Warning) as exc:
        raise ExpressionError(
            f"invalid expression {text[:120]!r}: {_jmespath_message(exc)}", expression=text
        ) from None
    computes = _check_ast(parsed.parsed, text)
    return CompiledExpression(text, parsed, computes, closure(parsed.parsed, _OPTIONS))


@lru_cache(maxsize=8192)
def parse_template(source: str) -> Template:
    """Split text into literal and ``{{ expression }}`` segments, compiling each expression."""
    if len(source) > MAX_TEMPLATE_CHARS:
        raise ExpressionError(f"text is longer than {MAX_TEMPLATE_CHARS} characters")
    segments: list[Segment] = []
    pos = 0
    while True:
        start = source.find(OPEN, pos)
        if start < 0:
            if pos < len(source):
                segments.append(Segment(source[pos:], False))
            break
        end = source.find(CLOSE, start + len(OPEN))
        if end < 0:
            raise ExpressionError(
                f"'{{{{' at character {start} is never closed with '}}}}'", expression=source[:80]
            )
        if start > pos:
            segments.append(Segment(source[pos:start], False))
        inner = source[start + len(OPEN) : end]
        segments.append(Segment(inner.strip(), True, compile_expression(inner)))
        pos = end + len(CLOSE)
        if len(segments) > MAX_SEGMENTS:
            raise ExpressionError(f"more than {MAX_SEGMENTS} expressions in one text")
    return Template(source, tuple(segments))


def has_expression(value: str) -> bool:
    return OPEN in value


def evaluate(expression: str, data: Any) -> Any:
    """Evaluate a bare JMESPath expression (no braces) against any JSON value."""
    return _search(compile_expression(expression), data)


def _search(compiled: CompiledExpression, scope: Any) -> Any:
    text = compiled.text
    try:
        result = compiled.search(scope)
    except ExpressionError:
        raise
    except (
        jmespath.exceptions.JMESPathError,
        TypeError,
        ValueError,
        OverflowError,
        RecursionError,
    ) as exc:
        raise ExpressionError(
            f"cannot evaluate {text[:120]!r}: {_jmespath_message(exc)}", expression=text
        ) from None
    if compiled.computes:
        _check_json_value(result, text)
    return result


def _to_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ExpressionError(f"cannot turn the value into text: {exc}"[:200]) from None


def render(source: str, scope: Mapping[str, Any]) -> Any:
    """Render a template string. A lone ``{{ expr }}`` keeps the value's type."""
    if OPEN not in source:
        return source
    template = parse_template(source)
    if template.is_single_expression:
        seg = template.segments[0]
        assert seg.compiled is not None
        return _search(seg.compiled, scope)
    parts: list[str] = []
    for seg in template.segments:
        if seg.is_expression:
            assert seg.compiled is not None
            parts.append(_to_text(_search(seg.compiled, scope)))
        else:
            parts.append(seg.text)
    result = "".join(parts)
    if len(result) > MAX_TEMPLATE_CHARS * 10:
        raise ExpressionError("rendered text is too large")
    return result


def render_text(source: str, scope: Mapping[str, Any]) -> str:
    """Render a template that must produce text, whatever the expressions return."""
    value = render(source, scope)
    return value if isinstance(value, str) else _to_text(value)


def render_value(value: Any, scope: Mapping[str, Any], *, _depth: int = 0) -> Any:
    """Render every string inside a JSON value (dict keys are left as written)."""
    if _depth > 64:
        raise ExpressionError("value is nested more than 64 levels deep")
    if isinstance(value, str):
        return render(value, scope)
    if isinstance(value, dict):
        return {k: render_value(v, scope, _depth=_depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [render_value(v, scope, _depth=_depth + 1) for v in value]
    return value


def check_value(value: Any, *, _depth: int = 0, _path: str = "") -> list[tuple[str, str]]:
    """Find expression syntax errors in a JSON value: ``[(path, message), ...]``."""
    problems: list[tuple[str, str]] = []
    if _depth > 64:
        return [(_path, "value is nested more than 64 levels deep")]
    if isinstance(value, str):
        if OPEN in value or CLOSE in value:
            try:
                parse_template(value)
            except ExpressionError as exc:
                problems.append((_path, exc.message))
    elif isinstance(value, dict):
        for k, v in value.items():
            problems += check_value(v, _depth=_depth + 1, _path=f"{_path}.{k}" if _path else k)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            problems += check_value(v, _depth=_depth + 1, _path=f"{_path}[{i}]")
    return problems


def referenced_nodes(source: str) -> set[str]:
    """Node ids a template reads through ``nodes.<id>``; used to check they run earlier."""
    found: set[str] = set()
    try:
        template = parse_template(source)
    except ExpressionError:
        return found
    for seg in template.expressions():
        assert seg.compiled is not None
        _collect_node_refs(seg.compiled.parsed.parsed, found)
    return found


def _collect_node_refs(ast: Any, found: set[str]) -> None:
    if not isinstance(ast, dict):
        return
    children = ast.get("children") or []
    if ast.get("type") == "subexpression" and len(children) >= 2:
        head, nxt = children[0], children[1]
        if (
            head.get("type") == "field"
            and head.get("value") == "nodes"
            and nxt.get("type") == "field"
        ):
            found.add(str(nxt.get("value")))
    for child in children:
        _collect_node_refs(child, found)
