"""The fake provider: a real HTTP server on 127.0.0.1 (port chosen by the OS).

``/openai/v1/chat/completions`` speaks OpenAI's chat completions (JSON, SSE streaming with the
usage chunk, ``response_format`` json_schema); ``/anthropic/v1/messages`` speaks Anthropic's
messages (JSON, SSE events, forced tool use). ``/hooks/<name>`` is a scripted plain endpoint
for graphs that call HTTP after an AI node. Point the real SDKs at ``openai_url`` and
``anthropic_url``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from runtime.ai.config import ProviderConfig
from runtime.core.llm.policy import Price
from runtime.local.llm.script import Reply
from runtime.local.llm.synth import instance

OPENAI_MODEL = "gpt-4o-mini"
ANTHROPIC_MODEL = "claude-3-5-haiku-latest"
ERROR_TYPES = {429: "rate_limit_error", 401: "authentication_error", 400: "invalid_request_error"}


@dataclass(frozen=True, slots=True)
class Recorded:
    provider: str
    path: str
    body: Any
    headers: dict[str, str]
    at: float

    @property
    def retry_count(self) -> int:
        """The SDK's own ``x-stainless-retry-count``: 0 for a first attempt."""
        return int(self.headers.get("x-stainless-retry-count", "0"))


def _tokens(text: str) -> int:
    return len(text) // 4 + 1


def _chunks(text: str, size: int = 3) -> list[str]:
    words = text.split(" ")
    pieces = [" ".join(words[i : i + size]) for i in range(0, len(words), size)]
    return [p + (" " if i < len(pieces) - 1 else "") for i, p in enumerate(pieces)] or [""]


