"""The store's AI items: the monthly spend counter behind budgets, and chat conversations."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from runtime.ai.usage import AiCall, StoreLedger
from runtime.core.graph import Graph, Node
from runtime.core.llm.policy import AiPolicy
from runtime.store import (
    ChatTurn,
    Conflict,
    Directory,
    NotFound,
    TenantSettings,
    TenantStore,
    create_table,
    make_client,
)
from runtime.store.conversations import GRAPHS_KEPT, MAX_TURNS

ADA = "user:ada@example.com"
BOB = "user:bob@example.com"


def test_spend_starts_at_zero_and_adds_up(acme: TenantStore) -> None:
    assert acme.get_spend("2026-11") == 0
    assert acme.add_spend("2026-11", 1500) == 1500
    assert acme.add_spend("2026-11", -500) == 1000
    assert acme.get_spend("2026-11") == 1000
    assert acme.get_spend("2026-12") == 0


def test_a_reservation_past_the_limit_is_refused_and_changes_nothing(acme: TenantStore) -> None:
    assert acme.reserve_spend("2026-11", 600, 1000).granted
    refused = acme.reserve_spend("2026-11", 500, 1000)
    assert (refused.granted, refused.spent_micros) == (False, 600)
    assert acme.get_spend("2026-11") == 600
    assert acme.reserve_spend("2026-11", 400, 1000).granted  # exactly at the limit is fine
    assert not acme.reserve_spend("2026-11", 1, 1000).granted
    assert not acme.reserve_spend("2026-10", 2000, 1000).granted


def test_concurrent_reservations_never_overshoot_the_budget(
    aws_env: None, moto_server: str
) -> None:
    """Twenty callers with their own clients race for ten reservations' worth of budget."""
    name = f"t{uuid.uuid4().hex}"
    setup = make_client(endpoint_url=moto_server, region="us-east-1")
    create_table(setup, name)
    Directory(setup, name).create_tenant("acme", "Acme")
    clients = [make_client(endpoint_url=moto_server, region="us-east-1") for _ in range(20)]
    start = threading.Barrier(20)

    def reserve(index: int) -> bool:
        store = TenantStore(clients[index], "acme", name)
        start.wait()
        return store.reserve_spend("2026-11", 100, 1000).granted

    try:
        with ThreadPoolExecutor(max_workers=20) as pool:
            granted = list(pool.map(reserve, range(20)))
        assert sum(granted) == 10
        assert TenantStore(setup, "acme", name).get_spend("2026-11") == 1000
    finally:
        for client in [setup, *clients]:
            client.close()


def test_spend_and_conversations_are_per_tenant(acme: TenantStore, acme_co: TenantStore) -> None:
    acme.add_spend("2026-11", 42)
    conversation = acme.create_conversation(ADA, "Leads")
    assert acme_co.get_spend("2026-11") == 0
    with pytest.raises(NotFound):
        acme_co.get_conversation(ADA, conversation.conversation_id)
    assert acme_co.list_conversations(ADA) == []


async def test_the_store_ledger_files_calls_as_usage_records(acme: TenantStore) -> None:
    ledger = StoreLedger(acme)
    call = AiCall(
        at="2026-11-03T10:00:00+00:00", tenant_id="acme", graph_id="g", run_id="r",
        node_id="extract", provider="openai", model="gpt-4o-mini", input_tokens=12,
        output_tokens=3, cost_usd=0.0000036, latency_ms=12.5, attempts=2,
    )  # fmt: skip
    await ledger.record(call)
    (record,) = acme.list_usage("2026-11")
    assert (record.kind, record.graph_id, record.run_id) == ("ai.call", "g", "r")
    assert AiCall.from_record("acme", record) == call
    assert await ledger.reserve("2026-11", 10, 5) == (False, 0)
    assert await ledger.reserve("2026-11", 5, 5) == (True, 5)
    await ledger.adjust("2026-11", -2)
    assert await ledger.spent("2026-11") == 3


def test_the_ai_policy_is_part_of_the_settings(acme: TenantStore) -> None:
    assert acme.get_settings().ai == AiPolicy()
    policy = AiPolicy(monthly_budget_usd=25, preferred=["anthropic:claude-3-5-haiku-latest"])
    acme.update_settings(TenantSettings(ai=policy))
    assert acme.get_settings().ai == policy


def test_a_conversation_belongs_to_its_owner(acme: TenantStore) -> None:
    mine = acme.create_conversation(ADA, "  Dealership leads  ")
    assert mine.title == "Dealership leads"
    assert acme.get_conversation(ADA, mine.conversation_id) == mine
    with pytest.raises(NotFound):
        acme.get_conversation(BOB, mine.conversation_id)
    with pytest.raises(NotFound):
        acme.delete_conversation(BOB, mine.conversation_id)
    with pytest.raises(NotFound):
        acme.get_conversation(ADA, "../../x")
    later = acme.create_conversation(ADA, "Second")
    assert [c.conversation_id for c in acme.list_conversations(ADA)] == [
        later.conversation_id,
        mine.conversation_id,
    ]
    assert acme.list_conversations(BOB) == []
    acme.delete_conversation(ADA, mine.conversation_id)
    with pytest.raises(NotFound):
        acme.get_conversation(ADA, mine.conversation_id)


def turn(role: str, text: str, graph: Graph | None = None) -> ChatTurn:
    return ChatTurn(role=role, content=text, at="2026-11-03T10:00:00+00:00", graph=graph)


def test_appending_turns_is_checked_against_the_revision(acme: TenantStore) -> None:
    conversation = acme.create_conversation(ADA, "Leads")
    first = acme.append_turns(conversation, [turn("user", "score leads")])
    assert first.revision == 1
    with pytest.raises(Conflict):
        acme.append_turns(conversation, [turn("user", "stale tab")])  # read at revision 0
    second = acme.append_turns(first, [turn("assistant", "Here is a graph.")])
    stored = acme.get_conversation(ADA, conversation.conversation_id)
    assert stored == second
    assert [t.content for t in stored.turns] == ["score leads", "Here is a graph."]


def test_long_conversations_keep_the_newest_turns_and_graphs(acme: TenantStore) -> None:
    graph = Graph(nodes=[Node(id="start", type="trigger.manual")])
    conversation = acme.create_conversation(ADA, "Long")
    for i in range(MAX_TURNS // 2 + 5):
        conversation = acme.append_turns(
            conversation, [turn("user", f"ask {i}"), turn("assistant", f"answer {i}", graph)]
        )
    stored = acme.get_conversation(ADA, conversation.conversation_id)
    assert len(stored.turns) == MAX_TURNS
    assert stored.dropped_turns == 10
    assert stored.turns[-1].content == f"answer {MAX_TURNS // 2 + 4}"
    assert sum(t.graph is not None for t in stored.turns) == GRAPHS_KEPT
    assert stored.turns[-1].graph == graph


def test_huge_turns_are_dropped_oldest_first_to_fit_one_item(acme: TenantStore) -> None:
    conversation = acme.create_conversation(ADA, "Huge")
    for i in range(30):
        conversation = acme.append_turns(conversation, [turn("user", f"{i} " + "x" * 19_000)])
    stored = acme.get_conversation(ADA, conversation.conversation_id)
    assert stored.dropped_turns > 0
    assert stored.turns[-1].content.startswith("29 ")


def test_export_includes_spend_and_conversations(acme: TenantStore) -> None:
    acme.add_spend("2026-11", 7)
    acme.create_conversation(ADA, "Leads")
    lines = "\n".join(acme.export_lines())
    assert "SPEND#2026-11" in lines
    assert "CHAT#user:ada@example.com#" in lines
