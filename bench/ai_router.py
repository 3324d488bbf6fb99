"""Model router overhead per call: ``Router.complete`` vs the SDK called directly.

Both sides make the same HTTP call to the same local fake provider (a separate process, so its
work does not share this interpreter's GIL) through the same SDK with retries off. The router
additionally plans routes from the tenant policy, prices the call, reserves and settles the
budget in a ledger, counts attempts, builds the usage record and the metrics line, and for a
structured call validates the answer against its JSON Schema (the baseline only parses it).
The difference per call is the router's overhead; the target is at most 1 ms. The ledger is
in memory: the service's DynamoDB writes are storage latency, not router work.
"""

from __future__ import annotations

import asyncio
import gc
import json
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.report import Row, fmt_seconds, verdict

if TYPE_CHECKING:
    from anthropic.types import MessageParam
    from openai.types.chat import ChatCompletionMessageParam
    from openai.types.shared_params import ResponseFormatJSONSchema

ROOT = Path(__file__).resolve().parent.parent
TARGET_OVERHEAD_S = 1e-3
CALLS_PER_BATCH = 40
BATCHES = 5
WARMUP = 20
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "vehicle": {"type": "string"}},
    "required": ["name", "vehicle"],
}
PROMPT = "Ada wants a 2024 Civic and can come on Saturday for a test drive."


def _start_server() -> tuple[subprocess.Popen[str], dict[str, str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "runtime.local.llm"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        proc.kill()
        raise RuntimeError("the fake AI provider did not start")
    info: dict[str, str] = json.loads(line)
    return proc, info


async def _best(fn: Callable[[], Awaitable[Any]]) -> float:
    gc.collect()
    t0 = time.perf_counter()
    for _ in range(CALLS_PER_BATCH):
        await fn()
    return (time.perf_counter() - t0) / CALLS_PER_BATCH


async def _compare(
    direct: Callable[[], Awaitable[Any]], routed: Callable[[], Awaitable[Any]]
) -> tuple[float, float]:
    for _ in range(WARMUP):
        await direct()
        await routed()
    best_direct = best_routed = float("inf")
    for _ in range(BATCHES):  # interleaved, so drift on a shared machine hits both alike
        best_direct = min(best_direct, await _best(direct))
        best_routed = min(best_routed, await _best(routed))
    return best_routed, best_direct


async def _measure(info: dict[str, str]) -> list[tuple[str, float, float]]:
    import anthropic
    import openai

    from runtime.ai.config import AiConfig, ProviderConfig
    from runtime.ai.router import Router
    from runtime.ai.usage import MemoryLedger
    from runtime.core.llm.messages import CallSite, LlmRequest, Message
    from runtime.core.llm.policy import AiPolicy

    providers = tuple(
        ProviderConfig.model_validate(p) for p in json.loads(info["AUTERITY_AI_PROVIDERS"])
    )
    router = Router(AiConfig(providers=providers))
    ledger = MemoryLedger()
    policy = AiPolicy(monthly_budget_usd=1_000_000)  # reserve + settle on every call
    site = CallSite(tenant_id="bench", graph_id="g", run_id="r", node_id="n")
    oa = openai.AsyncOpenAI(
        api_key="fake",
        base_url=info["openai_url"],
        max_retries=0,
        http_client=openai.DefaultAsyncHttpxClient(),
    )
    an = anthropic.AsyncAnthropic(
        api_key="fake",
        base_url=info["anthropic_url"],
        max_retries=0,
        http_client=anthropic.DefaultAsyncHttpxClient(),
    )
    oa_messages: list[ChatCompletionMessageParam] = [{"role": "user", "content": PROMPT}]
    an_messages: list[MessageParam] = [{"role": "user", "content": PROMPT}]
    chat = LlmRequest(messages=(Message(role="user", content=PROMPT),), max_tokens=200)
    structured = chat.model_copy(update={"json_schema": SCHEMA, "schema_name": "extract"})
    fmt: ResponseFormatJSONSchema = {
        "type": "json_schema",
        "json_schema": {"name": "extract", "schema": SCHEMA},
    }

    async def oa_chat() -> Any:
        return await oa.chat.completions.create(
            model="gpt-4o-mini",
            messages=oa_messages,
            max_completion_tokens=200,
        )

    async def oa_structured() -> Any:
        reply = await oa.chat.completions.create(
            model="gpt-4o-mini",
            messages=oa_messages,
            max_completion_tokens=200,
            response_format=fmt,
        )
        return json.loads(reply.choices[0].message.content or "")

    async def an_chat() -> Any:
        return await an.messages.create(
            model="claude-3-5-haiku-latest",
            max_tokens=200,
            messages=an_messages,
        )

    def routed(request: LlmRequest) -> Callable[[], Awaitable[Any]]:
        async def call() -> Any:
            return await router.complete(request, policy=policy, site=site, ledger=ledger)

        return call

    anthropic_chat = chat.model_copy(update={"model": "anthropic:claude-3-5-haiku-latest"})
    try:
        return [
            ("chat, OpenAI wire", *await _compare(oa_chat, routed(chat))),
            (
                "structured extraction, OpenAI wire",
                *await _compare(oa_structured, routed(structured)),
            ),
            ("chat, Anthropic wire", *await _compare(an_chat, routed(anthropic_chat))),
        ]
    finally:
        await oa.close()
        await an.close()
        await router.aclose()


def run() -> list[Row]:
    proc, info = _start_server()
    try:
        results = asyncio.run(_measure(info))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    rows = []
    for name, routed_s, direct_s in results:
        overhead = routed_s - direct_s
        rows.append(
            Row(
                benchmark=f"AI router per call: {name}",
                measured=fmt_seconds(routed_s),
                baseline=f"{fmt_seconds(direct_s)} (SDK direct)",
                ratio=f"{routed_s / direct_s:.2f}x ({'+' if overhead >= 0 else '-'}"
                f"{fmt_seconds(abs(overhead))} per call)",
                target=f"≤ {fmt_seconds(TARGET_OVERHEAD_S)} added",
                verdict=verdict(overhead <= TARGET_OVERHEAD_S),
            )
        )
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
