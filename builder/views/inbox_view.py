"""The Inbox's rows and the approval form's values, as plain data (the same in tests as on screen).

A wait's ``details.fields`` are what the graph's author asked the approver for; the page
renders them as inputs whose text this module turns back into the JSON the service checks.
The service stays the judge of what is valid: a value that does not parse is sent as typed,
so its 422 (naming ``form.<field>``) is what the approver reads.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from builder.views.present import when
from runtime.store import Wait

INPUT_CHARS = 160
"""The input shown on an Inbox card: enough to recognise the request, not the whole body."""

FIELD_TYPES = ("text", "number", "boolean", "choice")


def item_key(wait: Wait) -> str:
    """One card's identity: a run may wait at one node once per for-each item."""
    path = ".".join(str(i) for i in wait.iteration)
    return f"{wait.run_id}/{wait.node}" + (f"/{path}" if path else "")


def compact(value: Any, limit: int = INPUT_CHARS) -> str:
    """One line of JSON, cut with an ellipsis."""
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def request_of(value: Any) -> Any:
    """What an approver reads of the input: an HTTP event's body, not its headers."""
    if isinstance(value, dict) and "body" in value and ("headers" in value or "method" in value):
        return value["body"]
    return value


def assignee(details: Mapping[str, Any]) -> str:
    """``role:editor`` reads as "any editor"; a person's address as it is."""
    who = str(details.get("assignee") or "")
    if who.startswith("role:"):
        return f"any {who[5:]}"
    return who.removeprefix("user:")


def field_rows(details: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The form's inputs; an unknown type is shown as text (the service still checks it)."""
    rows: list[dict[str, Any]] = []
    for raw in details.get("fields") or []:
        if not isinstance(raw, dict) or not raw.get("name"):
            continue
        kind = str(raw.get("type") or "text")
        name = str(raw["name"])
        rows.append(
            {
                "name": name,
                "label": str(raw.get("label") or name),
                "type": kind if kind in FIELD_TYPES else "text",
                "required": bool(raw.get("required")),
                "options": [str(o) for o in raw.get("options") or []],
            }
        )
    return rows


def inbox_row(wait: Wait, may_decide: bool, names: Mapping[str, str]) -> dict[str, Any]:
    """An Inbox card: what is asked, of whom, since when and until when."""
    return {
        "key": item_key(wait),
        "run_id": wait.run_id,
        "node": wait.node,
        "iteration": json.dumps(wait.iteration),
        "title": wait.title or f"{wait.node} in run {wait.run_id}",
        "graph": names.get(wait.graph_id) or wait.graph_id,
        "graph_id": wait.graph_id,
        "version": f"v{wait.version}",
        "asked": when(wait.created_at),
        "deadline": when(wait.until),
        "assignee": assignee(wait.details),
        "input": compact(request_of(wait.input)),
        "may_decide": may_decide,
        "fields": field_rows(wait.details),
    }


def form_values(fields: Sequence[Mapping[str, Any]], typed: Mapping[str, str]) -> dict[str, Any]:
    """The ``form`` of a decision from what was typed (``typed`` maps a field's name to text).

    An empty optional field is left out; a number that does not parse and an empty required
    field go as typed, so the service's answer says which field is wrong.
    """
    form: dict[str, Any] = {}
    for field in fields:
        name = str(field["name"])
        text = typed.get(name, "")
        kind = field.get("type")
        if kind == "boolean":
            form[name] = text == "true"
            continue
        if text == "" and not field.get("required"):
            continue
        if kind == "number":
            form[name] = _number(text)
        else:
            form[name] = text
    return form


def _number(text: str) -> Any:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def wait_rows(waits: Sequence[Wait]) -> list[dict[str, str]]:
    """A run's waits on its detail: what it waits for, and how each was answered."""
    return [
        {
            "node": w.node,
            "kind": w.kind,
            "status": w.status.replace("_", " "),
            "title": w.title,
            "assignee": assignee(w.details),
            "until": when(w.until),
            "decided": (
                f"{w.decided_by or ''} {when(w.decided_at)}".strip() if w.decided_at else ""
            ),
            "comment": w.comment,
        }
        for w in waits
    ]
