"""Call an HTTP API: the workhorse integration node, and the one most worth guarding.

Every connection goes through ``GuardedTransport`` (no proxies from the environment, no
automatic redirects), so the SSRF rules hold for the first request and every redirect hop.
Responses become plain JSON values: ``{status, headers, body}``.
"""

from __future__ import annotations

import hashlib
import urllib.parse
from collections.abc import Mapping
from typing import Any, Literal

import httpx
from pydantic import Field, field_validator

from nodes.base import ConfigPath, Expr, ExprValue, NodeConfig, NodeContext, NodeType, Outputs
from nodes.dataflow import Effects
from nodes.http.codec import (
    BodyType,
    ResponseMode,
    decode_body,
    encode_body,
    response_headers,
    response_text,
    scalar_text,
)
from nodes.http.exchange import RETRY_AFTER_MAX_SECONDS, Exchange
from nodes.http.headers import checked_headers, header_value, is_credential_name
from nodes.http.ssrf import EgressPolicy, parse_legacy_ipv4
from nodes.http.transport import GuardedTransport
from runtime.core import expr
from runtime.core.errors import NodeRunError
from runtime.core.types import OBJECT, Port

MAX_URL_CHARS = 8_192
MANAGED_HEADERS = frozenset(
    {"host", "content-length", "transfer-encoding", "connection", "upgrade", "te", "trailer",
     "keep-alive", "proxy-authorization", "proxy-connection"}
)  # fmt: skip
"""Framing and routing headers the client owns; letting a user set them invites smuggling."""
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def step_key(ctx: NodeContext) -> str:
    """The same for every attempt of one step of one run, across retries and resumptions.

    A durable run resumed after a crash calls the API again for the step that was in flight
    (nothing says whether the first call landed): with this key the API can tell.
    """
    step = f"{ctx.run_id}\0{ctx.node_id}\0{'.'.join(map(str, ctx.iteration))}"
    return hashlib.sha256(step.encode()).hexdigest()[:32]


class HttpRequestConfig(NodeConfig):
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] = "GET"
    url: Expr = Field(description="Absolute http(s) URL; may contain `{{ expressions }}`.")
    query: dict[str, Expr] = Field(default_factory=dict, description="Query parameters to add.")
    headers: dict[str, Expr] = Field(default_factory=dict, description="Request headers.")
    body: ExprValue = Field(default=None, description="Request body (a JSON value or text).")
    body_type: BodyType = "json"
    timeout_seconds: float | None = Field(
        default=None, gt=0, le=300, description="Per hop; capped by the workspace limit."
    )
    retries: int = Field(default=0, ge=0, le=5, description="Retries on connect errors/5xx/429.")
    response: ResponseMode = Field(
        default="auto", description="`auto` parses JSON when the response says it is JSON."
    )
    fail_on_status: bool = Field(default=True, description="Fail on a 4xx/5xx response.")
    idempotency_key: bool = Field(
        default=True,
        description="Send an `Idempotency-Key` header (POST, PUT, PATCH, DELETE) that is the"
        " same for every attempt of this step of this run, so the API can recognise a retry.",
    )

    @field_validator("headers")
    @classmethod
    def _valid_header_names(cls, headers: dict[str, str]) -> dict[str, str]:
        return checked_headers(headers, MANAGED_HEADERS)


