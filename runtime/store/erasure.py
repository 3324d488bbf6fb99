"""GDPR erasure: remove one data subject's data from a tenant's runs and conversations.

A subject is found by an identifier (an email, a phone number, a patient or customer id), in
any case. Where personal data lives, and what happens to it:

- **Run records** (inputs, outputs, traces, errors): every string holding the identifier is
  replaced by ``[erased]``; the run's ids, times and status stay, so usage and audit still add
  up. A string is replaced whole, since "Ada (ada@example.com) called" is about Ada throughout.
- **AI conversations**: the same, turn by turn.
- **Graph versions** are immutable and content-hashed, and hold designs, not records; any that
  mention the identifier (a sample input, say) are *reported*, for a person to re-save without
  it, never silently rewritten.
- **The audit trail** holds metadata only (ids, actions, class names): no values to erase, and
  its hash chain must not change. The erasure itself is audited, by counts, not by identifier.

The service also drops its caches for the tenant (``runtime.service.routes.gdpr``).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from runtime.store.access import ConditionFailed
from runtime.store.errors import InvalidInput
from runtime.store.tenant import TenantStore

ERASED = "[erased]"
MIN_IDENTIFIER = 4
"""Shorter identifiers would match too much to erase safely (``"ann"`` is in ``"channel"``)."""
KEEP = frozenset({"PK", "SK", "wtoken", "run_id", "graph_id", "conversation_id", "owner"})
"""Keys and ids are never personal data here (run and key ids are random)."""


class ErasureReport(BaseModel):
    runs: int = 0
    """Run records that held the identifier (now redacted)."""
    conversations: int = 0
    values: int = 0
    """Strings replaced."""
    graphs: list[str] = Field(default_factory=list)
    """Graphs whose versions mention the identifier: re-save them without it."""


def _redact(value: Any, needle: str) -> tuple[Any, int]:
    if isinstance(value, str):
        return (ERASED, 1) if needle in value.casefold() else (value, 0)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (ERASED, 1) if needle == str(value).casefold() else (value, 0)
    if isinstance(value, list):
        items = [_redact(v, needle) for v in value]
        return [v for v, _ in items], sum(n for _, n in items)
    if isinstance(value, dict):
        count = 0
        out: dict[Any, Any] = {}
        for key, inner in value.items():
            new_key, n_key = _redact(key, needle) if isinstance(key, str) else (key, 0)
            out[new_key], n = _redact(inner, needle)
            count += n + n_key
        return out, count
    return value, 0


def erase_subject(store: TenantStore, identifier: str) -> ErasureReport:
    """Redact every value holding ``identifier`` (see the module docstring)."""
    needle = identifier.strip().casefold()
    if len(needle) < MIN_IDENTIFIER:
        raise InvalidInput(f"an identifier needs at least {MIN_IDENTIFIER} characters")
    report = ErasureReport()
    table, keys = store._table, store._keys
    for partition, counter in ((keys.runs, "runs"), (keys.chats, "conversations")):
        for fields in table.query(partition):
            kept = {k: v for k, v in fields.items() if k in KEEP}
            rest = {k: v for k, v in fields.items() if k not in KEEP}
            redacted, count = _redact(rest, needle)
            if not count:
                continue
            try:  # only if it is still there: a run expiring meanwhile stays gone
                table.put({**kept, **redacted}, condition="attribute_exists(#PK)")
            except ConditionFailed:
                continue
            setattr(report, counter, getattr(report, counter) + 1)
            report.values += count
    for head in store.list_graphs():
        for info in store.list_versions(head.graph_id):
            version = store.get_graph(head.graph_id, info.version)
            if _redact(version.graph.model_dump(mode="json"), needle)[1]:
                report.graphs.append(head.graph_id)
                break
    return report
