"""A graph deployed as its tenant's Lambda function (AWS mode) obeys the tenant's AI budget and
files every model call's usage in the tenant's store, as runs in the service do.

The function is the compiled run handler, invoked in-process (moto cannot execute Lambda code)
with the environment the service's AWS deployer gives it; DynamoDB is moto, the model is the
suite's fake provider through the real OpenAI SDK.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from moto import mock_aws

from runtime.ai.config import AiConfig
from runtime.ai.router import Router
from runtime.ai.session import AiSession, set_default_session
from runtime.ai.usage import MICROS, AiCall, MemoryLedger, current_month
from runtime.core.llm.policy import AiPolicy
from runtime.core.load import load_graph_file
from runtime.deployed.handlers import make_run_handler
from runtime.engine.compile import build_plan
from runtime.local.llm import FakeProvider, Reply
from runtime.store import Directory, TenantStore, create_table, make_client

ROOT = Path(__file__).parent.parent.parent
GRAPH = load_graph_file(
    ROOT / "tests" / "fixtures" / "graphs" / "ai" / "chat-with-node-retries.graph.json"
)
TABLE = "auterity"


class Context:
    aws_request_id = "req-0001"


@pytest.fixture
def acme(monkeypatch: pytest.MonkeyPatch) -> Iterator[TenantStore]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AUTERITY_TENANT": "acme",
        "AUTERITY_TABLE": TABLE,
        "AUTERITY_CACHE_SECONDS": "0",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    with mock_aws():
        client = make_client(region="us-east-1")
        create_table(client, TABLE)
        directory = Directory(client, TABLE)
        directory.create_tenant("acme", "Acme Motors")
        yield directory.tenant("acme")


@pytest.fixture
def process_ledger(fake_server: FakeProvider) -> Iterator[MemoryLedger]:
    """The process default session (what a bundle without a tenant would use)."""
    fake_server.reset()
    ledger = MemoryLedger()
    set_default_session(AiSession(Router(AiConfig(providers=fake_server.providers())), ledger))
    yield ledger
    set_default_session(None)
    fake_server.reset()


def _with_budget(store: TenantStore, usd: float) -> None:
    settings = store.get_settings()
    store.update_settings(settings.model_copy(update={"ai": AiPolicy(monthly_budget_usd=usd)}))


def test_usage_of_a_deployed_function_is_filed_in_the_tenants_store(
    acme: TenantStore, process_ledger: MemoryLedger, fake_server: FakeProvider
) -> None:
    fake_server.queue("openai", Reply.ok("Hello Ada"))
    handler = make_run_handler(build_plan(GRAPH))
    result = handler({"name": "Ada"}, Context())
    assert result["status"] == "succeeded", result["error"]
    (record,) = acme.list_usage(current_month())
    usage = AiCall.from_record("acme", record)
    assert (usage.graph_id, usage.run_id, usage.node_id) == (GRAPH.id, "req-0001", "ask")
    assert (usage.provider, usage.outcome) == ("openai", "ok")
    assert usage.input_tokens > 0
    assert acme.get_spend(current_month()) > 0
    assert list(process_ledger.calls) == []  # nothing went to a ledger that dies with the container
    assert fake_server.count("openai") == 1


def test_a_deployed_function_stops_at_the_tenants_budget_before_calling(
    acme: TenantStore, process_ledger: MemoryLedger, fake_server: FakeProvider
) -> None:
    _with_budget(acme, 2)
    acme.add_spend(current_month(), 2 * MICROS)
    handler = make_run_handler(build_plan(GRAPH))
    result: dict[str, Any] = handler({"name": "Ada"}, Context())
    assert result["status"] == "failed"
    assert result["error"]["type"] == "BudgetExceeded"
    assert "monthly AI budget is used up" in result["error"]["message"]
    assert fake_server.count() == 0


def test_a_raised_budget_is_seen_by_the_next_invocation(
    acme: TenantStore, process_ledger: MemoryLedger, fake_server: FakeProvider
) -> None:
    _with_budget(acme, 2)
    acme.add_spend(current_month(), 2 * MICROS)
    handler = make_run_handler(build_plan(GRAPH))
    assert handler({"name": "Ada"}, Context())["status"] == "failed"
    _with_budget(acme, 5)
    fake_server.queue("openai", Reply.ok("Hello again"))
    assert handler({"name": "Ada"}, Context())["status"] == "succeeded"
    assert fake_server.count("openai") == 1
