"""The audit trail is a hash chain: concurrent writers never fork it, and any edit, deletion
or reordering of stored events is found and located by ``verify_audit``."""

from __future__ import annotations

import itertools
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from runtime.store import Conflict, NotFound, TenantStore, create_table, make_client
from runtime.store.chain import GENESIS
from runtime.store.codec import from_item, to_item

WRITERS = 20
EACH = 3


def _items(client: Any, store: TenantStore) -> list[dict[str, Any]]:
    keys = store._keys
    response = client.query(
        TableName=store._table.name,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :ev)",
        ExpressionAttributeValues={":pk": {"S": keys.audit}, ":ev": {"S": "EV#"}},
    )
    return [from_item(i) for i in response["Items"]]


def _put(client: Any, store: TenantStore, fields: dict[str, Any]) -> None:
    client.put_item(TableName=store._table.name, Item=to_item(fields))


def _delete(client: Any, store: TenantStore, sk: str) -> None:
    key = to_item({"PK": store._keys.audit, "SK": sk})
    client.delete_item(TableName=store._table.name, Key=key)


@pytest.fixture
def trail(acme: TenantStore) -> TenantStore:
    for i in range(5):
        acme.record_audit(actor="user:ann@example.com", action="graph.save", target=f"g{i}")
    return acme


def test_events_link_to_the_one_before_and_verify(trail: TenantStore) -> None:
    events = list(trail.iter_audit())
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
    report = trail.verify_audit()
    assert report.ok, report.problems
    assert (report.events, report.head_seq, report.head_hash) == (5, 5, events[-1].hash)


def test_an_edited_event_is_found(trail: TenantStore, client: Any) -> None:
    item = _items(client, trail)[2]
    _put(client, trail, {**item, "actor": "user:mallory@example.com"})
    (problem,) = trail.verify_audit().problems
    assert (problem.seq, problem.event_id) == (3, item["event_id"])
    assert "edited" in problem.problem


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(
    trail: TenantStore, client: Any
) -> None:
    from runtime.store.chain import event_hash

    item = {**_items(client, trail)[1], "target": "forged"}
    item["hash"] = event_hash(item)
    _put(client, trail, item)
    (problem,) = trail.verify_audit().problems
    assert problem.seq == 3
    assert "does not follow" in problem.problem


def test_a_deleted_event_is_found(trail: TenantStore, client: Any) -> None:
    _delete(client, trail, "EV#000000000002")
    problems = trail.verify_audit().problems
    assert problems[0].seq == 2
    assert "deleted" in problems[0].problem


def test_deleting_the_newest_events_is_found_through_the_head(
    trail: TenantStore, client: Any
) -> None:
    _delete(client, trail, "EV#000000000005")
    _delete(client, trail, "EV#000000000004")
    (problem,) = trail.verify_audit().problems
    assert problem.problem == "event(s) 4-5 deleted (head)"


def test_swapped_events_are_found(trail: TenantStore, client: Any) -> None:
    items = _items(client, trail)
    a, b = items[1], items[3]
    _put(client, trail, {**b, "SK": a["SK"]})
    _put(client, trail, {**a, "SK": b["SK"]})
    located = {p.seq for p in trail.verify_audit().problems}
    assert {2, 4} <= located


def test_the_chain_continues_after_verification_and_across_tenants(
    trail: TenantStore, acme_co: TenantStore
) -> None:
    acme_co.record_audit(actor="x", action="y", target="z")
    assert acme_co.verify_audit().ok
    assert [e.seq for e in acme_co.iter_audit()] == [1]
    assert trail.record_audit(actor="a", action="b", target="c").seq == 6


def test_waivers_are_created_once_listed_and_removed(acme: TenantStore) -> None:
    waiver = acme.add_waiver("intake", "HIPAA-PHI-LLM-BAA", "BAA signed on paper", by="u")
    with pytest.raises(Conflict):
        acme.add_waiver("intake", "HIPAA-PHI-LLM-BAA", "another reason here", by="v")
    acme.add_waiver("intake2", "SOC2-ERROR-PATH", "the second graph only", by="u")
    assert acme.list_waivers("intake") == [waiver]
    acme.remove_waiver("intake", "HIPAA-PHI-LLM-BAA")
    assert acme.list_waivers("intake") == []
    with pytest.raises(NotFound):
        acme.remove_waiver("intake", "HIPAA-PHI-LLM-BAA")


def test_packs_default_to_the_industry_preset(acme: TenantStore, acme_co: TenantStore) -> None:
    assert acme.compliance_packs() == ("pci", "gdpr")  # automotive
    assert acme_co.compliance_packs() == ("pci", "soc2", "gdpr")  # finance
    settings = acme.get_settings().model_copy(update={"compliance_packs": ["hipaa"]})
    acme.update_settings(settings)
    assert acme.compliance_packs() == ("hipaa",)


def test_twenty_concurrent_writers_never_fork_the_chain(aws_env: None, moto_server: str) -> None:
    name = f"t{uuid.uuid4().hex}"
    clients = [make_client(endpoint_url=moto_server, region="us-east-1") for _ in range(WRITERS)]
    create_table(clients[0], name)
    start = threading.Barrier(WRITERS)

    def write(index: int) -> list[int]:
        store = TenantStore(clients[index], "acme", name)
        start.wait()
        return [
            store.record_audit(actor=f"w{index}", action="x", target=str(i)).seq
            for i in range(EACH)
        ]

    try:
        with ThreadPoolExecutor(WRITERS) as pool:
            seqs = [s for batch in pool.map(write, range(WRITERS)) for s in batch]
        assert sorted(seqs) == list(range(1, WRITERS * EACH + 1))
        store = TenantStore(clients[0], "acme", name)
        report = store.verify_audit()
        assert report.ok, report.problems
        assert report.events == report.head_seq == WRITERS * EACH
    finally:
        for c in clients:
            c.close()


def test_cli_verify_says_where_the_trail_was_tampered_with(trail: TenantStore, client: Any) -> None:
    from typer.testing import CliRunner

    from runtime.store.cli import audit_app

    runner = CliRunner()
    ok = runner.invoke(audit_app, ["verify", "acme"])
    assert ok.exit_code == 0, ok.output
    assert "5 event(s), head 5" in ok.output
    assert "intact" in ok.output
    _delete(client, trail, "EV#000000000003")
    bad = runner.invoke(audit_app, ["verify", "acme"])
    assert bad.exit_code == 1
    assert "event 3: event(s) 3 deleted" in bad.output
