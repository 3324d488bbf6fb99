"""A graph's head and how it is rolled forward: shared by graph saves and deployments.

A save writes the immutable version item ``V#(n+1)`` first and then advances the head from
``n``. A crash (or a throttle) between the two leaves a complete version the head does not point
at yet; whoever reads the head next advances it, so the graph never wedges and never shows a
half-written state. Each incarnation of a graph id has a random ``epoch``: a version item left
behind by a deleted incarnation is garbage, not something to roll forward to.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from runtime.store.access import ConditionFailed, Table
from runtime.store.errors import Conflict
from runtime.store.keys import MAX_VERSION, TenantKeys
from runtime.store.models import GraphHead

ROUNDS = 20
_PROBE = ("version", "epoch", "name", "author", "created_at")


@dataclass(frozen=True)
class Head:
    graph_id: str
    version: int
    """0 while the first version is being written: such a graph does not exist yet."""
    name: str
    updated_at: str
    updated_by: str
    epoch: str
    deleting: str | None = None
    """Set (to the deleter's token) once a delete has begun; the graph is gone from then on."""

    @property
    def live(self) -> bool:
        return self.deleting is None and self.version >= 1

    def public(self) -> GraphHead:
        return GraphHead(
            graph_id=self.graph_id,
            name=self.name,
            version=self.version,
            updated_at=self.updated_at,
            updated_by=self.updated_by,
        )

    def fields(self, keys: TenantKeys) -> dict[str, Any]:
        key = keys.graph_head(self.graph_id)
        fields: dict[str, Any] = {
            "PK": key.pk,
            "SK": key.sk,
            "graph_id": self.graph_id,
            "version": self.version,
            "name": self.name,
            "updated_at": self.updated_at,
            "updated_by": self.updated_by,
            "epoch": self.epoch,
        }
        if self.deleting is not None:
            fields["deleting"] = self.deleting
        return fields


def head_from(fields: dict[str, Any]) -> Head:
    return Head(
        graph_id=fields["graph_id"],
        version=fields["version"],
        name=fields["name"],
        updated_at=fields["updated_at"],
        updated_by=fields["updated_by"],
        epoch=fields["epoch"],
        deleting=fields.get("deleting"),
    )


def read_head(table: Table, keys: TenantKeys, graph_id: str) -> Head | None:
    fields = table.get(keys.graph_head(graph_id))
    return None if fields is None else head_from(fields)


def advance(
    table: Table, keys: TenantKeys, head: Head, *, version: int, name: str, at: str, by: str
) -> None:
    """Move the head from ``head.version`` to ``version``; ConditionFailed if it moved first."""
    table.update(
        keys.graph_head(head.graph_id),
        set_fields={"version": version, "name": name, "updated_at": at, "updated_by": by},
        condition="#version = :version AND #epoch = :epoch AND attribute_not_exists(#deleting)",
        values={":version": head.version, ":epoch": head.epoch},
    )


def discard_version(
    table: Table, keys: TenantKeys, graph_id: str, version: int, epoch: str
) -> None:
    """Delete a version item of the given incarnation, if it is still there."""
    with suppress(ConditionFailed):
        table.delete(
            keys.graph_version(graph_id, version),
            condition="#epoch = :epoch",
            values={":epoch": epoch},
        )


def resolve_head(table: Table, keys: TenantKeys, graph_id: str) -> Head | None:
    """The head, first rolled forward over any complete version a crashed save left behind."""
    for _ in range(ROUNDS):
        head = read_head(table, keys, graph_id)
        if head is None or head.deleting is not None or head.version >= MAX_VERSION:
            return head
        nxt = table.get(keys.graph_version(graph_id, head.version + 1), attributes=_PROBE)
        if nxt is None or nxt["epoch"] != head.epoch:  # nothing, or an older incarnation's
            return head
        try:
            advance(
                table,
                keys,
                head,
                version=nxt["version"],
                name=nxt["name"],
                at=nxt["created_at"],
                by=nxt["author"],
            )
        except ConditionFailed:
            continue
    raise Conflict(f"graph '{graph_id}' is changing too fast to read; retry")
