"""OpenAI chat completions through the official ``openai`` SDK (and any compatible server).

Structured output uses the API's ``response_format`` with a JSON Schema; streaming asks for the
usage chunk (``stream_options.include_usage``) so a streamed call is billed like any other.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from runtime.ai.errors import ProviderFailure
from runtime.ai.prices import estimate_tokens
from runtime.ai.providers.base import Provider, count_attempt, failure_from
from runtime.core.llm.messages import LlmRequest, ProviderReply

REFUSAL_FINISH = frozenset({"content_filter"})


class OpenAIProvider(Provider):
    sdk_name = "openai"

    def new_client(self) -> Any:
        import openai  # the SDK costs ~0.3 s to import: only when a call is made

        return openai.AsyncOpenAI(
            api_key=self.config.key() or "unset",
            base_url=self.config.base_url,
            max_retries=0,
            http_client=openai.DefaultAsyncHttpxClient(event_hooks={"request": [count_attempt]}),
        )

    def _kwargs(self, request: LlmRequest, model: str, timeout: float) -> dict[str, Any]:
        messages: list[dict[str, str]] = []
        if request.system:
            messages.append({"role": "system", "content": request.system})
        messages += [{"role": m.role, "content": m.content} for m in request.conversation]
        kwargs: dict[str, Any] = {
            "model": model,
            "messages": messages,
            "max_completion_tokens": request.max_tokens,
            "timeout": timeout,
        }
        if request.temperature is not None:
            kwargs["temperature"] = request.temperature
        if request.json_schema is not None:
            kwargs["response_format"] = {
                "type": "json_schema",
                # Not "strict": strict mode refuses most hand-written schemas (every property
                # required, no free-form objects); the router validates the answer itself.
                "json_schema": {"name": request.schema_name, "schema": request.json_schema},
            }
        return kwargs

    async def complete(
        self, request: LlmRequest, model: str, *, max_retries: int, per_attempt_s: float
    ) -> ProviderReply:
        import openai  # the SDK is heavy: loaded by the first call, not at cold start

        create: Any = self.client(max_retries).chat.completions.create
        try:
            response = await create(**self._kwargs(request, model, per_attempt_s))
        except openai.OpenAIError as exc:
            raise failure_from(exc, openai, max_retries + 1) from exc
        except (UnicodeEncodeError, TypeError, ValueError) as exc:  # the body could not be built
            raise ProviderFailure("bad_request", f"the request cannot be sent: {exc}") from exc
        if not response.choices:
            raise ProviderFailure("invalid_output", "the response had no choices")
        choice = response.choices[0]
        text = choice.message.content or ""
        usage = response.usage
        return ProviderReply(
            text=text,
            input_tokens=usage.prompt_tokens if usage else estimate_tokens(request.prompt_chars),
            output_tokens=usage.completion_tokens if usage else estimate_tokens(len(text)),
            finish_reason=choice.finish_reason or "",
            model=response.model or model,
            refusal=choice.message.refusal
            or ("content filter" if choice.finish_reason in REFUSAL_FINISH else None),
        )

    async def stream(
        self, request: LlmRequest, model: str, *, max_retries: int, per_attempt_s: float
    ) -> AsyncIterator[str | ProviderReply]:
        import openai  # the SDK is heavy: loaded by the first call, not at cold start

        create: Any = self.client(max_retries).chat.completions.create
        kwargs = self._kwargs(request, model, per_attempt_s)
        parts: list[str] = []
        finish: str | None = None
        usage: Any = None
        reported_model = model
        try:
            stream = await create(**kwargs, stream=True, stream_options={"include_usage": True})
            async with stream:
                async for chunk in stream:
                    reported_model = chunk.model or reported_model
                    if chunk.usage is not None:
                        usage = chunk.usage
                    for choice in chunk.choices:
                        if choice.delta.content:
                            parts.append(choice.delta.content)
                            yield choice.delta.content
                        if choice.finish_reason:
                            finish = choice.finish_reason
        except openai.OpenAIError as exc:
            raise failure_from(exc, openai, max_retries + 1) from exc
        except Exception as exc:  # the connection dropped mid-stream (httpx read errors)
            raise ProviderFailure(
                "truncated", f"the stream broke off: {type(exc).__name__}", output_tokens=0
            ) from exc
        text = "".join(parts)
        if finish is None:
            raise ProviderFailure("truncated", "the stream ended before the answer was complete")
        yield ProviderReply(
            text=text,
            input_tokens=usage.prompt_tokens if usage else estimate_tokens(request.prompt_chars),
            output_tokens=usage.completion_tokens if usage else estimate_tokens(len(text)),
            finish_reason=finish,
            model=reported_model,
            refusal="content filter" if finish in REFUSAL_FINISH else None,
        )
