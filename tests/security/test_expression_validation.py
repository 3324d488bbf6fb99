"""Expressions that can only fail are refused when the graph is validated, never deployed.

Issue 14: ``{{ eval('1+1') }}``, ``{{ ''|attr('__class__') }}``, ``{{ os.system('id') }}`` and
``{{ globals() }}`` validated, deployed (201), and then every call answered ``502 run_failed``
("Unknown function: eval()"). A function the engine does not have, or a call with the wrong
number of arguments, is now a validation error naming the node, the field and the function.
The corpus is ``tests/fixtures/payloads/refused-at-validation.txt``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from runtime.core import expr
from runtime.core.errors import CompileError, ExpressionError
from runtime.core.graph import Graph
from runtime.engine.compile import build_plan
from runtime.engine.validate import validate
from tests.security.payloads import load_corpus

ROOT = Path(__file__).parents[2]
REFUSED = load_corpus(ROOT / "tests" / "fixtures" / "payloads" / "refused-at-validation.txt")
ECHO = json.loads((ROOT / "examples" / "http-echo.graph.json").read_text(encoding="utf-8"))
CALL = re.compile(r"([a-z_]+)\(")

ACCEPTED = [
    "{{ length(input) }}",
    "{{ not_null(input.a, input.b, 'x') }}",
    "{{ sort_by(input.leads, &score) }}",
    "{{ max_by(input.leads, &score).name }}",
    "{{ now() }}",
    "{{ add(`1`, `2`) }}",
    "{{ merge(input, input) }}",
    "{{ join(', ', input.tags) }}",
    "{{ round(input.score, `2`) }}",
    "{{ replace(lower(trim(input.name)), 'a', 'b') }}",
    "{{ input.leads[?contains(name, 'A')].name | sort(@) }}",
    "{{ to_string(input) }}",
]


def _echo_with(payload: str) -> Graph:
    doc: dict[str, Any] = json.loads(json.dumps(ECHO))
    doc["nodes"][1]["config"]["body"]["echo"] = payload
    return Graph.model_validate(doc)


def _function(payload: str) -> str:
    """The function a corpus line is about: the last call in it (``to_number(...) || import``
    is about ``import``)."""
    return str(CALL.findall(payload)[-1])


def test_the_corpus_holds_the_issue_payloads() -> None:
    issue = {"{{ eval('1+1') }}", "{{ ''|attr('__class__') }}", "{{ os.system('id') }}"}
    assert issue | {"{{ globals() }}"} <= set(REFUSED)
    assert len(REFUSED) >= 12


@pytest.mark.parametrize("payload", REFUSED)
def test_a_bad_call_is_a_validation_error_with_the_field_path(payload: str) -> None:
    graph = _echo_with(payload)
    errors = [d for d in validate(graph) if d.severity == "error"]
    assert [(d.node, d.path, d.code) for d in errors] == [
        ("reply", "config.body.echo", "expression.syntax")
    ], errors
    assert f"{_function(payload)}()" in errors[0].message
    with pytest.raises(CompileError):
        build_plan(graph)


@pytest.mark.parametrize("payload", REFUSED)
def test_the_engine_refuses_the_call_before_anything_runs(payload: str) -> None:
    assert expr.check_value({"a": payload}) != []
    with pytest.raises(ExpressionError) as raised:
        expr.parse_template(payload)
    assert "Traceback" not in raised.value.message
    assert len(raised.value.message) < 400


@pytest.mark.parametrize("payload", ACCEPTED)
def test_known_functions_with_the_right_arguments_still_validate(payload: str) -> None:
    assert [d for d in validate(_echo_with(payload)) if d.severity == "error"] == []
