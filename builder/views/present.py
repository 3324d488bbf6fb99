"""What the shell's pages show, computed from the service's models as plain dicts of strings.

Reflex components render these rows as they are (no formatting logic in components), and
the rows are the same in unit tests as on screen.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from runtime.core.diagnostics import Diagnostic
from runtime.core.diff import GraphDiff
from runtime.service.schemas import DRAFT_VERSION
from runtime.store import RunRecord

MAX_JSON_CHARS = 20_000
"""A trace can hold megabytes; the page shows the start and says it was cut."""


def when(iso: str | None) -> str:
    """``2026-11-25 14:03 UTC`` from the service's ISO timestamps; the raw text if unparsable."""
    if not iso:
        return ""
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def duration(ms: float | None) -> str:
    """How long a run or a node took, with the digits that matter.

    A run of a few nodes takes under a millisecond, which must not read as "0 ms".
    """
    if ms is None:
        return ""
    if ms < 1:
        return f"{ms:.2f} ms"
    if ms < 10:
        return f"{ms:.1f} ms"
    if ms < 1000:
        return f"{ms:.0f} ms"
    return f"{ms / 1000:.2f} s"


def json_text(value: Any) -> str:
    """Indented JSON for a code block, cut at ``MAX_JSON_CHARS`` with a visible note."""
    try:
        text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    if len(text) > MAX_JSON_CHARS:
        return text[:MAX_JSON_CHARS] + f"\n… ({len(text) - MAX_JSON_CHARS} more characters)"
    return text


def actor(who: str) -> str:
    """``user:ada@example.com`` -> ``ada@example.com``; ``key:k_12`` -> ``API key k_12``."""
    kind, _, rest = who.partition(":")
    if kind == "user" and rest:
        return rest
    if kind == "key" and rest:
        return f"API key {rest}"
    return who


def diff_rows(diff: GraphDiff) -> list[dict[str, str]]:
    """One row per change, in the order a reviewer reads them: graph, nodes, edges."""
    rows = [
        {"kind": "changed", "what": "graph", "text": f"{field} changed"} for field in diff.changed
    ]
    for change in diff.nodes:
        text = f"node {change.node} {change.change}"
        if change.fields:
            text += ": " + ", ".join(change.fields[:8])
            if len(change.fields) > 8:
                text += f" (+{len(change.fields) - 8} more)"
        rows.append({"kind": change.change, "what": "node", "text": text})
    rows.extend(
        {"kind": change.change, "what": "edge", "text": f"edge {change.edge} {change.change}"}
        for change in diff.edges
    )
    return rows


def diff_summary(diff: GraphDiff) -> str:
    """``2 nodes added, 1 changed, 1 edge removed`` or ``no changes``."""
    parts: list[str] = []
    for what, changes in (("node", diff.nodes), ("edge", diff.edges)):
        counts: dict[str, int] = {}
        for change in changes:
            counts[change.change] = counts.get(change.change, 0) + 1
        for i, (kind, n) in enumerate(sorted(counts.items())):
            noun = f"{n} {what}{'s' if n != 1 else ''} " if i == 0 else f"{n} "
            parts.append(f"{noun}{kind}")
    if diff.changed:
        parts.append("graph " + ", ".join(diff.changed) + " changed")
    return ", ".join(parts) or "no changes"


def diagnostic_rows(diagnostics: Sequence[Diagnostic]) -> list[dict[str, str]]:
    """Deploy refusals, errors first, each naming where it is (node, edge or graph)."""
    ordered = sorted(diagnostics, key=lambda d: (d.severity != "error", d.node or "", d.code))
    return [
        {
            "severity": d.severity,
            "where": (f"node {d.node}" if d.node else f"edge {d.edge}" if d.edge else "graph")
            + (f" · {d.path}" if d.path else ""),
            "message": d.message + (f" ({d.hint})" if d.hint else ""),
        }
        for d in ordered
    ]


def curl_command(url: str, body: str = '{"message": "hello"}', key: str | None = None) -> str:
    r"""A copy-paste ``curl``: with a key just created, else reading it from the environment.

    Single quotes cannot appear unescaped inside a shell single-quoted string, so each one is
    closed, escaped and reopened (``'\''``).
    """

    def quoted(text: str) -> str:
        return "'" + text.replace("'", "'\\''") + "'"

    header = f"X-API-Key: {key}" if key else "X-API-Key: $AUTERITY_API_KEY"
    key_part = quoted(header) if key else f'"{header}"'
    return (
        f"curl -s -X POST {quoted(url)} \\\n"
        f"  -H {key_part} \\\n"
        "  -H 'content-type: application/json' \\\n"
        f"  -d {quoted(body)}"
    )


def trace_rows(trace: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    """Per-node rows of a run's trace (``NodeTrace`` dumps, possibly cut short)."""
    rows = []
    for i, entry in enumerate(trace):
        error = entry.get("error") or {}
        iteration = entry.get("iteration") or []
        node = str(entry.get("node", "?"))
        if iteration:
            node += "[" + "][".join(str(x) for x in iteration) + "]"
        rows.append(
            {
                "key": f"{i}",
                "node": node,
                "type": str(entry.get("type", "")),
                "status": str(entry.get("status", "")),
                "duration": duration(_number(entry.get("duration_ms"))),
                "input": json_text(entry.get("inputs", {})),
                "output": json_text(entry.get("outputs", {})),
                "error": str(error.get("message", "")) if isinstance(error, dict) else str(error),
            }
        )
    return rows


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


STATUS_COLORS = {
    "succeeded": "green",
    "ok": "green",
    "failed": "red",
    "timed_out": "orange",
    "cancelled": "gray",
    "skipped": "gray",
    "disabled": "gray",
    "running": "blue",
    "queued": "blue",
    "waiting": "amber",
}

CANCELLABLE = frozenset({"queued", "running", "waiting"})
"""What the service's cancel accepts (it answers 409 for a run that ended)."""
REDRIVABLE = frozenset({"failed", "timed_out"})
"""What the service's redrive accepts; it may still refuse a run that kept no checkpoints."""


def status_color(status: str) -> str:
    return STATUS_COLORS.get(status, "gray")


TRIGGER_LABELS = {"manual": "test run"}
"""How a run's trigger reads in the runs list (the builder's Run button records "manual")."""


def run_row(record: RunRecord, names: Mapping[str, str]) -> dict[str, str]:
    """A row of the runs list, as a person reads it.

    The graph by name (its id if it is gone), "draft" for a test run of an unsaved canvas,
    the trigger in words and the run's own duration.
    """
    trigger = TRIGGER_LABELS.get(record.trigger, record.trigger)
    return {
        "id": record.run_id,
        "graph": names.get(record.graph_id) or record.graph_id,
        "graph_id": record.graph_id,
        "version": "draft" if record.version == DRAFT_VERSION else f"v{record.version}",
        "status": record.status,
        "color": status_color(record.status),
        "trigger": trigger + (f" /{record.slug}" if record.slug else ""),
        "started": when(record.started_at),
        "duration": duration(record.duration_ms),
        "error": str((record.error or {}).get("message", "")),
        "parent": record.parent_run_id or "",
        "redrives": str(record.redrives) if record.redrives else "",
        "can_cancel": "yes" if record.status in CANCELLABLE else "",
        "can_redrive": "yes" if record.status in REDRIVABLE else "",
    }


def run_summary(status: str, ms: float | None) -> str:
    """The Run panel's one line: ``succeeded in 0.76 ms``."""
    took = duration(ms)
    return f"{status} in {took}" if took else status
