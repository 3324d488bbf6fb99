"""Provider configuration, prices, metrics, and the guard that keeps tests off real providers."""

from __future__ import annotations

import json
import logging

import pytest

from runtime.ai.config import AiConfig, ProviderConfig
from runtime.ai.prices import price_for
from runtime.ai.router import Router
from runtime.ai.usage import MemoryLedger
from runtime.core.llm.messages import CallSite, LlmRequest, Message
from runtime.core.llm.policy import AiPolicy, Price
from tests.ai_fixtures import FakeAi

REAL_OPENAI = ProviderConfig(name="openai", kind="openai", default_model="gpt-4o-mini")


def test_providers_come_from_the_sdks_own_variables() -> None:
    assert AiConfig.from_env({}).providers == ()
    both = AiConfig.from_env(
        {"ANTHROPIC_API_KEY": "a", "OPENAI_API_KEY": "o", "OPENAI_BASE_URL": "http://vllm:8000/v1"}
    )
    assert [(p.name, p.base_url, p.default_model) for p in both.providers] == [
        ("openai", "http://vllm:8000/v1", "gpt-4o-mini"),
        ("anthropic", None, "claude-3-5-haiku-latest"),
    ]
    assert both.providers[0].api_key_env == "OPENAI_API_KEY"  # read at use, never stored


def test_an_explicit_provider_list_wins_and_is_checked() -> None:
    listed = [
        {
            "name": "ollama",
            "kind": "openai",
            "base_url": "http://127.0.0.1:11434/v1",
            "api_key": "ollama",
            "default_model": "llama3.1:8b",
            "prices": {"llama3.1:8b": {"input_per_mtok": 0, "output_per_mtok": 0}},
        }
    ]
    config = AiConfig.from_env(
        {"AUTERITY_AI_PROVIDERS": json.dumps(listed), "OPENAI_API_KEY": "ignored"}
    )
    assert [p.name for p in config.providers] == ["ollama"]
    with pytest.raises(ValueError, match="AUTERITY_AI_PROVIDERS is not a valid provider list"):
        AiConfig.from_env({"AUTERITY_AI_PROVIDERS": '[{"name": "x"}]'})
    assert "ollama" not in repr(config.providers[0].api_key)


def test_prices_tenant_overrides_then_operator_then_table() -> None:
    provider = ProviderConfig(
        name="openai",
        kind="openai",
        default_model="gpt-4o-mini",
        prices={"local-model": Price(input_per_mtok=0, output_per_mtok=0)},
    )
    table = price_for(provider, "gpt-4o-mini", AiPolicy())
    assert table == Price(input_per_mtok=0.15, output_per_mtok=0.6)
    deal = Price(input_per_mtok=0.1, output_per_mtok=0.4)
    assert price_for(provider, "gpt-4o-mini", AiPolicy(prices={"gpt-4o-mini": deal})) == deal
    assert price_for(provider, "gpt-4o-mini", AiPolicy(prices={"openai:gpt-4o-mini": deal})) == deal
    assert price_for(provider, "local-model", AiPolicy()) == Price(
        input_per_mtok=0, output_per_mtok=0
    )
    assert price_for(provider, "mystery", AiPolicy()) is None
    assert deal.cost(1_000_000, 1_000_000) == pytest.approx(0.5)


async def test_every_call_emits_an_embedded_metric_line(
    fake_ai: FakeAi, caplog: pytest.LogCaptureFixture
) -> None:
    request = LlmRequest(messages=(Message(role="user", content="hi"),))
    with caplog.at_level(logging.INFO, logger="auterity.metrics.ai"):
        await fake_ai.router.complete(
            request, policy=AiPolicy(), site=CallSite(tenant_id="acme"), ledger=fake_ai.ledger
        )
    (line,) = [json.loads(r.message) for r in caplog.records if r.name == "auterity.metrics.ai"]
    assert line["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "Auterity/AI"
    assert (line["tenant"], line["provider"], line["outcome"], line["Calls"]) == (
        "acme",
        "openai",
        "ok",
        1,
    )
    assert line["InputTokens"] > 0
    assert line["CostUSD"] > 0


async def test_a_test_cannot_reach_a_real_provider() -> None:
    router = Router(AiConfig(providers=(REAL_OPENAI,)))
    request = LlmRequest(messages=(Message(role="user", content="hi"),))
    with pytest.raises(pytest.fail.Exception, match="tried to reach a real AI provider"):
        await router.complete(
            request, policy=AiPolicy(), site=CallSite(tenant_id="t"), ledger=MemoryLedger()
        )


def test_generate_graph_knows_the_same_industries_as_tenants() -> None:
    from typing import get_args

    from runtime.tenant.industry import INDUSTRIES, Industry

    assert get_args(Industry) == INDUSTRIES
