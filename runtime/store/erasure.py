"""GDPR erasure: remove one data subject's data from a tenant's runs, conversations and graphs.

A subject is found by an identifier (an email, a phone number, a patient or customer id), in
any case. Where personal data lives, and what happens to it:

- **Run records** (inputs, outputs, traces, errors): every string holding the identifier is
  replaced by ``[erased]``; the run's ids, times and status stay, so usage and audit still add
  up. A string is replaced whole, since "Ada (ada@example.com) called" is about Ada throughout.
- **AI conversations**: the same, turn by turn.
- **Graph versions** are immutable, except here: the right to erasure outweighs a version's
  history. Names, descriptions, metadata (sample inputs, pinned outputs), node labels, notes
  and configs that hold the identifier are redacted in place, and the version's hash is
  recomputed (so an approval of the old bundle no longer matches it). Ids, types, ports and
  edges are structure, not data; a graph whose *ids* hold the identifier cannot be redacted
  without breaking it, so it is reported, for a person to re-save and delete the old graph.
  Rewriting versions bumps the tenant settings' revision, which makes every service instance
  compile the tenant's graphs again rather than keep the old text in its cache.
- **The audit trail** holds metadata only (ids, actions, class names): no values to erase, and
  its hash chain must not change. The erasure itself is audited, by counts, not by identifier.

The service also drops its caches for the tenant (``runtime.service.routes.gdpr``).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, ValidationError

from runtime.core.canonical import graph_hash
from runtime.core.graph import Graph
from runtime.store.access import ConditionFailed
from runtime.store.errors import InvalidInput
from runtime.store.keys import GRAPHS, VERSIONS, Key
from runtime.store.tenant import TenantStore

ERASED = "[erased]"
MIN_IDENTIFIER = 4
"""Shorter identifiers would match too much to erase safely (``"ann"`` is in ``"channel"``)."""
KEEP = frozenset({"PK", "SK", "wtoken", "run_id", "graph_id", "conversation_id", "owner"})
"""Keys and ids are never personal data here (run and key ids are random)."""
STRUCTURE = frozenset(
    {"schema_version", "id", "type", "version", "parent", "position", "source", "target"}
)
"""A graph's and its nodes' structure: redacting these would break the graph, not erase data."""


class VersionRef(BaseModel, frozen=True):
    """One graph version (frozen, so a set of them answers ``in``)."""

    graph_id: str
    version: int


class ErasureReport(BaseModel):
    runs: int = 0
    """Run records that held the identifier (now redacted)."""
    conversations: int = 0
    values: int = 0
    """Strings replaced."""
    graph_versions: int = 0
    """Graph versions that held the identifier (now redacted)."""
    rewritten: list[VersionRef] = Field(default_factory=list)
    """Those versions: deployments of them are redeployed where
    the code runs elsewhere (AWS mode), so no function keeps the old text."""
    graphs: list[str] = Field(default_factory=list)
    """Graphs whose ids or ports hold the identifier, which erasure cannot rewrite."""
    undeployed: list[str] = Field(default_factory=list)
    """Slugs that served a rewritten version which no longer passes the deploy gate: taken
    down rather than serve either text unchecked (the service's erase route fills it)."""

    def rewrote(self, graph_id: str, version: int) -> bool:
        """Whether that version's text changed (so whatever serves it must be rebuilt)."""
        return VersionRef(graph_id=graph_id, version=version) in self.rewritten


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
    _erase_graphs(store, needle, report)
    if report.graph_versions:
        store.bump_settings_revision()
    return report


def _redact_graph(graph: dict[str, Any], needle: str) -> tuple[dict[str, Any], int]:
    """Redact a graph's data, never its structure (``STRUCTURE``) nor node positions."""
    out: dict[str, Any] = {}
    count = 0
    for key, value in graph.items():
        if key == "nodes":
            out[key] = []
            for node in value:
                kept = {k: v for k, v in node.items() if k in STRUCTURE}
                redacted, n = _redact({k: v for k, v in node.items() if k not in STRUCTURE}, needle)
                out[key].append({**kept, **redacted})
                count += n
        elif key in STRUCTURE or key == "edges":
            out[key] = value
        else:
            out[key], n = _redact(value, needle)
            count += n
    return out, count


def _erase_graphs(store: TenantStore, needle: str, report: ErasureReport) -> None:
    """Every version of every graph (earlier incarnations' leftovers too), and the heads' names."""
    table, keys = store._table, store._keys
    for head in table.query(keys.root, prefix=GRAPHS):
        graph_id = head["graph_id"]
        mentioned = False
        for item in table.query(keys.graph_versions(graph_id), prefix=VERSIONS):
            body, count = _redact_graph(item["graph"], needle)
            extra, n_extra = _redact({k: item[k] for k in ("name", "message") if k in item}, needle)
            if not count + n_extra:
                continue
            try:
                graph = Graph.model_validate(body)
            except ValidationError:  # a redacted value no longer fits: leave it, say so
                graph = None
            if graph is None or _redact(body, needle)[1]:
                mentioned = True
                continue
            fields = {**item, **extra, "graph": body, "hash": graph_hash(graph)}
            try:  # only the same incarnation, and only while it is still there
                table.put(fields, condition="#epoch = :epoch", values={":epoch": item["epoch"]})
            except ConditionFailed:
                continue
            report.graph_versions += 1
            report.rewritten.append(VersionRef(graph_id=graph_id, version=item["version"]))
            report.values += count + n_extra
        name, n_name = _redact(head.get("name", ""), needle)
        if n_name:
            try:
                table.update(
                    Key(head["PK"], head["SK"]),
                    set_fields={"name": name},
                    condition="#epoch = :epoch",
                    values={":epoch": head["epoch"]},
                )
                report.values += n_name
            except ConditionFailed:
                pass
        if mentioned:
            report.graphs.append(graph_id)
