"""Header names and values as data, so user text can never add a header or split a response.

A CR or LF in a name or value is how header injection and response splitting work; names are
restricted to RFC 9110 ``token`` characters and values may not hold CR, LF or NUL.
"""

from __future__ import annotations

import re

from runtime.core.errors import NodeRunError

TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$")
MAX_VALUE_CHARS = 8_192

CREDENTIAL_WORDS = frozenset(
    {"authorization", "auth", "cookie", "token", "secret", "password", "passwd", "pwd",
     "credential", "credentials", "session", "signature", "apikey", "sig"}
)  # fmt: skip
CREDENTIAL_RUNS = ("apikey", "accesskey", "secretkey", "privatekey", "accesstoken", "clientsecret")
"""Words (and run-together words) in a header or query name that say its value is a credential."""
_WORD = re.compile(r"[^a-z0-9]+")


def is_credential_name(name: str) -> bool:
    """Whether a header or query parameter of this name carries a credential.

    ``Authorization``, ``Cookie``, ``X-API-Key``, ``api_key``, ``access_token``, ``key``...: the
    values of these are write-only secrets (``HttpRequest.secret_paths``).
    """
    lower = name.lower()
    words = [w for w in _WORD.split(lower) if w]
    joined = "".join(words)
    return (
        lower == "key"
        or any(w in CREDENTIAL_WORDS for w in words)
        or any(run in joined for run in CREDENTIAL_RUNS)
    )


def header_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a header name, or None."""
    if TOKEN.match(name):
        return None
    return f"{name[:40]!r} is not a valid header name (letters, digits and !#$%&'*+.^_`|~-)"


def check_header_names(names: list[str], forbidden: frozenset[str]) -> list[tuple[str, str]]:
    """List problems with header names: invalid, set twice (any case), or managed for you."""
    problems: list[tuple[str, str]] = []
    seen: set[str] = set()
    for name in names:
        problem = header_name_problem(name)
        lower = name.lower()
        if problem:
            problems.append((f"headers.{name}", problem))
        elif lower in forbidden:
            problems.append((f"headers.{name}", f"'{name}' is set for you and cannot be set here"))
        elif lower in seen:
            problems.append((f"headers.{name}", f"header '{name}' is set twice"))
        seen.add(lower)
    return problems


def checked_headers(headers: dict[str, str], managed: frozenset[str]) -> dict[str, str]:
    """A config validator: refuse the whole header map with every problem named."""
    problems = check_header_names(list(headers), managed)
    if problems:
        raise ValueError("; ".join(message for _, message in problems))
    return headers


def header_value(name: str, value: object) -> str:
    """Turn a rendered value into header text, refusing CR/LF/NUL rather than stripping them."""
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int | float | str):
        text = str(value)
    else:
        raise NodeRunError(f"header '{name}' must be text, got {type(value).__name__}")
    if any(c in text for c in "\r\n\0"):
        raise NodeRunError(f"header '{name}' contains a line break or NUL, which is not allowed")
    if len(text) > MAX_VALUE_CHARS:
        raise NodeRunError(f"header '{name}' is longer than {MAX_VALUE_CHARS} characters")
    return text
