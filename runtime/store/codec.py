"""Python values to DynamoDB attribute values and back, exactly.

``dynamodb-json`` does the typed conversion, but given arbitrary values it corrupts them:
``loads`` turns any string shaped like ``%Y-%m-%dT%H:%M:%S.%f`` into a ``datetime``, collapses a
map keyed by a type tag (``{"S": "x"}`` comes back as ``"x"``) and returns ``1e20`` as the raw
``{"N": "1E+20"}``; ``dumps`` raises on ``1e300`` and on ints over 38 digits; and DynamoDB itself
trims trailing zeros, so a stored ``1.0`` reads back as the int ``1``. So only *native*
attributes -- keys and the few integers and enums that conditions and TTL need -- are stored as
DynamoDB types, checked to be values dynamodb-json reads back unchanged. Every other attribute
holds the exact JSON text of its value.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

Item = dict[str, dict[str, Any]]
"""DynamoDB JSON: attribute name to a one-key map such as ``{"S": "..."}``."""

NATIVE = frozenset(
    {
        "PK",
        "SK",
        "version",
        "revision",
        "status",
        "expires_at",
        "epoch",
        "deleting",
        "wtoken",
        "seq",
        "micros",
        "lease_until",
        "RUN_GRAPH",
        "RUN_STATUS",
        "RUN_GRAPH_STATUS",
        "failures",
        "blocked_until",
    }
)
"""Attributes that keys, conditions, filters or TTL read natively; all others are JSON text."""

MAX_ITEM_BYTES = 390_000
"""DynamoDB refuses items over 400 KB; the margin covers write tokens and number rounding."""

TYPE_TAGS = frozenset({"S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"})
_MAX_NATIVE_INT = 10**38 - 1
_DATETIME_SHAPE = "%Y-%m-%dT%H:%M:%S.%f"


def pack(value: Any) -> str:
    """The exact JSON text of ``value``; ASCII-only so lone surrogates survive UTF-8 too."""
    return json.dumps(value, ensure_ascii=True, separators=(",", ":"))


def unpack(text: str) -> Any:
    return json.loads(text)


def _native(name: str, value: Any) -> int | str:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) <= _MAX_NATIVE_INT:
        return value
    if isinstance(value, str) and value and not _looks_like_datetime(value):
        return value
    raise ValueError(f"attribute {name!r} cannot hold {value!r} natively")


def _looks_like_datetime(value: str) -> bool:
    if len(value) < 26 or value[4:5] != "-":  # "%Y-%m-%dT%H:%M:%S.%f" is at least 26 long
        return False
    try:
        datetime.strptime(value, _DATETIME_SHAPE)
    except ValueError:
        return False
    return True


def encode_value(name: str, value: Any) -> dict[str, Any]:
    """One attribute value as DynamoDB JSON, e.g. for ``ExpressionAttributeValues``."""
    return to_item({name: value})[name]


def to_item(fields: Mapping[str, Any]) -> Item:
    item: Item = {}
    for name, value in fields.items():
        if name in TYPE_TAGS:
            raise ValueError(f"attribute name {name!r} would be read back as a type tag")
        if name in NATIVE:
            # What dynamodb-json makes of the values ``_native`` lets through, without its
            # JSON round trip per item (``tests/store/test_codec.py`` holds it to that).
            native = _native(name, value)
            item[name] = {"N": str(native)} if isinstance(native, int) else {"S": native}
        else:
            # JSON text is a string attribute, exactly what dynamodb-json makes of it; handing
            # it over would only round-trip a run's whole trace through JSON once more.
            item[name] = {"S": pack(value)}
    return item


def from_item(item: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    from dynamodb_json import json_util  # type: ignore[import-untyped]

    plain: dict[str, Any] = json_util.loads(dict(item), as_dict=True)
    return {name: value if name in NATIVE else unpack(value) for name, value in plain.items()}


def item_size(item: Item) -> int:
    """DynamoDB's own accounting (names plus values), rounding numbers up; for the 400 KB cap."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: Mapping[str, Any]) -> int:
    ((tag, inner),) = value.items()
    if tag == "S":
        return len(str(inner).encode())
    if tag == "N":
        return len(str(inner)) // 2 + 2
    if tag == "M":
        return 3 + sum(len(k.encode()) + 1 + _value_size(v) for k, v in inner.items())
    if tag == "L":
        return 3 + sum(1 + _value_size(v) for v in inner)
    return 1


def to_line(item: Item) -> str:
    """One exported item in the format DynamoDB's own export to S3 writes (``{"Item": ...}``)."""
    return json.dumps({"Item": item}, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def from_line(line: str) -> Item:
    """Parse and shape-check an exported line; ValueError says what is wrong with it."""
    try:
        document = json.loads(line)
    except ValueError as exc:
        raise ValueError(f"not JSON ({exc})") from None
    item = document.get("Item") if isinstance(document, dict) else None
    if not isinstance(item, dict) or not item:
        raise ValueError('expected {"Item": {...}}')
    for name, value in item.items():
        if not (isinstance(value, dict) and len(value) == 1 and next(iter(value)) in TYPE_TAGS):
            raise ValueError(f"attribute {name!r} is not a DynamoDB JSON value")
    return item
