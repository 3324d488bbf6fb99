"""Export and import of one tenant's items as DynamoDB JSON lines.

The format is DynamoDB's own export to S3, for backups and for moving a tenant between tables or
regions. Items go out exactly as stored and come back the same way; an import never overwrites
and never writes outside its tenant.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from runtime.store import codec
from runtime.store.access import ConditionFailed
from runtime.store.errors import Conflict, InvalidInput
from runtime.store.graphstate import head_from
from runtime.store.keys import GRAPHS, Key
from runtime.store.scoped import Scoped


class TransferOps(Scoped):
    def export_lines(self) -> Iterator[str]:
        """Every item of this tenant: its fixed partitions, then each graph's versions.

        Version partitions are found through the graph heads (unfinished deletes included).
        """
        graph_ids: list[str] = []
        for pk in self._keys.fixed_partitions():
            for item in self._table.query_raw(pk):
                if pk == self._keys.root and item["SK"]["S"].startswith(GRAPHS):
                    graph_ids.append(head_from(codec.from_item(item)).graph_id)
                yield codec.to_line(item)
        for graph_id in graph_ids:
            for item in self._table.query_raw(self._keys.graph_versions(graph_id)):
                yield codec.to_line(item)

    def delete_all(self) -> int:
        """Delete every item ``export_lines`` holds (offboarding a tenant); returns how many.

        Newest partitions first (graph versions before the heads that lead to them), so an
        interrupted delete can simply be run again and still finds what is left.
        """
        items = [codec.from_line(line) for line in self.export_lines()]
        for item in reversed(items):
            self._table.delete(Key(item["PK"]["S"], item["SK"]["S"]))
        return len(items)

    def import_lines(self, lines: Iterable[str]) -> int:
        """Check every line first, then create the items one conditional put at a time.

        Returns how many items were written. An item already present with the same content is
        skipped (so an interrupted import can simply be run again); one present with other
        content stops the import with ``Conflict``.
        """
        items: list[tuple[int, codec.Item]] = []
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                item = codec.from_line(line)
                codec.from_item(item)
            except ValueError as exc:
                raise InvalidInput(f"line {number}: {exc}") from None
            pk, sk = item.get("PK", {}).get("S"), item.get("SK", {}).get("S")
            if not isinstance(pk, str) or not isinstance(sk, str):
                raise InvalidInput(f"line {number}: the item has no string PK and SK")
            if not self._keys.owns(pk):
                raise InvalidInput(
                    f"line {number}: the item belongs to another tenant (PK {pk!r}); "
                    f"this is tenant '{self.tenant_id}'"
                )
            items.append((number, item))
        written = 0
        for number, item in items:
            try:
                self._table.put_raw(item, condition="attribute_not_exists(#PK)")
                written += 1
            except ConditionFailed as exc:
                if exc.old != item:
                    raise Conflict(
                        f"line {number}: a different item with key "
                        f"{item['PK']['S']} / {item['SK']['S']} already exists; not overwritten"
                    ) from None
        return written
