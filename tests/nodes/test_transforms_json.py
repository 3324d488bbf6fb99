import json

import pytest

from nodes.transforms.json_parse import MAX_JSON_BYTES
from runtime.core.errors import NodeRunError
from tests.nodes.helpers import run_node


async def test_parse_from_the_input_by_default() -> None:
    out = await run_node("transform.json_parse", {}, {"in": '{"a": [1, 2.5, null, true]}'})
    assert out == {"out": {"a": [1, 2.5, None, True]}}


async def test_parse_from_a_field() -> None:
    out = await run_node(
        "transform.json_parse", {"source": "{{ input.raw }}"}, {"in": {"raw": "[1]"}}
    )
    assert out == {"out": [1]}


async def test_malformed_json_reports_line_and_column() -> None:
    with pytest.raises(
        NodeRunError, match=r"source: invalid JSON at line 2, column 7: Expecting value"
    ):
        await run_node("transform.json_parse", {}, {"in": '{"a": 1,\n "b": }'})


@pytest.mark.parametrize("text", ["", "   ", "{'a': 1}", "NaN", "[Infinity]"])
async def test_not_json_is_an_error(text: str) -> None:
    with pytest.raises(NodeRunError, match="source: invalid JSON"):
        await run_node("transform.json_parse", {}, {"in": text})


async def test_non_text_source_is_an_error() -> None:
    with pytest.raises(NodeRunError, match="source must be JSON text, got dict"):
        await run_node("transform.json_parse", {}, {"in": {"a": 1}})


async def test_nesting_limit() -> None:
    ok = "[" * 64 + "]" * 64
    assert (await run_node("transform.json_parse", {}, {"in": ok}))["out"] is not None
    with pytest.raises(NodeRunError, match="nested more than 64 levels"):
        await run_node("transform.json_parse", {}, {"in": "[" * 65 + "]" * 65})
    with pytest.raises(NodeRunError, match="nested more than 64 levels"):
        await run_node("transform.json_parse", {}, {"in": '{"a":' * 5000 + "1" + "}" * 5000})


async def test_size_limit() -> None:
    text = json.dumps("x" * MAX_JSON_BYTES)
    with pytest.raises(NodeRunError, match="larger than"):
        await run_node("transform.json_parse", {}, {"in": text})


async def test_format_indented_by_default() -> None:
    out = await run_node("transform.json_format", {}, {"in": {"b": 1, "a": "é"}})
    assert out == {"out": '{\n  "b": 1,\n  "a": "é"\n}'}


async def test_format_compact_and_sorted() -> None:
    out = await run_node(
        "transform.json_format", {"indent": 0, "sort_keys": True}, {"in": {"b": [1, 2], "a": None}}
    )
    assert out == {"out": '{"a":null,"b":[1,2]}'}


async def test_format_a_built_value_and_scalars() -> None:
    out = await run_node(
        "transform.json_format",
        {"value": {"name": "{{ input.n }}"}, "indent": 4},
        {"in": {"n": "Ada"}},
    )
    assert out == {"out": '{\n    "name": "Ada"\n}'}
    assert await run_node("transform.json_format", {}, {"in": None}) == {"out": "null"}


async def test_format_rejects_nan_and_bad_indent() -> None:
    with pytest.raises(NodeRunError, match="cannot be written as JSON"):
        await run_node("transform.json_format", {}, {"in": float("nan")})
    with pytest.raises(ValueError, match="indent"):
        await run_node("transform.json_format", {"indent": 3}, {"in": 1})


async def test_round_trip() -> None:
    value = {"a": [1, {"b": "c"}], "d": 1.5}
    text = (await run_node("transform.json_format", {"indent": 0}, {"in": value}))["out"]
    assert (await run_node("transform.json_parse", {}, {"in": text}))["out"] == value
