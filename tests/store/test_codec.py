from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from runtime.store import codec
from runtime.store.access import Table
from runtime.store.keys import Key

from .conftest import TABLE

# JSON values as they reach the store: every float (infinities too, which Python's json
# writes), ints beyond DynamoDB's 38 digits, any text including lone surrogates.
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(alphabet=st.characters(codec="utf-8") | st.characters(categories=["Cs"]))
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=25,
)

TRAPS: list[Any] = [
    "",
    {"S": "x"},  # dynamodb-json collapses maps keyed by a type tag
    {"N": "1", "M": {}, "L": [], "NULL": True, "BOOL": False},
    "2026-01-05T10:00:00.000000",  # ... and turns this shape into a datetime
    "2026-1-5T1:2:3.5",
    1.0,  # DynamoDB trims trailing zeros: would come back as the int 1
    -0.0,
    1e300,  # beyond DynamoDB's number range
    5e-324,
    10**40,  # beyond 38 digits
    float("inf"),
    "\ud800",  # a lone surrogate cannot be UTF-8 encoded as is
    [None, [], {}, ""],
]


def same(a: Any, b: Any) -> bool:
    """Equal *and* of the same JSON types all the way down (so 1 is not 1.0, -0.0 is not 0.0)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    return bool(a == b)


@pytest.mark.parametrize("value", TRAPS, ids=repr)
def test_known_traps_round_trip(value: Any) -> None:
    item = codec.to_item({"PK": "TENANT#a1#", "SK": "X", "value": value})
    assert same(codec.from_item(item)["value"], value)


@given(json_values)
@example({"S": {"N": "1.5"}})
def test_json_values_round_trip_exactly(value: Any) -> None:
    item = codec.to_item({"PK": "TENANT#a1#", "SK": "X", "value": value, "version": 3})
    decoded = codec.from_item(item)
    assert same(decoded["value"], value)
    assert decoded["version"] == 3
    assert same(codec.from_item(codec.from_line(codec.to_line(item)))["value"], value)


def test_round_trip_through_dynamodb(client: Any) -> None:
    """Through moto's wire format too (numbers as strings, maps, empty strings)."""
    table = Table(client, TABLE)

    @settings(max_examples=40, deadline=None)
    @given(json_values)
    @example(TRAPS)
    def check(value: Any) -> None:
        table.put({"PK": "TENANT#a1#", "SK": "X", "value": value})
        stored = table.get(Key("TENANT#a1#", "X"))
        assert stored is not None
        assert same(stored["value"], value)

    check()


def test_native_attributes_are_stored_as_dynamodb_types() -> None:
    item = codec.to_item({"PK": "TENANT#a1#", "version": 7, "name": "Orders"})
    assert item["PK"] == {"S": "TENANT#a1#"}
    assert item["version"] == {"N": "7"}
    assert item["name"] == {"S": '"Orders"'}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("version", 1.5),
        ("version", True),
        ("version", 10**40),
        ("status", ""),
        ("status", "2026-01-05T10:00:00.000000"),
        ("status", None),
    ],
)
def test_native_attributes_refuse_what_would_not_come_back(name: str, value: Any) -> None:
    with pytest.raises(ValueError, match="natively"):
        codec.to_item({name: value})


def test_type_tag_attribute_names_are_refused() -> None:
    with pytest.raises(ValueError, match="type tag"):
        codec.to_item({"S": "x"})


def test_item_size_matches_text_lengths() -> None:
    item = codec.to_item({"PK": "TENANT#a1#", "SK": "RUN#1", "data": "x" * 1000})
    expected = len("PK") + len("TENANT#a1#") + len("SK") + len("RUN#1") + len("data") + 1002
    assert codec.item_size(item) == expected


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("nope", "not JSON"),
        ("[]", "Item"),
        ('{"Item": {}}', "Item"),
        ('{"Item": {"PK": "TENANT#a1#"}}', "'PK'"),
        ('{"Item": {"PK": {"Q": "x"}}}', "'PK'"),
    ],
)
def test_malformed_lines_are_refused(line: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        codec.from_line(line)


def test_lines_are_dynamodb_s3_export_format() -> None:
    line = codec.to_line(codec.to_item({"PK": "TENANT#a1#", "SK": "X", "n": 1}))
    assert json.loads(line) == {
        "Item": {"PK": {"S": "TENANT#a1#"}, "SK": {"S": "X"}, "n": {"S": "1"}},
    }


@given(json_values)
@example("2026-11-25T10:00:00.123456")
@example({"S": "x"})
def test_encoding_is_what_dynamodb_json_makes_of_the_same_fields(value: Any) -> None:
    from dynamodb_json import json_util  # type: ignore[import-untyped]

    fields = {"PK": "TENANT#a1#", "SK": "RUN#1", "version": 3, "value": value, "output": [value]}
    plain = {k: v if k in codec.NATIVE else codec.pack(v) for k, v in fields.items()}
    assert codec.to_item(fields) == json_util.dumps(plain, as_dict=True)
    assert list(codec.to_item(fields)) == list(fields)


@given(
    st.integers(min_value=-(10**38) + 1, max_value=10**38 - 1),
    st.text(min_size=1).filter(lambda t: not t.startswith("20")),
)
def test_native_attributes_are_what_dynamodb_json_makes_of_them(number: int, text: str) -> None:
    from dynamodb_json import json_util

    fields = {"PK": text, "SK": "RUN#1", "version": number, "expires_at": abs(number)}
    assert codec.to_item(fields) == json_util.dumps(fields, as_dict=True)
