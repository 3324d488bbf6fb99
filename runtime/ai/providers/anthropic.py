"""Anthropic messages through the official ``anthropic`` SDK.

Structured output is a forced tool call: the schema becomes the one tool's ``input_schema`` and
``tool_choice`` names it, which works for any object schema (free-form objects included, which
the Graph schema needs) and returns the arguments already parsed.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from runtime.ai.errors import ProviderFailure
from runtime.ai.providers.base import Provider, count_attempt, failure_from
from runtime.core.llm.messages import LlmRequest, ProviderReply

TOOL_DESCRIPTION = "Return the result. Its input is the answer; nothing else is read."


class AnthropicProvider(Provider):
    sdk_name = "anthropic"

    def new_client(self) -> Any:
        import anthropic  # imported on first use, like every SDK

        return anthropic.AsyncAnthropic(
            api_key=self.config.key() or "unset",
            base_url=self.config.base_url,
            max_retries=0,
            http_client=anthropic.DefaultAsyncHttpxClient(event_hooks={"request": [count_attempt]}),
        )

    def _kwargs(self, request: LlmRequest, model: str, timeout: float) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "model": model,
            "max_tokens": request.max_tokens,
            "messages": [{"role": m.role, "content": m.content} for m in request.conversation],
            "timeout": timeout,
        }
        if request.system:
            kwargs["system"] = request.system
        if request.temperature is not None:
            kwargs["temperature"] = min(request.temperature, 1.0)  # Anthropic's range is 0-1
        if request.json_schema is not None:
            kwargs["tools"] = [
                {
                    "name": request.schema_name,
                    "description": TOOL_DESCRIPTION,
                    "input_schema": request.json_schema,
                }
            ]
            kwargs["tool_choice"] = {"type": "tool", "name": request.schema_name}
        return kwargs

    async def complete(
        self, request: LlmRequest, model: str, *, max_retries: int, per_attempt_s: float
    ) -> ProviderReply:
        import anthropic  # the SDK is heavy: loaded by the first call, not at cold start

        create: Any = self.client(max_retries).messages.create
        try:
            response = await create(**self._kwargs(request, model, per_attempt_s))
        except anthropic.AnthropicError as exc:
            raise failure_from(exc, anthropic, max_retries + 1) from exc
        except (UnicodeEncodeError, TypeError, ValueError) as exc:  # the body could not be built
            raise ProviderFailure("bad_request", f"the request cannot be sent: {exc}") from exc
        texts: list[str] = []
        for block in response.content:
            if block.type == "text":
                texts.append(block.text)
            elif block.type == "tool_use" and request.json_schema is not None:
                texts = [json.dumps(block.input, ensure_ascii=False)]
                break
        stop = response.stop_reason or ""
        return ProviderReply(
            text="".join(texts),
            input_tokens=response.usage.input_tokens,
            output_tokens=response.usage.output_tokens,
            finish_reason=stop,
            model=response.model or model,
            refusal="the model refused" if stop == "refusal" else None,
        )

    async def stream(
        self, request: LlmRequest, model: str, *, max_retries: int, per_attempt_s: float
    ) -> AsyncIterator[str | ProviderReply]:
        import anthropic  # the SDK is heavy: loaded by the first call, not at cold start

        create: Any = self.client(max_retries).messages.create
        parts: list[str] = []
        input_tokens = output_tokens = 0
        stop: str | None = None
        finished = False
        reported_model = model
        try:
            stream = await create(**self._kwargs(request, model, per_attempt_s), stream=True)
            async with stream:
                async for event in stream:
                    if event.type == "message_start":
                        input_tokens = event.message.usage.input_tokens
                        output_tokens = event.message.usage.output_tokens
                        reported_model = event.message.model or model
                    elif event.type == "content_block_delta" and event.delta.type == "text_delta":
                        parts.append(event.delta.text)
                        yield event.delta.text
                    elif event.type == "message_delta":
                        stop = event.delta.stop_reason or stop
                        output_tokens = event.usage.output_tokens
                    elif event.type == "message_stop":
                        finished = True
        except anthropic.AnthropicError as exc:
            raise failure_from(exc, anthropic, max_retries + 1) from exc
        except Exception as exc:  # the connection dropped mid-stream
            raise ProviderFailure(
                "truncated",
                f"the stream broke off: {type(exc).__name__}",
                input_tokens=input_tokens,
                output_tokens=output_tokens,
            ) from exc
        if not finished:
            raise ProviderFailure(
                "truncated",
                "the stream ended before the answer was complete",
                input_tokens=input_tokens,
                output_tokens=output_tokens,
            )
        yield ProviderReply(
            text="".join(parts),
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            finish_reason=stop or "",
            model=reported_model,
            refusal="the model refused" if stop == "refusal" else None,
        )
