"""The fake AI provider for any test: one server per session, scripts and counts per test."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import pytest_asyncio

from runtime.ai.config import AiConfig, ProviderConfig
from runtime.ai.providers.base import Provider
from runtime.ai.router import Router
from runtime.ai.session import AiSession, set_default_session
from runtime.ai.usage import MemoryLedger
from runtime.core.llm.messages import LlmRequest, ProviderReply
from runtime.core.llm.policy import Price
from runtime.local.llm import FakeProvider
from runtime.local.llm.server import running
from runtime.local.llm.synth import instance


@dataclass
class FakeAi:
    server: FakeProvider
    config: AiConfig
    router: Router
    ledger: MemoryLedger

    @property
    def session(self) -> AiSession:
        return AiSession(self.router, self.ledger)


@pytest.fixture(scope="session")
def fake_server() -> Iterator[FakeProvider]:
    yield from running()


@pytest_asyncio.fixture
async def fake_ai(fake_server: FakeProvider) -> AsyncIterator[FakeAi]:
    """A fresh script and request log, and the process default session pointed at the fake.

    Async so that its teardown runs on the test's event loop and closes the SDK clients made
    there (their connection pools belong to that loop).
    """
    fake_server.reset()
    config = AiConfig(providers=fake_server.providers())
    fake = FakeAi(fake_server, config, Router(config), MemoryLedger())
    set_default_session(fake.session)
    yield fake
    set_default_session(None)
    await fake.router.aclose()
    fake_server.reset()


class EchoProvider(Provider):
    """In-process, no HTTP and no SDK: answers with the prompt it was sent (a schema-valid
    value for structured calls). For tests that watch the interpreter itself (the audit-hook
    payload tests), where an SDK's own internals would be noise."""

    sdk_name = "echo"

    def new_client(self) -> Any:
        raise AssertionError("the echo provider has no client")

    async def complete(
        self, request: LlmRequest, model: str, *, max_retries: int, per_attempt_s: float
    ) -> ProviderReply:
        prompt = "\n".join(m.content for m in request.messages)
        text = json.dumps(instance(request.json_schema)) if request.json_schema else prompt
        return ProviderReply(text, len(prompt) // 4 + 1, len(text) // 4 + 1, "stop", model)

    async def stream(
        self, request: LlmRequest, model: str, *, max_retries: int, per_attempt_s: float
    ) -> AsyncIterator[str | ProviderReply]:
        reply = await self.complete(
            request, model, max_retries=max_retries, per_attempt_s=per_attempt_s
        )
        yield reply.text
        yield reply


@pytest.fixture
def echo_ai() -> Iterator[MemoryLedger]:
    """The default session answers from ``EchoProvider``; yields its ledger."""
    config = AiConfig(
        providers=(
            ProviderConfig(
                name="echo",
                kind="openai",
                base_url="http://127.0.0.1:9/",
                default_model="echo",
                prices={"echo": Price(input_per_mtok=0, output_per_mtok=0)},
            ),
        )
    )
    ledger = MemoryLedger()
    router = Router(config, providers={"echo": EchoProvider(config.providers[0])})
    set_default_session(AiSession(router, ledger))
    yield ledger
    set_default_session(None)
