"""The issue's fault tests against the real SDKs and the fake provider.

Each fault gets bounded attempts on one provider (the SDK's own retries, as many as the
router grants), then the next provider, then a clear error; every request is counted by the
server, so "bounded" is checked on the wire.
"""

from __future__ import annotations

from typing import Any

import pytest

from runtime.ai.errors import AiError, AllProvidersFailed, BudgetExceeded, NoRoute
from runtime.ai.usage import MICROS, current_month
from runtime.core.llm.messages import (
    CallSite,
    LlmReply,
    LlmRequest,
    Message,
    StreamDone,
    StreamRestart,
    TextDelta,
)
from runtime.core.llm.policy import AiPolicy, Price
from runtime.local.llm import Reply
from tests.ai_fixtures import FakeAi

SITE = CallSite(tenant_id="acme", graph_id="g", run_id="r1", node_id="n1")
ASK = LlmRequest(
    messages=(
        Message(role="system", content="Answer briefly."),
        Message(role="user", content="What is the capital of France?"),
    ),
    max_tokens=100,
)
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "budget": {"type": "number"}},
    "required": ["name", "budget"],
}
FAST = AiPolicy(timeout_seconds=5)


async def complete(fake: FakeAi, request: LlmRequest = ASK, policy: AiPolicy = FAST) -> LlmReply:
    return await fake.router.complete(request, policy=policy, site=SITE, ledger=fake.ledger)


def outcomes(fake: FakeAi) -> list[tuple[str, str]]:
    return [(c.provider, c.outcome) for c in fake.ledger.calls]


async def test_a_healthy_provider_answers_first_time(fake_ai: FakeAi) -> None:
    fake_ai.server.queue("openai", Reply.ok("Paris."))
    reply = await complete(fake_ai)
    assert (reply.text, reply.provider, reply.attempts, reply.fallbacks) == (
        "Paris.",
        "openai",
        1,
        [],
    )
    sent = fake_ai.server.of("openai")[0].body
    assert sent["messages"][0] == {"role": "system", "content": "Answer briefly."}
    assert sent["max_completion_tokens"] == 100
    assert reply.cost_usd == pytest.approx(
        (reply.input_tokens * 0.15 + reply.output_tokens * 0.6) / 1e6
    )
    assert outcomes(fake_ai) == [("openai", "ok")]


async def test_429_with_retry_after_is_retried_once_then_falls_back(fake_ai: FakeAi) -> None:
    fake_ai.server.queue(
        "openai", Reply.error(429, retry_after=0.3), Reply.error(429, retry_after=0.3)
    )
    fake_ai.server.queue("anthropic", Reply.ok("Paris, from Claude."))
    reply = await complete(fake_ai)
    assert reply.text == "Paris, from Claude."
    assert reply.provider == "anthropic"
    openai_requests = fake_ai.server.of("openai")
    assert [r.retry_count for r in openai_requests] == [0, 1]  # the SDK's one granted retry
    assert openai_requests[1].at - openai_requests[0].at >= 0.25  # it waited as told
    assert fake_ai.server.count("anthropic") == 1
    assert reply.attempts == 3
    assert "rate_limited (HTTP 429) after 2 attempts" in reply.fallbacks[0]
    assert outcomes(fake_ai) == [("openai", "rate_limited"), ("anthropic", "ok")]
    assert fake_ai.ledger.calls[0].cost_usd == 0


async def test_500_falls_back(fake_ai: FakeAi) -> None:
    fake_ai.server.queue("openai", Reply.error(500), Reply.error(503))
    fake_ai.server.queue("anthropic", Reply.ok("Paris."))
    reply = await complete(fake_ai)
    assert reply.provider == "anthropic"
    assert fake_ai.server.count("openai") == 2
    assert outcomes(fake_ai) == [("openai", "server_error"), ("anthropic", "ok")]


async def test_a_timeout_falls_back_after_the_granted_retry(fake_ai: FakeAi) -> None:
    fake_ai.server.queue("openai", Reply.slow(1.5), Reply.slow(1.5))
    fake_ai.server.queue("anthropic", Reply.ok("Paris."))
    reply = await complete(fake_ai, policy=AiPolicy(timeout_seconds=0.3))
    assert reply.provider == "anthropic"
    assert fake_ai.server.count("openai") == 2
    assert outcomes(fake_ai) == [("openai", "timeout"), ("anthropic", "ok")]
    assert fake_ai.ledger.calls[0].latency_ms < 2500  # each attempt stopped at 0.3 s, not 1.5


