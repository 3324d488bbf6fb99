"""Which model providers this installation can call: operator configuration, never tenant data.

Credentials come from the environment (or a secrets manager that fills it), so they are never
part of a graph, a tenant's settings or a run trace. Any OpenAI-compatible server (vLLM,
Ollama, a gateway) is an ``openai`` provider with its own ``base_url``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from runtime.core.llm.policy import Price

ProviderKind = Literal["openai", "anthropic"]

DEFAULT_MODELS: dict[ProviderKind, str] = {
    "openai": "gpt-4o-mini",
    "anthropic": "claude-3-5-haiku-latest",
}


class ProviderConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$", description="Used in `name:model`.")
    kind: ProviderKind
    base_url: str | None = Field(default=None, description="Null: the SDK's default endpoint.")
    api_key: SecretStr | None = Field(default=None, description="Prefer `api_key_env`.")
    api_key_env: str | None = Field(default=None, description="Environment variable to read.")
    default_model: str = Field(min_length=1, max_length=128)
    models: list[str] = Field(
        default_factory=list, description="Models it serves, for routing a bare model name."
    )
    prices: dict[str, Price] = Field(
        default_factory=dict, description="Operator prices by model (0 for a self-hosted one)."
    )

    def key(self) -> str:
        """The API key; OpenAI-compatible local servers accept any non-empty string."""
        if self.api_key is not None:
            return self.api_key.get_secret_value()
        if self.api_key_env:
            return os.environ.get(self.api_key_env, "")
        return ""


class AiConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    providers: tuple[ProviderConfig, ...] = ()

    @property
    def configured(self) -> bool:
        return bool(self.providers)

    def provider(self, name: str) -> ProviderConfig | None:
        return next((p for p in self.providers if p.name == name), None)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AiConfig:
        """``AUTERITY_AI_PROVIDERS`` (a JSON list of providers), else the SDKs' own variables.

        With only ``OPENAI_API_KEY`` and/or ``ANTHROPIC_API_KEY`` set, each becomes a provider
        (``OPENAI_BASE_URL`` / ``ANTHROPIC_BASE_URL`` respected), OpenAI first.
        """
        env = os.environ if env is None else env
        listed = env.get("AUTERITY_AI_PROVIDERS", "").strip()
        if listed:
            try:
                return cls(providers=tuple(json.loads(listed)))
            except (ValueError, TypeError, ValidationError) as exc:
                raise ValueError(
                    f"AUTERITY_AI_PROVIDERS is not a valid provider list: {exc}"
                ) from None
        providers: list[ProviderConfig] = []
        for kind, key_env, url_env in (
            ("openai", "OPENAI_API_KEY", "OPENAI_BASE_URL"),
            ("anthropic", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"),
        ):
            if env.get(key_env):
                providers.append(
                    ProviderConfig(
                        name=kind,
                        kind=kind,
                        base_url=env.get(url_env) or None,
                        api_key_env=key_env,
                        default_model=DEFAULT_MODELS[kind],  # type: ignore[index]
                    )
                )
        return cls(providers=tuple(providers))
