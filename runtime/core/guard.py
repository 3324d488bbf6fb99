"""The run-time guard: no card number or card security code reaches a model or a log.

Design-time rules see declared classes; this sees the actual payload, so an undeclared card
number typed into a free-text field is still caught. It refuses the step instead of masking
it: silently changing what a model or log receives would hide the graph's mistake. The
message names the field, never the value.
"""

from __future__ import annotations

import re
from typing import Any

GUARDED = frozenset({"llm", "log"})
"""Capabilities whose inputs are checked."""

SECURITY_CODE_KEYS = frozenset(
    {"cvv", "cvv2", "cvc", "cvc2", "cid", "csc", "security_code", "card_security_code"}
)
DIGIT_RUN = re.compile(r"(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)")
"""What may be a card number: 13-19 digits, spaces or dashes allowed between them."""
MAX_DEPTH = 64
MAX_STRINGS = 100_000


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = ord(ch) - 48
        if i % 2 == 1:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _card_like(digits: str) -> bool:
    return luhn_valid(digits) and len(set(digits)) > 1


def card_number_in(text: str) -> bool:
    """Whether ``text`` holds a 13-19 digit run (spaces or dashes allowed) passing Luhn."""
    return any(_card_like(re.sub(r"\D", "", m.group(0))) for m in DIGIT_RUN.finditer(text))


def mask_card(text: str) -> str:
    """First 6 and last 4 digits stay, as PCI-DSS allows a displayed card number to show."""
    digits = re.sub(r"\D", "", text)
    return digits[:6] + "*" * (len(digits) - 10) + digits[-4:]


def _masked_if_card(match: re.Match[str]) -> str:
    run = match.group(0)
    digits = re.sub(r"\D", "", run)
    # Card numbers start 2-6 (Mastercard's 2-series to Discover's 6): a 13-digit epoch in
    # milliseconds or an order number starting 1, 7, 8 or 9 is left as it is.
    if digits[0] in "23456" and _card_like(digits):
        return mask_card(run)
    return run


def mask_card_numbers(text: str) -> str:
    """``text`` with every card number in it cut to its first 6 and last 4 digits."""
    return DIGIT_RUN.sub(_masked_if_card, text)


def _key(key: object) -> str:
    return str(key).lower().replace("-", "_")


def sensitive_payload(value: Any) -> str | None:
    """Where in ``value`` a card number or a security code sits (a path), or None."""
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    seen = 0
    while stack and seen < MAX_STRINGS:
        current, path, depth = stack.pop()
        seen += 1
        if isinstance(current, str):
            if card_number_in(current):
                return f"a card number in {path or 'the input'}"
        elif isinstance(current, int) and not isinstance(current, bool):
            if card_number_in(str(current)):
                return f"a card number in {path or 'the input'}"
        elif depth < MAX_DEPTH and isinstance(current, dict):
            for k, v in current.items():
                where = f"{path}.{k}" if path else str(k)
                if _key(k) in SECURITY_CODE_KEYS and v not in (None, ""):
                    return f"a card security code in {where}"
                stack.append((v, where, depth + 1))
        elif depth < MAX_DEPTH and isinstance(current, list):
            stack.extend((v, f"{path}[{i}]", depth + 1) for i, v in enumerate(current))
    return None
