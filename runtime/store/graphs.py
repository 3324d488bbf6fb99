"""Graphs: immutable versions plus a head, saved with optimistic locking (see ``graphstate``)."""

from __future__ import annotations

import secrets
from contextlib import suppress
from dataclasses import replace
from typing import Any

from runtime.core.canonical import graph_hash
from runtime.core.clock import utc_now
from runtime.core.graph import Graph
from runtime.store import codec
from runtime.store.access import ConditionFailed
from runtime.store.deployments import slugs_serving
from runtime.store.errors import Conflict, InvalidInput, NotFound
from runtime.store.graphstate import (
    ROUNDS,
    Head,
    advance,
    discard_version,
    head_from,
    read_head,
    resolve_head,
)
from runtime.store.keys import GRAPH_ID, GRAPHS, MAX_VERSION, VERSIONS, checked
from runtime.store.models import GraphHead, GraphVersion, GraphVersionInfo
from runtime.store.scoped import Scoped, model_from

_INFO = ("graph_id", "version", "epoch", "message", "author", "created_at", "hash")


class GraphOps(Scoped):
    def create_graph(self, graph: Graph, *, author: str, message: str = "") -> GraphVersion:
        graph_id = checked(GRAPH_ID, graph.id, "graph id")
        for _ in range(ROUNDS):
            head = resolve_head(self._table, self._keys, graph_id)
            if head is None:
                head = Head(graph_id, 0, graph.name, utc_now(), author, secrets.token_hex(8))
                try:
                    self._table.put(head.fields(self._keys), condition="attribute_not_exists(#PK)")
                except ConditionFailed:
                    continue
            elif head.deleting is not None:
                self._finish_delete(head)
                continue
            elif head.version >= 1:
                raise Conflict(f"graph '{graph_id}' already exists", current_version=head.version)
            # A version-0 head is a create in progress (or one that crashed): version 1 decides.
            return self._commit(graph, head, author=author, message=message)
        raise Conflict(f"graph '{graph_id}' is changing too fast; retry")

    def save_graph(
        self, graph: Graph, *, base_version: int, author: str, message: str = ""
    ) -> GraphVersion:
        graph_id = checked(GRAPH_ID, graph.id, "graph id")
        head = resolve_head(self._table, self._keys, graph_id)
        if head is None or not head.live:
            raise NotFound(f"graph '{graph_id}'")
        if head.version != base_version:
            raise Conflict(
                f"graph '{graph_id}' is at version {head.version}, not {base_version}",
                current_version=head.version,
            )
        return self._commit(graph, head, author=author, message=message)

    def _commit(self, graph: Graph, head: Head, *, author: str, message: str) -> GraphVersion:
        """Write version ``head.version + 1``, then advance the head to it."""
        version = head.version + 1
        key = self._keys.graph_version(head.graph_id, version)
        fields: dict[str, Any] = {
            "PK": key.pk,
            "SK": key.sk,
            "graph_id": head.graph_id,
            "version": version,
            "epoch": head.epoch,
            "name": graph.name,
            "graph": graph.model_dump(mode="json"),
            "message": message,
            "author": author,
            "created_at": utc_now(),
            "hash": graph_hash(graph),
        }
        size = codec.item_size(codec.to_item(fields))
        if size > codec.MAX_ITEM_BYTES:
            raise InvalidInput(f"graph is too large to store ({size} bytes as stored)")
        for _ in range(3):
            try:
                self._table.put_new(fields)
                break
            except ConditionFailed as exc:
                old = exc.fields if exc.fields is not None else self._table.get(key)
                if old is None:  # removed again meanwhile
                    continue
                current = resolve_head(self._table, self._keys, head.graph_id)
                if old["epoch"] == head.epoch or current != head:  # lost the race: never overwrite
                    now = current.version if current is not None else None
                    raise Conflict(
                        f"graph '{head.graph_id}' was saved meanwhile (now at version {now})",
                        current_version=now,
                    ) from None
                # Our head is current, so the item is left over from an earlier incarnation.
                discard_version(self._table, self._keys, head.graph_id, version, old["epoch"])
        else:
            raise Conflict(f"graph '{head.graph_id}' is changing too fast; retry")
        try:
            advance(
                self._table,
                self._keys,
                head,
                version=version,
                name=graph.name,
                at=fields["created_at"],
                by=author,
            )
        except ConditionFailed:
            current = read_head(self._table, self._keys, head.graph_id)
            rolled = (
                current is not None
                and current.deleting is None
                and current.epoch == head.epoch
                and current.version >= version
            )
            if not rolled:  # deleted while we saved: take our version with it
                discard_version(self._table, self._keys, head.graph_id, version, head.epoch)
                raise NotFound(f"graph '{head.graph_id}'") from None
        return model_from(GraphVersion, fields)

    def get_graph(self, graph_id: str, version: int | None = None) -> GraphVersion:
        """The head version, or exactly ``version``: versions are immutable, so one read."""
        checked(GRAPH_ID, graph_id, "graph id")
        if version is None:
            head = resolve_head(self._table, self._keys, graph_id)
            if head is None or not head.live:
                raise NotFound(f"graph '{graph_id}'")
            version = head.version
        if not isinstance(version, int) or not 1 <= version <= MAX_VERSION:
            raise NotFound(f"graph '{graph_id}' version {version}")
        fields = self._table.get(self._keys.graph_version(graph_id, version))
        if fields is None:
            raise NotFound(f"graph '{graph_id}' version {version}")
        return model_from(GraphVersion, fields)

    def list_graphs(self) -> list[GraphHead]:
        heads = self._table.query(self._keys.root, prefix=GRAPHS)
        return [h.public() for h in map(head_from, heads) if h.live]

    def list_versions(self, graph_id: str) -> list[GraphVersionInfo]:
        """Newest first; the graph bodies are not read."""
        checked(GRAPH_ID, graph_id, "graph id")
        head = resolve_head(self._table, self._keys, graph_id)
        if head is None or not head.live:
            raise NotFound(f"graph '{graph_id}'")
        items = self._table.query(
            self._keys.graph_versions(graph_id),
            prefix=VERSIONS,
            newest_first=True,
            attributes=_INFO,
        )
        return [
            model_from(GraphVersionInfo, item)
            for item in items
            if item["epoch"] == head.epoch and item["version"] <= head.version
        ]

    def delete_graph(self, graph_id: str) -> None:
        """Tombstone the head, then delete the versions, then the head.

        The tombstone hides the graph at once, so a crash part-way leaves a graph that is gone
        rather than one that is broken; deleting again (or creating it again) finishes the job.
        """
        checked(GRAPH_ID, graph_id, "graph id")
        for _ in range(ROUNDS):
            head = resolve_head(self._table, self._keys, graph_id)
            if head is None or (head.deleting is None and head.version == 0):
                raise NotFound(f"graph '{graph_id}'")
            if head.deleting is None:
                head = self._tombstone(head)
                if head is None:
                    continue
            self._finish_delete(head)
            return
        raise Conflict(f"graph '{graph_id}' is changing too fast; retry")

    def _tombstone(self, head: Head) -> Head | None:
        """Mark the head deleted unless a deployment serves it.

        Deployments look for the mark after they write, and this looks for deployments after
        marking, so of a racing deploy and delete at least one sees the other.
        """
        key = self._keys.graph_head(head.graph_id)
        token = secrets.token_hex(8)
        try:
            self._table.update(
                key,
                set_fields={"deleting": token},
                condition="#epoch = :epoch AND attribute_not_exists(#deleting)",
                values={":epoch": head.epoch},
            )
        except ConditionFailed:
            return None
        slugs = slugs_serving(self._table, self._keys, head.graph_id)
        if slugs:
            with suppress(ConditionFailed):
                self._table.update(
                    key,
                    remove=("deleting",),
                    condition="#deleting = :deleting",
                    values={":deleting": token},
                )
            raise Conflict(
                f"graph '{head.graph_id}' is deployed at {', '.join(slugs)}; undeploy it first",
                current_version=head.version,
            )
        return replace(head, deleting=token)

    def _finish_delete(self, head: Head) -> None:
        pk = self._keys.graph_versions(head.graph_id)
        for item in list(self._table.query(pk, prefix=VERSIONS, attributes=("version",))):
            self._table.delete(self._keys.graph_version(head.graph_id, item["version"]))
        with suppress(ConditionFailed):  # another deleter may have finished first
            self._table.delete(
                self._keys.graph_head(head.graph_id),
                condition="#deleting = :deleting",
                values={":deleting": head.deleting},
            )
