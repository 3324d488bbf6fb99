"""Which models a call may use, in what order: the node's choice, the tenant's, the defaults.

A route is a (provider, model, price). The tenant's policy filters them (allowed providers and
models, a per-call cost ceiling), and a model without a known price is never routed to, so
spending is always counted.
"""

from __future__ import annotations

from dataclasses import dataclass

from runtime.ai.config import AiConfig, ProviderConfig
from runtime.ai.errors import NoRoute
from runtime.ai.prices import price_for, worst_case_cost
from runtime.core.llm.messages import LlmRequest
from runtime.core.llm.policy import AiPolicy, Price


@dataclass(frozen=True, slots=True)
class Route:
    provider: ProviderConfig
    model: str
    price: Price
    worst_case_usd: float

    @property
    def label(self) -> str:
        return f"{self.provider.name}:{self.model}"


def resolve(config: AiConfig, spec: str) -> list[tuple[ProviderConfig, str]]:
    """``provider:model`` names one provider; a bare model goes to the providers serving it.

    A bare name is served by every provider that lists it in ``models``, or else by the
    providers of its family (``claude-*`` is Anthropic's, anything else OpenAI-compatible) that
    do not restrict their models.
    """
    head, sep, rest = spec.partition(":")
    if sep:
        named = config.provider(head)
        if named is not None:
            return [(named, rest)]
    listed = [p for p in config.providers if spec in p.models]
    if listed:
        return [(p, spec) for p in listed]
    family = "anthropic" if spec.startswith("claude") else "openai"
    return [(p, spec) for p in config.providers if p.kind == family and not p.models]


def plan_routes(config: AiConfig, request: LlmRequest, policy: AiPolicy) -> list[Route]:
    """The routes to try, best first; ``NoRoute`` says why there are none."""
    if not config.configured:
        raise NoRoute(
            "no AI provider is configured: an operator sets OPENAI_API_KEY or"
            " ANTHROPIC_API_KEY, or lists providers in the service's AI configuration"
        )
    specs: list[str] = []
    if request.model:
        specs.append(request.model)
    if request.fallback or not request.model:
        specs += policy.preferred
        specs += [f"{p.name}:{p.default_model}" for p in config.providers]
    routes: list[Route] = []
    seen: set[tuple[str, str]] = set()
    refused: list[str] = []
    chars = request.prompt_chars
    for index, spec in enumerate(specs):
        candidates = resolve(config, spec)
        if not candidates and index == 0 and request.model:
            raise NoRoute(f"no configured provider serves model {request.model!r}")
        for provider, model in candidates:
            if (provider.name, model) in seen:
                continue
            seen.add((provider.name, model))
            label = f"{provider.name}:{model}"
            if not policy.model_allowed(provider.name, model):
                if index == 0 and request.model:
                    raise NoRoute(f"the tenant's AI policy does not allow {label}")
                refused.append(f"{label} is not allowed")
                continue
            price = price_for(provider, model, policy)
            if price is None:
                refused.append(f"{label} has no price (add one to the tenant's AI prices)")
                continue
            worst = worst_case_cost(price, chars, request.max_tokens)
            ceiling = policy.max_cost_per_call_usd
            if ceiling is not None and worst > ceiling:
                refused.append(f"{label} may cost ${worst:.4f}, over the ${ceiling:g} ceiling")
                continue
            routes.append(Route(provider, model, price, worst))
    if not routes:
        raise NoRoute("no model can take this call: " + "; ".join(refused or ["none configured"]))
    return routes
