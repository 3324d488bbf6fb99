"""Export and import of one tenant's items as DynamoDB JSON lines.

The format is DynamoDB's own export to S3, for backups and for moving a tenant between tables or
regions. Items go out exactly as stored and come back the same way; an import never overwrites
and never writes outside its tenant. A deployment item makes a version live, so it is imported
only once the deploy gate passes that version as imported (``GatePassed``); the others are
imported first, so the gate sees the tenant's settings, waivers and approvals.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from runtime.store import codec
from runtime.store.access import ConditionFailed
from runtime.store.errors import Conflict, InvalidInput, StoreError
from runtime.store.gatepass import GatePassed
from runtime.store.graphstate import head_from
from runtime.store.keys import DEPLOYMENTS, GRAPHS, RUNS, Key
from runtime.store.scoped import Scoped


class TransferOps(Scoped):
    def export_lines(self) -> Iterator[str]:
        """Every item of this tenant: fixed partitions, graph versions, runs' durable state.

        Version partitions are found through the graph heads (unfinished deletes included),
        durable state through the run records.
        """
        graph_ids: list[str] = []
        run_ids: list[str] = []
        for pk in self._keys.fixed_partitions():
            for item in self._table.query_raw(pk):
                if pk == self._keys.root and item["SK"]["S"].startswith(GRAPHS):
                    graph_ids.append(head_from(codec.from_item(item)).graph_id)
                elif pk == self._keys.runs and item["SK"]["S"].startswith(RUNS):
                    run_ids.append(item["SK"]["S"].removeprefix(RUNS))
                yield codec.to_line(item)
        for graph_id in graph_ids:
            for item in self._table.query_raw(self._keys.graph_versions(graph_id)):
                yield codec.to_line(item)
        for run_id in run_ids:
            for item in self._table.query_raw(self._keys.durable_run(run_id)):
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

    def import_lines(self, lines: Iterable[str], gate: Callable[[str, int], GatePassed]) -> int:
        """Check every line first, then create the items one conditional put at a time.

        Returns how many items were written. An item already present with the same content is
        skipped (so an interrupted import can simply be run again); one present with other
        content stops the import with ``Conflict``. Deployments come last, each only if
        ``gate(graph_id, version)`` passes it (it raises ``GateRefused`` otherwise); those
        refused are not written, and ``InvalidInput`` then names each with the gate's reason
        (everything else is in).
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
        deployments = [(n, i) for n, i in items if self._is_deployment(i)]
        written = 0
        for number, item in [(n, i) for n, i in items if not self._is_deployment(i)]:
            written += self._create(number, item)
        refused: list[str] = []
        for number, item in deployments:
            fields = codec.from_item(item)
            graph_id, version = str(fields.get("graph_id")), fields.get("version")
            try:
                if not isinstance(version, int):
                    raise InvalidInput(f"version {version!r} is not a version number")
                passed = gate(graph_id, version)
                passed.admit(self.tenant_id, graph_id, version, self._version_hash(passed))
            except StoreError as exc:  # GateRefused, or evidence for something else
                slug = fields.get("slug")
                where = f"line {number}: deployment '{slug}' ({graph_id} v{version})"
                refused.append(f"{where}: {exc}")
                continue
            written += self._create(number, item)
        if refused:
            raise InvalidInput(
                f"{written} item(s) imported; the deploy gate refused: " + "; ".join(refused)
            )
        return written

    def _is_deployment(self, item: codec.Item) -> bool:
        return bool(item["PK"]["S"] == self._keys.root and item["SK"]["S"].startswith(DEPLOYMENTS))

    def _version_hash(self, passed: GatePassed) -> str | None:
        stored = self._table.get(
            self._keys.graph_version(passed.graph_id, passed.version), attributes=("hash",)
        )
        return None if stored is None else stored.get("hash")

    def _create(self, number: int, item: codec.Item) -> int:
        """Put one item unless present; 1 if written, 0 if the same item was already there."""
        try:
            self._table.put_raw(item, condition="attribute_not_exists(#PK)")
        except ConditionFailed as exc:
            if exc.old != item:
                raise Conflict(
                    f"line {number}: a different item with key "
                    f"{item['PK']['S']} / {item['SK']['S']} already exists; not overwritten"
                ) from None
            return 0
        return 1
