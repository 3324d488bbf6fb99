"""Masking a run before it is stored: security-code fields go in any spelling and depth, card
numbers keep their first 6 and last 4 digits only, and a run with nothing to mask is stored as
it ran (not copied value by value)."""

from __future__ import annotations

from typing import Any

import pytest

from compliance.trace import MASK, Masker, RunLabels, mask_trace, mask_value, may_need_masking
from nodes.dataflow import NO_LABELS
from runtime.core.types import DataClass


@pytest.mark.parametrize(
    "key", ["cvv", "CVV2", "Cvc", "security-code", "Card_Security-Code", "CID", "csc"]
)
def test_every_spelling_of_a_security_code_is_masked(key: str) -> None:
    value = {"order": {"items": [{"card": {key: "123", "last4": "4242"}}]}}
    assert may_need_masking(value)
    masked = mask_value(value, NO_LABELS)
    assert masked == {"order": {"items": [{"card": {key: MASK, "last4": "4242"}}]}}
    assert value["order"]["items"][0]["card"][key] == "123"  # the run's own data is untouched


def test_empty_codes_and_lookalike_keys_are_left_alone() -> None:
    value = {"cvv": "", "cvv_hint": "3 digits", "note": "cvv", "discount": None}
    assert mask_value(value, NO_LABELS) == value


def test_a_trace_with_nothing_to_mask_is_returned_as_it_is() -> None:
    shared: dict[str, Any] = {"lead": {"email": "ada@example.com", "score": 85}}
    trace = [
        {"node": "hook", "inputs": {}, "outputs": {"out": shared}},
        {"node": "score", "inputs": {"in": shared}, "outputs": {"out": {"x": [1, 2]}}},
    ]
    assert not may_need_masking(trace)
    assert mask_trace(trace, RunLabels()) is trace


def test_a_shared_object_is_masked_alike_wherever_it_appears() -> None:
    shared: dict[str, Any] = {"card": {"cvc": "999", "brand": "visa"}}
    trace = [
        {"node": "a", "inputs": {}, "outputs": {"out": shared}},
        {"node": "b", "inputs": {"in": shared}, "outputs": {"out": {"ok": True}}},
    ]
    masked = mask_trace(trace, RunLabels())
    assert masked[0]["outputs"]["out"] == {"card": {"cvc": MASK, "brand": "visa"}}
    assert masked[1]["inputs"]["in"] == masked[0]["outputs"]["out"]
    assert masked[1]["outputs"]["out"] == {"ok": True}
    assert shared["card"]["cvc"] == "999"


def test_sad_labels_mask_their_paths_even_under_innocent_names() -> None:
    labels = RunLabels(outputs={"a": {"body.pin_block": frozenset({DataClass.SAD})}})
    assert labels.holds_sad
    trace = [{"node": "a", "inputs": {}, "outputs": {"out": {"body": {"pin_block": "0x1f"}}}}]
    masked = mask_trace(trace, labels)
    assert masked[0]["outputs"]["out"] == {"body": {"pin_block": MASK}}


def test_a_masker_copies_only_what_changes() -> None:
    untouched: dict[str, Any] = {"a": [1, {"b": 2}]}
    value = {"keep": untouched, "pay": {"cvv2": "123"}}
    masked = Masker().mask(value)
    assert masked["keep"] is untouched
    assert masked["pay"] == {"cvv2": MASK}


def test_a_value_the_fast_serializer_refuses_is_still_checked() -> None:
    """A lone surrogate cannot be UTF-8: the check falls back rather than letting it through."""
    value = {"note": "\ud800", "card": {"CVV": "123"}}
    assert may_need_masking(value)
    assert mask_value(value, NO_LABELS)["card"] == {"CVV": MASK}


def test_card_numbers_anywhere_keep_first_6_and_last_4_digits() -> None:
    value = {
        "note": "paid with 4111-1111-1111-1111 yesterday",
        "pan": 5500005555555559,
        "card": {"number": "378282246310005"},
    }
    assert may_need_masking(value)
    assert mask_value(value, NO_LABELS) == {
        "note": "paid with 411111******1111 yesterday",
        "pan": "550000******5559",
        "card": {"number": "378282*****0005"},
    }


def test_long_numbers_that_are_no_card_are_left_alone() -> None:
    value = {
        "sent_at_ms": 1764871234567,  # an epoch in milliseconds: starts with 1
        "order": "4111111111111112",  # fails Luhn
        "zeros": "0000000000000000",
        "same": "4444444444444444444",  # one digit repeated
        "phone": "+44 20 7946 0000",
    }
    assert mask_value(value, NO_LABELS) == value
