"""What a new password must be: long enough, and not one that attackers try first.

Checked when a password is set (a new user, a password change), never at login, so an account
made under an older policy can still log in and then choose a better one. The list of common
and breached passwords ships with the project (``data/common-passwords.txt``); nothing is
downloaded at run time.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from runtime.store.errors import InvalidInput

MIN_PASSWORD = 12
MAX_PASSWORD = 1024
MIN_DISTINCT = 5
"""``aaaaaaaaaaaa`` and ``abababababab`` are long and still guessed at once."""
COMMON_LIST = Path(__file__).parent / "data" / "common-passwords.txt"
_DECORATION = re.compile(r"^[\d\W_]+|[\d\W_]+$")


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def is_common(password: str) -> bool:
    """A listed password, or a listed word dressed with digits or symbols (``Password1234!``)."""
    lowered = password.lower()
    common = common_passwords()
    if lowered in common or lowered.replace(" ", "") in common:
        return True
    core = _DECORATION.sub("", lowered)
    return bool(core) and core in common


def check_new_password(password: object, what: str = "a password") -> None:
    """Raises ``InvalidInput`` naming ``what`` and the rule it breaks."""
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidInput(f"{what} has {MIN_PASSWORD} to {MAX_PASSWORD} characters")
    if len(set(password)) < MIN_DISTINCT:
        raise InvalidInput(f"{what} needs at least {MIN_DISTINCT} different characters")
    if is_common(password):
        raise InvalidInput(f"{what} is on the list of common or breached passwords")