async def test_a_truncated_stream_restarts_on_the_next_provider(fake_ai: FakeAi) -> None:
    fake_ai.server.queue("openai", Reply.truncated("The capital of France is Paris.", after=1))
    fake_ai.server.queue("anthropic", Reply.ok("Paris is the capital."))
    request = ASK.model_copy(update={"stream": True})
    events = [
        e
        async for e in fake_ai.router.stream(
            request, policy=AiPolicy(retries_per_provider=0), site=SITE, ledger=fake_ai.ledger
        )
    ]
    kinds = [type(e).__name__ for e in events]
    restart = kinds.index("StreamRestart")
    assert kinds[0] == "TextDelta"
    assert restart > 0
    assert kinds[-1] == "StreamDone"
    restarted = events[restart]
    assert isinstance(restarted, StreamRestart)
    assert restarted.reason == "truncated"
    after = "".join(e.text for e in events[restart:] if isinstance(e, TextDelta))
    assert after == "Paris is the capital."
    done = events[-1]
    assert isinstance(done, StreamDone)
    assert (done.reply.provider, done.reply.text) == ("anthropic", "Paris is the capital.")
    assert fake_ai.server.of("anthropic")[0].body["stream"] is True
    assert outcomes(fake_ai) == [("openai", "truncated"), ("anthropic", "ok")]


async def test_invalid_json_gets_one_repair_then_falls_back(fake_ai: FakeAi) -> None:
    fake_ai.server.queue("openai", Reply.invalid_json(), Reply.invalid_json('{"name": 7}'))
    fake_ai.server.queue("anthropic", Reply.json({"name": "Ada", "budget": 25000}))
    request = ASK.model_copy(update={"json_schema": SCHEMA})
    reply = await complete(fake_ai, request)
    assert reply.data == {"name": "Ada", "budget": 25000}
    assert reply.provider == "anthropic"
    first, repair = fake_ai.server.of("openai")
    assert first.body["response_format"]["json_schema"]["schema"] == SCHEMA
    feedback = repair.body["messages"][-1]["content"]
    assert "not valid JSON" in feedback
    assert repair.body["messages"][-2] == {"role": "assistant", "content": '{"name": "Ada", '}
    anthropic_body = fake_ai.server.of("anthropic")[0].body
    assert anthropic_body["tool_choice"] == {"type": "tool", "name": "result"}
    assert anthropic_body["tools"][0]["input_schema"] == SCHEMA
    assert outcomes(fake_ai) == [("openai", "invalid_output"), ("anthropic", "ok")]
    assert fake_ai.ledger.calls[0].cost_usd > 0  # both answers were billed by the provider


async def test_a_successful_repair_stays_on_the_same_provider(fake_ai: FakeAi) -> None:
    fake_ai.server.queue(
        "openai", Reply.invalid_json('{"name": "Ada"}'), Reply.json({"name": "Ada", "budget": 1})
    )
    reply = await complete(fake_ai, ASK.model_copy(update={"json_schema": SCHEMA}))
    assert (reply.provider, reply.data, reply.attempts) == (
        "openai",
        {"name": "Ada", "budget": 1},
        2,
    )
    assert (
        "'budget' is a required property"
        in fake_ai.server.of("openai")[1].body["messages"][-1]["content"]
    )
    assert fake_ai.server.count("anthropic") == 0
    assert len(fake_ai.ledger.calls) == 1  # one record, both calls' tokens
    assert fake_ai.ledger.calls[0].input_tokens == reply.input_tokens


async def test_a_refusal_falls_back(fake_ai: FakeAi) -> None:
    fake_ai.server.queue("openai", Reply.refuse("I can't help with that."))
    fake_ai.server.queue("anthropic", Reply.ok("Paris."))
    reply = await complete(fake_ai)
    assert reply.provider == "anthropic"
    assert fake_ai.server.count("openai") == 1  # a refusal is not retried on the same model
    assert "refusal" in reply.fallbacks[0]


async def test_everything_failing_is_one_clear_error_within_the_attempt_budget(
    fake_ai: FakeAi,
) -> None:
    fake_ai.server.queue("openai", *[Reply.error(500)] * 5)
    fake_ai.server.queue("anthropic", *[Reply.error(529, "Overloaded")] * 5)
    with pytest.raises(AllProvidersFailed) as caught:
        await complete(fake_ai, policy=AiPolicy(max_attempts=4, retries_per_provider=1))
    message = str(caught.value)
    assert "every model failed after 4 attempt(s)" in message
    assert "openai:gpt-4o-mini: server_error (HTTP 500)" in message
    assert "anthropic:claude-3-5-haiku-latest: server_error (HTTP 529)" in message
    assert "Overloaded" in message
    assert fake_ai.server.count() == 4
    assert caught.value.retryable is False