class HttpRequest(NodeType[HttpRequestConfig]):
    type = "http.request"
    title = "HTTP request"
    category = "integration"
    description = "Call an HTTP API and output its status, headers and body."
    icon = "globe"
    Config = HttpRequestConfig
    capabilities = frozenset({"egress"})

    @classmethod
    def effects(cls, config: HttpRequestConfig) -> Effects:
        """The host, when the URL names it without an expression (the packs match it)."""
        if expr.has_expression(config.url.split("/")[2] if config.url.count("/") >= 2 else "{{"):
            return Effects()
        return Effects(provider=urllib.parse.urlsplit(config.url).hostname)

    inputs = (Port(name="in"),)
    outputs = (Port(name="out", type=OBJECT, description="{status, headers, body}"),)
    example = {
        "method": "POST",
        "url": "https://crm.example/api/leads/{{ input.id }}",
        "query": {"source": "{{ input.source }}"},
        "headers": {"Accept": "application/json", "X-Lead-Id": "{{ input.id }}"},
        "body": {"name": "{{ input.name }}", "score": "{{ input.score }}"},
        "retries": 1,
    }
    example_input = {"in": {"id": 7, "name": "Ada", "score": 80, "source": "web"}}

    @classmethod
    def secret_paths(cls, config: Mapping[str, Any]) -> list[ConfigPath]:
        """Values of credential headers and query parameters (``Authorization``, ``api_key``)."""
        paths = super().secret_paths(config)
        for field in ("headers", "query"):
            values = config.get(field)
            if isinstance(values, dict):
                paths += [(field, k) for k in values if is_credential_name(str(k))]
        return paths

    @classmethod
    def secret_audience(cls, config: Mapping[str, Any]) -> str | None:
        """The URL's origin; the whole URL text while an expression could change the host."""
        url = config.get("url")
        if not isinstance(url, str):
            return None
        parts = urllib.parse.urlsplit(url.strip())
        if not parts.scheme or not parts.netloc or "{{" in parts.scheme + parts.netloc:
            return url.strip()
        return f"{parts.scheme.lower()}://{parts.netloc.lower()}"

    @classmethod
    def check(cls, config: HttpRequestConfig) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        for field in ("query", "headers"):
            for key, value in getattr(config, field).items():
                problems += [(f"{field}.{key}", m) for _, m in expr.check_value(value)]
        return problems

    async def run(
        self, config: HttpRequestConfig, inputs: dict[str, Any], ctx: NodeContext
    ) -> Outputs:
        policy = EgressPolicy(ctx.options.egress_allow, ctx.options.egress)
        url = _build_url(config, ctx, policy)
        policy.check_url(url)
        headers = {
            name: header_value(name, ctx.render_text(v)) for name, v in config.headers.items()
        }
        keyed = any(name.lower() == "idempotency-key" for name in headers)
        if config.idempotency_key and config.method in UNSAFE_METHODS and not keyed:
            headers["Idempotency-Key"] = step_key(ctx)
        body = None if config.body_type == "none" else ctx.render(config.body)
        content = encode_body(config.body_type, body, headers)
        limit = ctx.options.http_timeout_seconds
        timeout = min(config.timeout_seconds or limit, limit)
        async with httpx.AsyncClient(
            transport=GuardedTransport(policy),
            trust_env=False,
            follow_redirects=False,
            timeout=timeout,
        ) as client:
            exchange = Exchange(
                client=client,
                policy=policy,
                timeout=timeout,
                retries=config.retries,
                retry_after_cap=min(RETRY_AFTER_MAX_SECONDS, ctx.options.max_delay_seconds),
            )
            reply = await exchange.run(config.method, url, headers, content)
        if config.fail_on_status and reply.status >= 400:
            excerpt = response_text(reply)[:200]
            raise NodeRunError(
                f"{config.method} {reply.url.host}{reply.url.path} returned {reply.status}"
                f" {reply.reason}" + (f": {excerpt}" if excerpt else "")
            )
        return {
            "out": {
                "status": reply.status,
                "headers": response_headers(reply),
                "body": decode_body(reply, config.response, config.method),
            }
        }


def _build_url(config: HttpRequestConfig, ctx: NodeContext, policy: EgressPolicy) -> httpx.URL:
    text = ctx.render_text(config.url).strip()
    if len(text) > MAX_URL_CHARS:
        raise NodeRunError(f"the URL is longer than {MAX_URL_CHARS} characters")
    try:
        url = httpx.URL(text)
    except httpx.InvalidURL as exc:
        _explain_legacy_address(text, policy)
        raise NodeRunError(f"invalid URL {text[:200]!r}: {exc}") from None
    except UnicodeError:
        raise NodeRunError(f"invalid URL {text[:200]!r}: it is not valid Unicode text") from None
    if not url.is_absolute_url:
        raise NodeRunError(f"the URL must be absolute (http:// or https://), got {text[:200]!r}")
    params: list[tuple[str, str | int | float | bool | None]] = []
    for name, template in config.query.items():
        value = ctx.render(template)
        for element in value if isinstance(value, list) else [value]:
            if element is None:
                continue
            if isinstance(element, dict | list):
                raise NodeRunError(f"query parameter '{name}' must be text or a list of text")
            params.append((name, scalar_text(element)))
    try:
        return url.copy_merge_params(params) if params else url
    except UnicodeError:
        raise NodeRunError("a query parameter is not valid Unicode text") from None


def _explain_legacy_address(text: str, policy: EgressPolicy) -> None:
    """Say *why* ``http://0177.0.0.1/`` is refused (httpx rejects it as a bad URL anyway)."""
    try:
        host = urllib.parse.urlsplit(text).hostname
    except ValueError:
        return
    ip = parse_legacy_ipv4(host) if host else None
    if ip is not None:
        policy.check_host(host or "", 80)
        raise NodeRunError(f"{host} is an unusual spelling of {ip}; write the address as {ip}")