class FakeProvider:
    def __init__(self) -> None:
        self.queues: dict[str, deque[Reply]] = {}
        self.requests: list[Recorded] = []
        self._ids = itertools.count(1)
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self.app = Starlette(
            routes=[
                Route("/openai/v1/chat/completions", self._openai, methods=["POST"]),
                Route("/anthropic/v1/messages", self._anthropic, methods=["POST"]),
                Route("/hooks/{name}", self._hook, methods=["GET", "POST"]),
            ]
        )

    # -- scripting -------------------------------------------------------------------------

    def queue(self, target: str, *replies: Reply) -> None:
        """``target``: ``openai``, ``anthropic`` or ``hook:<name>``."""
        self.queues.setdefault(target, deque()).extend(replies)

    def count(self, provider: str | None = None) -> int:
        return sum(1 for r in self.requests if provider is None or r.provider == provider)

    def of(self, provider: str) -> list[Recorded]:
        return [r for r in self.requests if r.provider == provider]

    def reset(self) -> None:
        self.queues.clear()
        self.requests.clear()

    # -- addresses -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def openai_url(self) -> str:
        return f"{self.url}/openai/v1"

    @property
    def anthropic_url(self) -> str:
        return f"{self.url}/anthropic"

    def providers(self) -> tuple[ProviderConfig, ProviderConfig]:
        """An OpenAI and an Anthropic provider pointing here (OpenAI first), with prices."""
        return (
            ProviderConfig(
                name="openai",
                kind="openai",
                base_url=self.openai_url,
                api_key="test-key",
                default_model=OPENAI_MODEL,
                prices={OPENAI_MODEL: Price(input_per_mtok=0.15, output_per_mtok=0.6)},
            ),
            ProviderConfig(
                name="anthropic",
                kind="anthropic",
                base_url=self.anthropic_url,
                api_key="test-key",
                default_model=ANTHROPIC_MODEL,
                prices={ANTHROPIC_MODEL: Price(input_per_mtok=0.8, output_per_mtok=4.0)},
            ),
        )

    # -- lifecycle -------------------------------------------------------------------------

    def start(self, port: int = 0) -> FakeProvider:
        import uvicorn  # the service extra; importing the module must not need it

        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=port,
            log_level="error",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=2,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="fake-ai", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the fake AI provider did not start")
            time.sleep(0.01)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> FakeProvider:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- handlers --------------------------------------------------------------------------

    async def _take(self, provider: str, request: Request) -> tuple[Any, Reply | None]:
        body = await request.json() if provider != "hook" else None
        key = provider if provider != "hook" else f"hook:{request.path_params['name']}"
        self.requests.append(
            Recorded(key, request.url.path, body, dict(request.headers), time.time())
        )
        queue = self.queues.get(key)
        reply = queue.popleft() if queue else None
        if reply is not None and reply.delay:
            waited = 0.0
            while waited < reply.delay:
                await asyncio.sleep(0.02)
                waited += 0.02
        return body, reply

    async def _hook(self, request: Request) -> Response:
        _, reply = await self._take("hook", request)
        reply = reply or Reply(data={"ok": True})
        return JSONResponse(reply.data, status_code=reply.status, headers=reply.headers)

    @staticmethod
    def _error(provider: str, reply: Reply) -> Response:
        kind = ERROR_TYPES.get(reply.status, "api_error")
        if provider == "openai":
            body: dict[str, Any] = {"error": {"message": reply.message, "type": kind, "code": None}}
        else:
            body = {"type": "error", "error": {"type": kind, "message": reply.message}}
        return JSONResponse(body, status_code=reply.status, headers=reply.headers)

    @staticmethod
    def _answer(reply: Reply, schema: Any, prompt: str) -> tuple[str, Any]:
        """(text, structured value) for a successful reply."""
        if reply.raw_text is not None:
            return reply.raw_text, None
        if schema is not None:
            data = reply.data if reply.data is not None else instance(schema)
            return json.dumps(data), data
        if reply.text is not None:
            return reply.text, None
        return f"ok: {prompt[:60]}", None

    async def _openai(self, request: Request) -> Response:
        body, reply = await self._take("openai", request)
        reply = reply or Reply()
        if reply.status != 200:
            return self._error("openai", reply)
        messages = body.get("messages", [])
        prompt = str(messages[-1].get("content", "")) if messages else ""
        fmt = body.get("response_format") or {}
        schema = (
            fmt.get("json_schema", {}).get("schema") if fmt.get("type") == "json_schema" else None
        )
        text, _ = self._answer(reply, schema, prompt)
        usage = {
            "prompt_tokens": reply.input_tokens or _tokens(json.dumps(messages)),
            "completion_tokens": reply.output_tokens or _tokens(text),
        }
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        ident, model, created = f"chatcmpl-{next(self._ids)}", body.get("model"), int(time.time())
        if body.get("stream"):
            return StreamingResponse(
                self._openai_events(ident, model, created, text, reply, usage, body),
                media_type="text/event-stream",
            )
        message = {
            "role": "assistant",
            "content": None if reply.refusal else text,
            "refusal": reply.refusal,
        }
        return JSONResponse(
            {
                "id": ident,
                "object": "chat.completion",
                "created": created,
                "model": model,
                "choices": [
                    {"index": 0, "message": message, "finish_reason": "stop", "logprobs": None}
                ],
                "usage": usage,
            }
        )

    async def _openai_events(
        self,
        ident: str,
        model: Any,
        created: int,
        text: str,
        reply: Reply,
        usage: dict[str, int],
        body: Any,
    ) -> AsyncIterator[str]:
        def chunk(delta: dict[str, Any], finish: str | None, **extra: Any) -> str:
            choices = (
                [{"index": 0, "delta": delta, "finish_reason": finish}] if delta or finish else []
            )
            document = {
                "id": ident,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": choices,
                **extra,
            }
            return f"data: {json.dumps(document)}\n\n"

        yield chunk({"role": "assistant", "content": ""}, None)
        for index, piece in enumerate(_chunks(text)):
            if reply.truncate_after is not None and index >= reply.truncate_after:
                return  # the body ends: no finish_reason, no usage, no [DONE]
            yield chunk({"content": piece}, None)
            await asyncio.sleep(0)
        yield chunk({}, "content_filter" if reply.refusal else "stop")
        if (body.get("stream_options") or {}).get("include_usage"):
            yield chunk({}, None, usage=usage)
        yield "data: [DONE]\n\n"

    async def _anthropic(self, request: Request) -> Response:
        body, reply = await self._take("anthropic", request)
        reply = reply or Reply()
        if reply.status != 200:
            return self._error("anthropic", reply)
        messages = body.get("messages", [])
        prompt = str(messages[-1].get("content", "")) if messages else ""
        tool = None
        if (body.get("tool_choice") or {}).get("type") == "tool":
            name = body["tool_choice"]["name"]
            tool = next((t for t in body.get("tools", []) if t.get("name") == name), None)
        schema = tool.get("input_schema") if tool else None
        text, data = self._answer(reply, schema, prompt)
        in_tokens = reply.input_tokens or _tokens(json.dumps(messages) + str(body.get("system")))
        out_tokens = reply.output_tokens or _tokens(text)
        ident, model = f"msg_{next(self._ids)}", body.get("model")
        if body.get("stream"):
            return StreamingResponse(
                self._anthropic_events(ident, model, text, reply, in_tokens, out_tokens),
                media_type="text/event-stream",
            )
        if reply.refusal:
            content: list[dict[str, Any]] = [{"type": "text", "text": reply.refusal}]
            stop = "refusal"
        elif tool is not None and data is not None:
            content = [
                {"type": "tool_use", "id": f"toolu_{ident}", "name": tool["name"], "input": data}
            ]
            stop = "tool_use"
        else:
            content, stop = [{"type": "text", "text": text}], "end_turn"
        return JSONResponse(
            {
                "id": ident,
                "type": "message",
                "role": "assistant",
                "model": model,
                "content": content,
                "stop_reason": stop,
                "stop_sequence": None,
                "usage": {"input_tokens": in_tokens, "output_tokens": out_tokens},
            }
        )

    async def _anthropic_events(
        self, ident: str, model: Any, text: str, reply: Reply, in_tokens: int, out_tokens: int
    ) -> AsyncIterator[str]:
        def event(kind: str, data: dict[str, Any]) -> str:
            return f"event: {kind}\ndata: {json.dumps({'type': kind, **data})}\n\n"

        message = {
            "id": ident,
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {"input_tokens": in_tokens, "output_tokens": 1},
        }
        yield event("message_start", {"message": message})
        yield event(
            "content_block_start", {"index": 0, "content_block": {"type": "text", "text": ""}}
        )
        for index, piece in enumerate(_chunks(reply.refusal or text)):
            if reply.truncate_after is not None and index >= reply.truncate_after:
                return  # no content_block_stop, message_delta or message_stop
            yield event(
                "content_block_delta", {"index": 0, "delta": {"type": "text_delta", "text": piece}}
            )
            await asyncio.sleep(0)
        yield event("content_block_stop", {"index": 0})
        stop = "refusal" if reply.refusal else "end_turn"
        yield event(
            "message_delta",
            {
                "delta": {"stop_reason": stop, "stop_sequence": None},
                "usage": {"output_tokens": out_tokens},
            },
        )
        yield event("message_stop", {})


def running() -> Iterator[FakeProvider]:
    """Start a server for a fixture to yield from, and stop it afterwards."""
    server = FakeProvider().start()
    try:
        yield server
    finally:
        server.stop()
