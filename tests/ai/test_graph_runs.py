"""LLM nodes inside real runs: branching, the trace as the record of a call, retries, budgets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from runtime.ai.usage import MICROS, current_month
from runtime.core.egress import EgressPlatform
from runtime.core.graph import Graph
from runtime.core.llm.policy import AiPolicy
from runtime.core.load import load_graph_file
from runtime.core.options import RunOptions
from runtime.engine.compile import build_plan
from runtime.engine.executor import Executor
from runtime.engine.trace import RunResult
from runtime.engine.validate import validate
from runtime.local.llm import Reply
from runtime.tenant.industry import PROFILES
from tests.ai_fixtures import FakeAi

ROOT = Path(__file__).parent.parent.parent
TEMPLATES = sorted((ROOT / "templates").glob("*.graph.json"))
FIXTURES = ROOT / "tests" / "fixtures" / "graphs" / "ai"


def webhook_event(body: Any) -> dict[str, Any]:
    return {"method": "POST", "path": "/", "headers": {}, "query": {}, "body": body}


async def run(graph: Graph, event: Any, options: RunOptions | None = None, **kw: Any) -> RunResult:
    return await Executor(build_plan(graph)).run(event, options=options, **kw)


def statuses(result: RunResult) -> dict[str, str]:
    return {t.node: t.status for t in result.trace}


def test_there_is_a_template_per_industry() -> None:
    industries = {json.loads(p.read_text())["metadata"]["industry"] for p in TEMPLATES}
    assert industries == {"automotive", "healthcare", "finance", "manufacturing", "general"}


def test_each_profiles_templates_are_bundled_and_say_the_same_industry() -> None:
    for industry, profile in PROFILES.items():
        assert profile.templates
        for name in profile.templates:
            graph = json.loads((ROOT / "templates" / name).read_text())
            assert graph["metadata"]["industry"] == industry


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.stem)
async def test_every_template_validates_and_runs_on_the_fake_provider(
    path: Path, fake_ai: FakeAi
) -> None:
    graph = load_graph_file(path)
    assert validate(graph) == []
    result = await run(graph, webhook_event(graph.metadata["sample_input"]))
    assert result.status == "succeeded", result.error
    assert result.output["status"] == 200
    assert fake_ai.server.count() == len(fake_ai.ledger.calls) >= 1


async def test_the_classification_branch_follows_the_models_label(fake_ai: FakeAi) -> None:
    graph = load_graph_file(ROOT / "templates" / "automotive-lead-triage.graph.json")
    lead = {
        "name": "Ada",
        "phone": "555-0100",
        "vehicle": "Civic",
        "timeline": None,
        "budget": None,
    }
    fake_ai.server.queue(
        "openai",
        Reply.json(lead),
        Reply.json({"label": "warm", "reason": "Interested, no timeline."}),
    )
    result = await run(graph, webhook_event({"message": "Ada here, curious about the Civic."}))
    assert result.status == "succeeded", result.error
    assert result.output["body"] == {
        "tier": "warm",
        "next_action": "Add to this week's call list",
        "lead": lead,
        "reason": "Interested, no timeline.",
    }
    ran = statuses(result)
    assert (ran["hot"], ran["warm"], ran["cold"]) == ("skipped", "ok", "skipped")
    classify = result.node("classify")
    assert classify is not None
    assert classify.outputs["warm"]["usage"]["provider"] == "openai"
    schema = fake_ai.server.of("openai")[1].body["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["label"]["enum"] == ["hot", "warm", "cold"]


async def test_retrying_a_later_node_never_calls_the_model_again(fake_ai: FakeAi) -> None:
    graph = load_graph_file(FIXTURES / "extract-then-crm.graph.json")
    fake_ai.server.queue("openai", Reply.json({"name": "Ada"}))
    fake_ai.server.queue("hook:crm", Reply.error(500), Reply.error(502), Reply(data={"id": 7}))
    event = {"message": "Ada wants a Civic", "crm_url": f"{fake_ai.server.url}/hooks/crm"}
    loopback = EgressPlatform.configure(open=["127.0.0.0/8"])  # the operator opened it
    options = RunOptions(egress_allow=("127.0.0.1",), egress=loopback)
    result = await run(graph, event, options)
    assert result.status == "succeeded", result.error
    crm = result.node("crm")
    assert crm is not None
    assert crm.attempts == 3
    assert fake_ai.server.count("hook:crm") == 3
    assert fake_ai.server.count("openai") == 1  # billed once
    assert [c.outcome for c in fake_ai.ledger.calls] == ["ok"]
    # Pinned to its traced outputs (what "re-run from crm" does), the model is not asked at all.
    extract = result.node("extract")
    assert extract is not None
    again = await run(graph, event, options, pins={"extract": extract.outputs})
    assert again.status == "succeeded"
    assert statuses(again)["extract"] == "pinned"
    assert fake_ai.server.count("openai") == 1
    assert len(fake_ai.ledger.calls) == 1


async def test_a_failed_ai_node_is_a_clear_error_not_retried_by_the_node(
    fake_ai: FakeAi,
) -> None:
    graph = load_graph_file(FIXTURES / "chat-with-node-retries.graph.json")
    fake_ai.server.queue("openai", *[Reply.error(500)] * 6)
    fake_ai.server.queue("anthropic", *[Reply.error(500)] * 6)
    result = await run(graph, {"name": "Ada"}, RunOptions(ai=AiPolicy(max_attempts=4)))
    assert result.status == "failed"
    assert result.error is not None
    assert result.error.node == "ask"
    assert result.error.type == "AllProvidersFailed"
    assert result.error.message.startswith("every model failed after 4 attempt(s)")
    ask = result.node("ask")
    assert ask is not None
    assert ask.attempts == 1
    assert fake_ai.server.count() == 4


async def test_a_streamed_chat_answer_is_the_nodes_output(fake_ai: FakeAi) -> None:
    graph = load_graph_file(FIXTURES / "chat-with-node-retries.graph.json")
    fake_ai.server.queue("openai", Reply.ok("Hello Ada, nice to meet you."))
    result = await run(graph, {"name": "Ada"})
    assert result.status == "succeeded", result.error
    assert result.output["text"] == "Hello Ada, nice to meet you."
    sent = fake_ai.server.of("openai")[0].body
    assert sent["stream"] is True
    assert sent["messages"] == [{"role": "user", "content": "Say hello to Ada"}]
    assert result.output["usage"]["output_tokens"] > 0


async def test_an_exhausted_budget_fails_the_node_before_any_request(fake_ai: FakeAi) -> None:
    graph = load_graph_file(FIXTURES / "chat-with-node-retries.graph.json")
    fake_ai.ledger.totals[current_month()] = 2 * MICROS
    options = RunOptions(tenant_id="acme", ai=AiPolicy(monthly_budget_usd=2))
    result = await run(graph, {"name": "Ada"}, options)
    assert result.status == "failed"
    assert result.error is not None
    assert result.error.type == "BudgetExceeded"
    assert "monthly AI budget is used up" in result.error.message
    assert fake_ai.server.count() == 0


async def test_usage_is_filed_under_tenant_graph_run_and_node(fake_ai: FakeAi) -> None:
    graph = load_graph_file(FIXTURES / "chat-with-node-retries.graph.json")
    result = await run(graph, {"name": "Ada"}, RunOptions(tenant_id="acme"))
    (call,) = fake_ai.ledger.calls
    assert (call.tenant_id, call.graph_id, call.run_id, call.node_id) == (
        "acme",
        "chat_with_node_retries",
        result.run_id,
        "ask",
    )
    assert (call.provider, call.model, call.outcome) == ("openai", "gpt-4o-mini", "ok")
    assert call.input_tokens > 0
    assert call.output_tokens > 0
    assert call.cost_usd > 0
    assert call.latency_ms > 0


async def test_a_node_timeout_gives_the_budget_reservation_back(fake_ai: FakeAi) -> None:
    graph = load_graph_file(FIXTURES / "chat-with-node-retries.graph.json")
    ask = graph.node("ask")
    assert ask is not None
    ask.settings.timeout_seconds = 0.3
    ask.settings.retry.max_attempts = 1
    fake_ai.server.queue("openai", Reply.slow(1.5))
    options = RunOptions(ai=AiPolicy(monthly_budget_usd=1))
    result = await run(graph, {"name": "Ada"}, options)
    assert result.status == "failed"
    assert result.error is not None
    assert result.error.type == "Timeout"
    assert fake_ai.ledger.totals[current_month()] == 0  # reserved, then given back
    (call,) = fake_ai.ledger.calls
    assert (call.outcome, call.error) == ("timeout", "abandoned by the caller")
