"""The fake AI provider for any test: one server per session, scripts and counts per test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest
import pytest_asyncio

from runtime.ai.config import AiConfig
from runtime.ai.router import Router
from runtime.ai.session import AiSession, set_default_session
from runtime.ai.testing import FakeProvider
from runtime.ai.testing.server import running
from runtime.ai.usage import MemoryLedger


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
