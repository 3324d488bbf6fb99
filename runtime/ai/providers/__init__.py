"""One module per provider SDK; each imports its SDK on first use."""

from __future__ import annotations

from runtime.ai.config import ProviderConfig
from runtime.ai.providers.base import Provider


def make_provider(config: ProviderConfig) -> Provider:
    if config.kind == "anthropic":
        from runtime.ai.providers.anthropic import AnthropicProvider  # only its SDK's users

        return AnthropicProvider(config)
    from runtime.ai.providers.openai import OpenAIProvider  # only its SDK's users load it

    return OpenAIProvider(config)