async def test_the_attempt_budget_is_shared_across_providers(fake_ai: FakeAi) -> None:
    fake_ai.server.queue("openai", *[Reply.error(429, retry_after=0.01)] * 5)
    with pytest.raises(AllProvidersFailed):
        await complete(fake_ai, policy=AiPolicy(max_attempts=2, retries_per_provider=3))
    assert fake_ai.server.count("openai") == 2  # retries capped by what the call had left
    assert fake_ai.server.count("anthropic") == 0


async def test_a_bad_request_is_not_retried_or_sent_elsewhere(fake_ai: FakeAi) -> None:
    fake_ai.server.queue("openai", Reply.error(400, "max_tokens is too large"))
    with pytest.raises(AiError, match=r"bad_request.*max_tokens is too large"):
        await complete(fake_ai)
    assert fake_ai.server.count() == 1


async def test_without_fallback_only_the_asked_model_is_tried(fake_ai: FakeAi) -> None:
    fake_ai.server.queue("anthropic", Reply.error(500), Reply.error(500))
    request = ASK.model_copy(update={"model": "claude-3-5-haiku-latest", "fallback": False})
    with pytest.raises(AiError):
        await complete(fake_ai, request)
    assert fake_ai.server.count("openai") == 0


async def test_budget_exhaustion_blocks_before_any_request(fake_ai: FakeAi) -> None:
    fake_ai.ledger.totals[current_month()] = 5 * MICROS
    with pytest.raises(BudgetExceeded) as caught:
        await complete(fake_ai, policy=AiPolicy(monthly_budget_usd=5))
    assert fake_ai.server.count() == 0
    assert "monthly AI budget is used up: $5.0000 of $5 spent" in str(caught.value)
    assert "no request was sent" in str(caught.value)
    assert fake_ai.ledger.calls == type(fake_ai.ledger.calls)()


async def test_a_call_within_budget_reserves_then_settles_to_the_real_cost(
    fake_ai: FakeAi,
) -> None:
    reply = await complete(fake_ai, policy=AiPolicy(monthly_budget_usd=1))
    assert fake_ai.ledger.totals[current_month()] == round(reply.cost_usd * MICROS)


async def test_a_cheaper_model_is_used_when_the_preferred_would_break_the_budget(
    fake_ai: FakeAi,
) -> None:
    pricey = Price(input_per_mtok=1000, output_per_mtok=5000)
    policy = AiPolicy(monthly_budget_usd=0.1, prices={"gpt-4o-mini": pricey})
    reply = await complete(fake_ai, policy=policy)
    assert reply.provider == "anthropic"
    assert fake_ai.server.count("openai") == 0


async def test_policy_limits_and_prices(fake_ai: FakeAi) -> None:
    only_claude = AiPolicy(allowed_providers=["anthropic"])
    assert (await complete(fake_ai, policy=only_claude)).provider == "anthropic"
    with pytest.raises(NoRoute, match="does not allow openai:gpt-4o-mini"):
        await complete(fake_ai, ASK.model_copy(update={"model": "gpt-4o-mini"}), only_claude)
    with pytest.raises(NoRoute, match="no price"):
        await complete(fake_ai, ASK.model_copy(update={"model": "gpt-unknown", "fallback": False}))
    ceiling = AiPolicy(max_cost_per_call_usd=0.0002)  # haiku's worst case is above it
    assert (await complete(fake_ai, policy=ceiling)).provider == "openai"
    with pytest.raises(NoRoute, match="over the"):
        await complete(fake_ai, policy=AiPolicy(max_cost_per_call_usd=1e-7))
    preferred = AiPolicy(preferred=["anthropic:claude-3-5-haiku-latest"])
    assert (await complete(fake_ai, policy=preferred)).provider == "anthropic"
    assert fake_ai.server.count("openai") == 1


async def test_a_broken_schema_is_refused_before_any_request(fake_ai: FakeAi) -> None:
    broken = {"type": "object", "properties": {"x": {"type": "strnig"}}}
    with pytest.raises(AiError, match="output schema is not a valid JSON Schema"):
        await complete(fake_ai, ASK.model_copy(update={"json_schema": broken}))
    assert fake_ai.server.count() == 0


async def test_text_that_utf8_cannot_carry_is_sent_replaced(fake_ai: FakeAi) -> None:
    request = LlmRequest(messages=(Message(role="user", content="lone \ud800 surrogate"),))
    await complete(fake_ai, request)
    assert fake_ai.server.of("openai")[0].body["messages"][0]["content"] == "lone \ufffd surrogate"
