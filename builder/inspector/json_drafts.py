"""JSON typed in the inspector that does not parse yet: kept as typed, shown as a problem.

A field in JSON mode can only store a value once its text parses. Until then the text lives
on the canvas node (``data.jsonDrafts``: field path -> text), so closing the inspector loses
nothing: the node's badge and the problems list say the field is not valid JSON and that the
node still uses its last valid value, and the inspector shows the text again when reopened.
Drafts never reach the graph (``flow.flow_to_graph`` reads only the graph's own fields).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from runtime.core.diagnostics import Diagnostic, error

DRAFTS_KEY = "jsonDrafts"
MAX_DRAFTS = 20
MAX_PATH_CHARS = 200
MAX_TEXT_CHARS = 100_000
CODE = "config.json_draft"


def clean(raw: Any) -> dict[str, str]:
    """The drafts the browser sent, kept only where they are text that does not parse.

    Anything else (not a mapping, non-text entries, oversized ones) is dropped: the browser
    is trusted with nothing beyond being JSON.
    """
    if not isinstance(raw, dict):
        return {}
    drafts: dict[str, str] = {}
    for path, text in list(raw.items())[:MAX_DRAFTS]:
        if not isinstance(path, str) or not isinstance(text, str) or not text.strip():
            continue
        if len(path) > MAX_PATH_CHARS or len(text) > MAX_TEXT_CHARS:
            continue
        if _parse_error(text) is not None:
            drafts[path] = text
    return drafts


def _parse_error(text: str) -> str | None:
    try:
        json.loads(text)
    except ValueError as exc:
        return str(exc)
    except RecursionError:
        return "nested too deeply"
    return None


def field_title(path: str) -> str:
    """``body`` -> ``Body``, ``headers.x_id`` -> ``Headers > X id``: the field as labelled."""
    return " > ".join(part.replace("_", " ").capitalize() for part in path.split(".") if part)


def diagnostics(nodes: Sequence[dict[str, Any]]) -> list[Diagnostic]:
    """One error per draft, on its node, saying what the run will use instead."""
    out: list[Diagnostic] = []
    for node in nodes:
        drafts = (node.get("data") or {}).get(DRAFTS_KEY) or {}
        for path, text in drafts.items():
            problem = _parse_error(str(text)) or "not JSON"
            out.append(
                error(
                    CODE,
                    f"{field_title(str(path)) or 'A field'} is not valid JSON yet ({problem});"
                    " the node still uses its last valid value",
                    node=str(node["id"]),
                    hint="fix the JSON, or switch the field to Text",
                )
            )
    return out
