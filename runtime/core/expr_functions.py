"""The functions expressions may call: JMESPath's built-ins plus string and arithmetic helpers.

Every one is a pure function of JSON values. ``check_call`` holds a call to this table when an
expression is compiled, so an unknown name or a wrong argument count is a validation error
that names the field, never a failure of every run after the graph was deployed.
"""

from __future__ import annotations

import difflib
import math
from typing import Any

import jmespath.functions
from jmespath.functions import signature

from runtime.core.clock import utc_now
from runtime.core.errors import ExpressionError

MAX_INT_BITS = 1024
MAX_RESULT_CHARS = 2_000_000
"""Longest text ``replace()`` may produce (ten times the longest template)."""


def _bounded(name: str, value: float) -> float:
    """Keep arithmetic results finite and small: repeated squaring is a cheap CPU bomb."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ExpressionError(f"{name}() result is not a finite number")
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise ExpressionError(f"{name}() result is too large")
    return value


class Functions(jmespath.functions.Functions):
    """JMESPath's built-ins plus the string and arithmetic helpers users of n8n expect.

    JMESPath has no arithmetic operators, so ``add``/``subtract``/``multiply``/``divide`` are
    functions. All of these are pure functions of JSON values.
    """

    @signature({"types": ["string"]})
    def _func_lower(self, s: str) -> str:
        return s.lower()

    @signature({"types": ["string"]})
    def _func_upper(self, s: str) -> str:
        return s.upper()

    @signature({"types": ["string"]})
    def _func_trim(self, s: str) -> str:
        return s.strip()

    @signature({"types": ["string"]}, {"types": ["string"]})
    def _func_split(self, s: str, sep: str) -> list[str]:
        if not sep:
            raise ExpressionError("split() needs a non-empty separator")
        return s.split(sep)

    @signature({"types": ["string"]}, {"types": ["string"]}, {"types": ["string"]})
    def _func_replace(self, s: str, old: str, new: str) -> str:
        if not old:
            raise ExpressionError("replace() needs a non-empty search string")
        result = s.replace(old, new)
        if len(result) > MAX_RESULT_CHARS:
            raise ExpressionError("replace() result is too large")
        return result

    @signature({"types": ["number"]}, {"types": ["number"]})
    def _func_round(self, n: float, digits: float) -> float:
        if not math.isfinite(n):
            return n
        return round(n, max(0, min(int(digits), 15)))

    @signature({"types": ["number"]}, {"types": ["number"]})
    def _func_add(self, a: float, b: float) -> float:
        return _bounded("add", a + b)

    @signature({"types": ["number"]}, {"types": ["number"]})
    def _func_subtract(self, a: float, b: float) -> float:
        return _bounded("subtract", a - b)

    @signature({"types": ["number"]}, {"types": ["number"]})
    def _func_multiply(self, a: float, b: float) -> float:
        return _bounded("multiply", a * b)

    @signature({"types": ["number"]}, {"types": ["number"]})
    def _func_divide(self, a: float, b: float) -> float:
        if b == 0:
            raise ExpressionError("divide() by zero")
        return _bounded("divide", a / b)

    @signature()
    def _func_now(self) -> str:
        return utc_now()


FUNCTIONS = Functions()


def check_call(name: str, given: int, text: str) -> None:
    """Refuse a call to a function the table lacks, or with the wrong number of arguments.

    Such a call can only fail when it runs; refused here, it is a validation error instead
    of a 502 on every call to a deployed endpoint.
    """
    table: dict[str, Any] = FUNCTIONS.FUNCTION_TABLE
    spec = table.get(name)
    if spec is None:
        close = difflib.get_close_matches(name, list(table), n=1)
        hint = f"; did you mean {close[0]}()?" if close else ""
        raise ExpressionError(f"unknown function {name}(){hint}", expression=text)
    signature = spec["signature"]
    variadic = bool(signature) and bool(signature[-1].get("variadic"))
    wanted = len(signature)
    if given < wanted or (given > wanted and not variadic):
        least = "at least " if variadic else ""
        raise ExpressionError(
            f"{name}() takes {least}{wanted} argument(s), not {given}", expression=text
        )
