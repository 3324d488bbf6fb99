"""What a model call costs: a built-in price table that operators and tenants can override.

Prices are US dollars per million tokens, input and output. Lookup order: the tenant's
overrides (a negotiated rate), the operator's per-provider prices (0 for a self-hosted model),
then this table. A model with no price anywhere is refused rather than counted as free, so a
budget can never be walked around by naming an unknown model.
"""

from __future__ import annotations

from runtime.ai.config import ProviderConfig
from runtime.core.llm.policy import AiPolicy, Price

PRICES_AS_OF = "2025-06"
DEFAULT_PRICES: dict[str, Price] = {
    name: Price(input_per_mtok=i, output_per_mtok=o)
    for name, i, o in (
        ("gpt-4o", 2.50, 10.00),
        ("gpt-4o-mini", 0.15, 0.60),
        ("gpt-4.1", 2.00, 8.00),
        ("gpt-4.1-mini", 0.40, 1.60),
        ("gpt-4.1-nano", 0.10, 0.40),
        ("o4-mini", 1.10, 4.40),
        ("o3", 2.00, 8.00),
        ("claude-3-5-haiku-latest", 0.80, 4.00),
        ("claude-3-5-haiku-20241022", 0.80, 4.00),
        ("claude-haiku-4-5", 1.00, 5.00),
        ("claude-sonnet-4-0", 3.00, 15.00),
        ("claude-sonnet-4-20250514", 3.00, 15.00),
        ("claude-sonnet-4-5", 3.00, 15.00),
        ("claude-opus-4-0", 15.00, 75.00),
        ("claude-opus-4-1", 15.00, 75.00),
    )
}

CHARS_PER_TOKEN = 3.0
"""A deliberately low ratio (English averages ~4): the estimate is a ceiling, not a forecast."""


def price_for(provider: ProviderConfig, model: str, policy: AiPolicy) -> Price | None:
    for table, key in (
        (policy.prices, f"{provider.name}:{model}"),
        (policy.prices, model),
        (provider.prices, model),
        (DEFAULT_PRICES, model),
    ):
        price = table.get(key)
        if price is not None:
            return price
    return None


def estimate_tokens(chars: int) -> int:
    return int(chars / CHARS_PER_TOKEN) + 1


def worst_case_cost(price: Price, prompt_chars: int, max_tokens: int) -> float:
    """The most a call can cost: every prompt character a token's worth, all output used."""
    return price.cost(estimate_tokens(prompt_chars), max_tokens)
