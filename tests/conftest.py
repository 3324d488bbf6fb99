"""Suite-wide: no test can reach a real AI provider, and the AI fixtures are available."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from runtime.ai.providers.base import Provider
from runtime.ai.session import set_default_session

pytest_plugins = ["tests.ai_fixtures"]

PROVIDER_ENV = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_ORG_ID",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_AUTH_TOKEN",
    "ANTHROPIC_BASE_URL",
    "AUTERITY_AI_PROVIDERS",
)
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


@pytest.fixture(autouse=True)
def _no_real_ai_provider(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Credentials and endpoints from the environment are removed, and an SDK client for
    anything but a loopback address fails the test before it is even built."""
    for name in PROVIDER_ENV:
        monkeypatch.delenv(name, raising=False)
    set_default_session(None)
    original = Provider.client

    def loopback_only(self: Provider, max_retries: int) -> Any:
        url = self.config.base_url
        host = urlsplit(url).hostname if url else None
        if host not in LOOPBACK:
            pytest.fail(f"a test tried to reach a real AI provider: {self.name} at {url}")
        return original(self, max_retries)

    monkeypatch.setattr(Provider, "client", loopback_only)
    yield
    set_default_session(None)
