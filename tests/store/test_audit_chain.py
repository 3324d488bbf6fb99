"""The audit trail is a hash chain: concurrent writers never fork it, events left queued or half
sealed are finished, and any edit, deletion or reordering of stored events is found and located
by ``verify_audit``."""

from __future__ import annotations

import itertools
import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from runtime.core.clock import utc_now
from runtime.store import Conflict, NotFound, TenantStore, create_table, make_client
from runtime.store.chain import GENESIS
from runtime.store.codec import from_item, to_item
from runtime.store.ids import time_ordered_id

WRITERS = 24
EACH = 10


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


def _queue_items(client: Any, store: TenantStore) -> list[dict[str, Any]]:
    response = client.query(
        TableName=store._table.name,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": store._keys.audit_queue}},
    )
    return [from_item(i) for i in response["Items"]]


def _queue_only(store: TenantStore, client: Any, target: str, at: str | None = None) -> str:
    """An event queued by a writer that then stopped (crashed before sealing)."""
    event_id = time_ordered_id()
    key = store._keys.audit_queued(event_id)
    fields = {"event_id": event_id, "at": at or utc_now(), "actor": "crashed", "action": "x",
              "target": target, "details": {}, "outcome": "attempted"}  # fmt: skip
    _put(client, store, {"PK": key.pk, "SK": key.sk, **fields})
    return event_id


def test_an_event_left_queued_is_sealed_by_the_next_append_in_order(
    trail: TenantStore, client: Any
) -> None:
    left = _queue_only(trail, client, "left behind")
    after = trail.record_audit(actor="a", action="b", target="after")
    assert after.seq == 7
    events = list(trail.iter_audit())
    assert [e.target for e in events[-2:]] == ["left behind", "after"]
    assert (events[-2].event_id, events[-2].seq) == (left, 6)
    assert _queue_items(client, trail) == []
    assert trail.verify_audit().ok


def test_verify_seals_queued_events_first(trail: TenantStore, client: Any) -> None:
    _queue_only(trail, client, "waiting")
    report = trail.verify_audit()
    assert report.ok, report.problems
    assert report.events == report.head_seq == 6


def test_an_event_queued_too_long_is_reported(trail: TenantStore, client: Any) -> None:
    stale = _queue_only(trail, client, "stuck", at="2020-01-01T00:00:00.000000+00:00")
    (problem,) = trail.verify_audit(seal=False).problems
    assert (problem.seq, problem.event_id) == (None, stale)
    assert "never sealed" in problem.problem
    assert [e.event_id for e in trail.iter_audit()][-1] == stale  # listed, not lost


def test_a_sealer_that_stopped_half_way_is_finished_without_duplicates(
    trail: TenantStore, client: Any
) -> None:
    """A sealer wrote ``EV#6`` for a queued event and stopped: queue item kept, head at 5."""
    from runtime.store.audit import _linked

    event_id = _queue_only(trail, client, "half sealed")
    (queued,) = _queue_items(client, trail)
    head = trail._table.get(trail._keys.audit_head())
    assert head is not None
    body = _linked(queued, 6, head["hash"])
    key = trail._keys.audit_event(6)
    _put(client, trail, {"PK": key.pk, "SK": key.sk, **body})

    for i in range(3):
        trail.record_audit(actor="a", action="b", target=f"next {i}")
    events = list(trail.iter_audit())
    assert [e.event_id for e in events].count(event_id) == 1
    assert [e.seq for e in events] == list(range(1, 10))
    assert _queue_items(client, trail) == []
    report = trail.verify_audit()
    assert report.ok, report.problems
    assert report.head_seq == 9


def test_a_held_lease_defers_sealing_and_an_expired_one_is_taken_over(
    trail: TenantStore,
) -> None:
    """A lease holder that died: writers queue and return; once it expires, the next one
    seals everything in order."""
    import time

    head = trail._keys.audit_head()
    now_ms = time.time_ns() // 1_000_000
    trail._table.update(head, set_fields={"lease_owner": "dead", "lease_until": now_ms + 60_000})
    waiting = trail.record_audit(actor="a", action="b", target="while held")
    assert waiting.seq == 0
    assert [(e.target, e.seq) for e in trail.iter_audit()][-1] == ("while held", 0)
    trail._table.update(head, set_fields={"lease_until": now_ms - 1})
    after = trail.record_audit(actor="a", action="b", target="after expiry")
    assert after.seq == 7
    assert [e.target for e in trail.iter_audit()][-2:] == ["while held", "after expiry"]
    assert trail.verify_audit(seal=False).ok


def test_a_copy_of_an_event_in_the_chain_is_reported(trail: TenantStore, client: Any) -> None:
    from runtime.store.audit import _linked

    items = _items(client, trail)
    copy = _linked(items[1], 6, items[-1]["hash"])
    key = trail._keys.audit_event(6)
    _put(client, trail, {"PK": key.pk, "SK": key.sk, **copy})
    problems = trail.verify_audit().problems
    assert any(p.seq == 6 and p.problem == "copy of event 2" for p in problems)


def test_many_concurrent_writers_make_one_unforked_chain_holding_every_event(
    aws_env: None, moto_server: str
) -> None:
    """Writers race on one tenant's trail; every event lands exactly once, in one chain, and
    the requests per event stay flat (sealing is batched, not one winner per event)."""
    name = f"t{uuid.uuid4().hex}"
    clients = [make_client(endpoint_url=moto_server, region="us-east-1") for _ in range(WRITERS)]
    create_table(clients[0], name)
    start = threading.Barrier(WRITERS)
    requests = Counter[str]()
    lock = threading.Lock()

    def count(event_name: str, **_: Any) -> None:
        with lock:
            requests[event_name.rsplit(".", 1)[-1]] += 1

    for c in clients:
        c.meta.events.register("before-send.dynamodb", count)

    def write(index: int) -> list[str]:
        store = TenantStore(clients[index], "acme", name)
        start.wait()
        return [
            store.record_audit(actor=f"w{index}", action="x", target=str(i)).event_id
            for i in range(EACH)
        ]

    try:
        with ThreadPoolExecutor(WRITERS) as pool:
            written = [e for batch in pool.map(write, range(WRITERS)) for e in batch]
        per_event = sum(requests.values()) / len(written)
        store = TenantStore(clients[0], "acme", name)
        report = store.verify_audit()
        assert report.ok, report.problems
        assert report.events == report.head_seq == WRITERS * EACH
        events = list(store.iter_audit())
        assert sorted(e.event_id for e in events) == sorted(written)
        assert [e.seq for e in events] == list(range(1, WRITERS * EACH + 1))
        assert events[0].prev_hash == GENESIS
        assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
        for index in range(WRITERS):  # each writer's events in the order it wrote them
            mine = [e.target for e in events if e.actor == f"w{index}"]
            assert mine == [str(i) for i in range(EACH)]
        assert per_event < 12, dict(requests)
    finally:
        for c in clients:
            c.close()


def test_cli_verify_says_where_the_trail_was_tampered_with(trail: TenantStore, client: Any) -> None:
    from typer.testing import CliRunner

    from runtime.cli.store import audit_app

    runner = CliRunner()
    ok = runner.invoke(audit_app, ["verify", "acme"])
    assert ok.exit_code == 0, ok.output
    assert "5 event(s), head 5" in ok.output
    assert "intact" in ok.output
    _delete(client, trail, "EV#000000000003")
    bad = runner.invoke(audit_app, ["verify", "acme"])
    assert bad.exit_code == 1
    assert "event 3: event(s) 3 deleted" in bad.output
