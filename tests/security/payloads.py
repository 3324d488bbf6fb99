"""The expression-escape corpus and the oracle that decides whether a payload "did something".

The corpus is ``tests/fixtures/payloads/expression-escapes.txt`` plus a few payloads that do not
fit on a line of a text file (thousands of characters, control characters), built here.

The oracle is deliberately about *evidence of execution*, not about exact output: a payload
that ran as code would leave a sentinel that only running code can produce (``'AUT'+'ERITY'``
gives ``AUTERITY``, ``7*191`` gives ``1337``, ``id`` prints ``uid=``, a leaked Python object
prints ``<class ...>`` or ``object at 0x...``). A sentinel counts only if it is not already in
the payload itself or in the example data the node was run with.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

CORPUS_FILE = Path(__file__).parents[1] / "fixtures" / "payloads" / "expression-escapes.txt"


def load_corpus(path: Path = CORPUS_FILE) -> list[str]:
    payloads = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if not line or line.startswith("##"):
            continue
        payloads.append(line)
    return payloads


FILE_PAYLOADS = load_corpus()

GENERATED_PAYLOADS = [
    # Longer than MAX_EXPRESSION_CHARS (2 000) and far deeper than the interpreter's stack.
    "{{ " + "(" * 5_000 + "input" + ")" * 5_000 + " }}",
    # A 10 000-character expression.
    "{{ " + "input." * 1_665 + "name }}",
    # Just under the length limit, as deep as the limit allows.
    "{{ " + "[" * 990 + "input" + "]" * 990 + " }}",
    "{{ " + "{a:" * 600 + "@" + "}" * 600 + " }}",
    "{{ input." + "a." * 990 + "a }}",
    "{{ " + "not_null(" * 300 + "input" + ")" * 300 + " }}",
    # More expressions in one text than MAX_SEGMENTS.
    "{{ input }}" * 600,
    # A literal longer than the expression limit.
    '{{ `"' + "A" * 5_000 + '"` }}',
    # Control characters, line and paragraph separators, zero-width and bidi characters.
    "{{ input.__class__\x00 }}",
    "\x00{{7*7}}\x00",
    "{{ input\r\n.__class__ }}",
    "{{ input.\u200b__class__ }}",
    "{{ input.__cl\u200bass__ }}",
    "\u2028{{ input }}\u2029{{ 7*191 }}",
    "{{ input.name }}\r\nX-Injected: 1\r\n\r\n<script>",
    "\u202e}}191*7{{\u202c",
    "{{ '\ud800' }}",
    "\ufeff{{ input.__class__ }}",
]

PAYLOADS = FILE_PAYLOADS + GENERATED_PAYLOADS

ALWAYS_SENTINELS = (
    "AUTERITY",
    "uid=",
    "gid=",
    "root:x:0",
    "<class ",
    "<built-in",
    "<module ",
    "<function ",
    "<bound method",
    "<code object",
    "object at 0x",
    "Traceback (most recent",
    'File "/',
    "site-packages",
    "[object Object]",
    "[Function",
    "process.env.",
)
"""Text only a payload that ran (or a leaked Python object) would put into an output."""

NUMERIC_SENTINELS = (
    (re.compile(r"7\s*\*\s*191|191\s*\*\s*7"), re.compile(r"(?<![\w.:+-])1337(?![\w.:])")),
    (re.compile(r"(?<![\d'\"])7\s*\*\s*7(?![\d'\"])"), re.compile(r"(?<![\w.:+-])49(?![\w.:])")),
    (re.compile(r"7\s*\*\s*'7'"), re.compile(r"7777777")),
)
"""(what the payload computes, what its result looks like as a standalone token)."""


def as_text(value: Any) -> str:
    """JSON text of a value, leaked Python objects shown by ``repr``; never raises."""
    try:
        return json.dumps(value, ensure_ascii=False, default=repr, allow_nan=True)
    except (ValueError, TypeError, RecursionError) as exc:  # e.g. an int too long to print
        return f"<not printable: {type(exc).__name__}: {str(exc)[:80]}>"


def evidence(payload: str, produced: str, known: str) -> list[str]:
    """Sentinels in ``produced`` that neither the payload nor the ``known`` data contain."""
    hay = payload + "\n" + known
    found = [s for s in ALWAYS_SENTINELS if s in produced and s not in hay]
    for computes, result in NUMERIC_SENTINELS:
        if computes.search(payload) and result.search(produced) and not result.search(hay):
            found.append(result.pattern)
    return found


def message_problem(message: str) -> str | None:
    """Why an error message is not "clear": empty, huge, or carrying a traceback."""
    if not message.strip():
        return "empty error message"
    if len(message) >= 500:
        return f"error message is {len(message)} characters long"
    if "Traceback" in message or 'File "' in message:
        return "error message contains traceback text"
    return None
