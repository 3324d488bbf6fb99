"""A test run as the builder shows it: one result per node, badges on the canvas, JSON text.

Pure functions over the service's ``RunRecord`` (a dict here, as it travels to the browser),
so the run panel, the canvas badges and the tests all read a run the same way.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel

MAX_SHOWN_CHARS = 20_000
"""A node's data shown in the panel is cut here (the run record keeps all of it)."""

RUN_BADGES = frozenset({"ok", "failed", "pinned", "skipped"})


class NodeResult(BaseModel):
    """What one node did in the last run (the last iteration, inside a for-each body)."""

    node: str
    status: str
    duration_ms: float = 0.0
    inputs: dict[str, Any] = {}
    outputs: dict[str, Any] = {}
    error: str | None = None
    handled: bool = False
    iterations: int = 1
    attempts: int = 0


def node_results(trace: Iterable[Mapping[str, Any]]) -> dict[str, NodeResult]:
    """Per node: its trace entry, or for a body node its last iteration and how many ran."""
    results: dict[str, NodeResult] = {}
    for entry in trace:
        node = entry.get("node")
        if not isinstance(node, str):
            continue  # a truncation marker
        error = entry.get("error") or None
        seen = results.get(node)
        results[node] = NodeResult(
            node=node,
            status=str(entry.get("status", "")),
            duration_ms=float(entry.get("duration_ms") or 0.0),
            inputs=dict(entry.get("inputs") or {}),
            outputs=dict(entry.get("outputs") or {}),
            error=str(error.get("message")) if isinstance(error, Mapping) else None,
            handled=bool(entry.get("handled")),
            iterations=(seen.iterations + 1) if seen else 1,
            attempts=int(entry.get("attempts") or 0),
        )
    return results


def pin_refusal(result: NodeResult) -> str | None:
    """Why this node's last result cannot be pinned, or ``None`` when it can.

    A pin stands in for the node's output; a node that failed (unhandled) or did not run
    produced none, and pinning "nothing" would skip everything after it.
    """
    if result.status == "failed" and not result.handled:
        reason = f": {result.error}" if result.error else ""
        return f"It failed in the last run{reason}. Fix it and run again, then pin its output."
    if not result.outputs:
        return "It did not run in the last run: there is nothing to pin."
    return None


def with_run(
    nodes: Sequence[dict[str, Any]], results: Mapping[str, NodeResult]
) -> list[dict[str, Any]]:
    """Copies of the canvas nodes carrying the run's outcome (``data.runStatus``/``runMs``).

    Nodes the run did not reach lose any earlier outcome, so the canvas never mixes runs.
    """
    out = []
    for node in nodes:
        data = dict(node.get("data") or {})
        result = results.get(node["id"])
        if result is None or result.status not in RUN_BADGES:
            data.pop("runStatus", None)
            data.pop("runMs", None)
            data.pop("runError", None)
        else:
            data["runStatus"] = result.status
            data["runMs"] = round(result.duration_ms, 1)
            if result.error:
                data["runError"] = result.error[:300]
            else:
                data.pop("runError", None)
        if result is not None and result.outputs:
            # A small skeleton of the output, for the inspector's "paths from the last run".
            data["runOutput"] = sample_of(next(iter(result.outputs.values())))
        else:
            data.pop("runOutput", None)
        out.append({**node, "data": data})
    return out


def sample_of(value: Any, depth: int = 4) -> Any:
    """The shape of ``value`` with little of its data: first list item, short strings."""
    if depth <= 0:
        return None
    if isinstance(value, dict):
        return {str(k): sample_of(v, depth - 1) for k, v in list(value.items())[:30]}
    if isinstance(value, list):
        return [sample_of(value[0], depth - 1)] if value else []
    if isinstance(value, str):
        return value[:40]
    return value


def pretty(value: Any) -> str:
    """JSON for a person: indented, non-ASCII kept, cut at ``MAX_SHOWN_CHARS``."""
    text = json.dumps(value, indent=2, ensure_ascii=False, default=str)
    if len(text) > MAX_SHOWN_CHARS:
        return text[:MAX_SHOWN_CHARS] + f"\n... ({len(text) - MAX_SHOWN_CHARS} more characters)"
    return text


class InputError(ValueError):
    """The sample input is not JSON; the message says where."""


def parse_sample(text: str) -> Any:
    """The Run panel's sample input: JSON (empty means no input), NaN and Infinity refused."""
    if not text.strip():
        return None

    def refuse(name: str) -> Any:
        raise InputError(f"{name} is not valid JSON")

    try:
        return json.loads(text, parse_constant=refuse)
    except json.JSONDecodeError as exc:
        raise InputError(f"line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise InputError("the input is nested too deeply") from None
