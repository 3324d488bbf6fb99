"""What every LLM node shares: the model settings in its config and the call to the router.

A node never talks to a provider itself: it builds a provider-neutral request and hands it to
the session bound to the run, which applies the tenant's policy and budget and records usage.
What the node returns (answer plus usage) lands in the run trace, so re-running a later node
reuses it instead of calling the model again.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from pydantic import Field

from nodes.base import Capability, NodeConfig, NodeContext, NodeType
from nodes.dataflow import Effects
from runtime.core.llm.messages import CallSite, LlmReply, LlmRequest, Message
from runtime.core.llm.policy import ROUTE_PATTERN
from runtime.core.llm.session import current_session

NO_INVENTION = "Use only what the text says; never invent facts, names or numbers."


class LlmConfig(NodeConfig):
    model: str | None = Field(
        default=None,
        pattern=ROUTE_PATTERN,
        description="`provider:model` or a model name; empty uses the workspace's preferred.",
    )
    max_tokens: int = Field(default=1024, ge=1, le=64_000, description="Longest answer.")
    temperature: float | None = Field(default=None, ge=0, le=2)
    fallback: bool = Field(
        default=True, description="Try the workspace's other models if this one fails."
    )


LC = TypeVar("LC", bound=LlmConfig)


class LlmNode(NodeType[LC]):
    """What every LLM node declares to the compliance packs: it sends data to a model provider.

    The provider is the one the config names (``provider:model``). A bare or empty model, or a
    call allowed to fall back, is routed by the tenant's AI policy: the packs then check every
    provider that policy allows (``Context.llm_providers``), against the tenant's BAAs and
    DPAs, both from the tenant's settings.
    """

    capabilities: ClassVar[frozenset[Capability]] = frozenset({"llm"})

    @classmethod
    def effects(cls, config: LC) -> Effects:
        head, sep, _ = (config.model or "").partition(":")
        provider = head if sep else None
        return Effects(provider=provider, routed=provider is None or config.fallback)


async def ask(
    ctx: NodeContext,
    config: LlmConfig,
    system: str,
    user: str,
    *,
    json_schema: dict[str, Any] | None = None,
    schema_name: str = "result",
    stream: bool = False,
) -> LlmReply:
    messages = [Message(role="user", content=user)]
    if system.strip():
        messages.insert(0, Message(role="system", content=system))
    request = LlmRequest(
        messages=tuple(messages),
        model=config.model,
        max_tokens=config.max_tokens,
        temperature=config.temperature,
        json_schema=json_schema,
        schema_name=schema_name,
        stream=stream,
        fallback=config.fallback,
    )
    site = CallSite(
        tenant_id=ctx.tenant_id, graph_id=ctx.graph_id, run_id=ctx.run_id, node_id=ctx.node_id
    )
    return await current_session().complete(request, ctx.options.ai, site)
