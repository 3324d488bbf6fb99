"""One HTTP exchange with our own redirect and retry handling.

Redirects are followed here rather than by httpx so that every hop's URL is re-checked
(scheme, credentials, port, host) and credentials are dropped when the origin changes; the
connection-level guard in ``transport`` then checks the address of every hop as well.
Retries cover what is usually transient (connect failures, 5xx, 429) and honour a short
``Retry-After``; a long one means "not now", so we stop instead of holding a worker.
"""

from __future__ import annotations

import asyncio
import email.utils
import math
import time
from dataclasses import dataclass

import httpx

from nodes.http.ssrf import EgressPolicy
from runtime.core.errors import NodeRunError

MAX_REDIRECTS = 5
MAX_RESPONSE_BYTES = 10 * 1024 * 1024
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
RETRY_BACKOFF_SECONDS = 0.5
RETRY_BACKOFF_MAX_SECONDS = 8.0
RETRY_AFTER_MAX_SECONDS = 30.0
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CREDENTIAL_HEADERS = ("authorization", "cookie", "proxy-authorization")
BODY_HEADERS = ("content-type", "content-length", "content-encoding")


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    reason: str
    headers: httpx.Headers
    body: bytes
    charset: str | None
    url: httpx.URL


@dataclass(slots=True)
class Exchange:
    """What to send and how patiently; ``policy`` re-checks each hop's URL."""

    client: httpx.AsyncClient
    policy: EgressPolicy
    timeout: float
    retries: int
    retry_after_cap: float

    async def run(
        self, method: str, url: httpx.URL, headers: dict[str, str], content: bytes | None
    ) -> Reply:
        for hop in range(MAX_REDIRECTS + 1):
            self.policy.check_url(url)
            request = self.client.build_request(method, url, headers=headers, content=content)
            reply = await self._with_retries(request)
            location = reply.headers.get("location")
            if reply.status not in REDIRECT_STATUSES or location is None:
                return reply
            if hop == MAX_REDIRECTS:
                break
            try:
                target = reply.url.join(location.strip())
            except httpx.InvalidURL as exc:
                raise NodeRunError(f"{url.host} redirected to an invalid URL: {exc}") from None
            if (reply.status == 303 and method != "HEAD") or (
                reply.status in (301, 302) and method == "POST"
            ):
                method, content = "GET", None
                headers = {k: v for k, v in headers.items() if k.lower() not in BODY_HEADERS}
            if _origin(target) != _origin(url):
                headers = {k: v for k, v in headers.items() if k.lower() not in CREDENTIAL_HEADERS}
            url = target
        raise NodeRunError(f"{url.host} redirected more than {MAX_REDIRECTS} times")

    async def _with_retries(self, request: httpx.Request) -> Reply:
        attempt = 0
        while True:
            try:
                reply = await self._once(request)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                if attempt >= self.retries:
                    host = request.url.host
                    if isinstance(exc, httpx.ConnectTimeout):
                        message = f"connecting to {host} timed out after {self.timeout:g} s"
                    else:
                        message = f"could not connect to {host}: {exc or type(exc).__name__}"
                    raise NodeRunError(message) from None
                await asyncio.sleep(backoff(attempt))
            else:
                if reply.status not in RETRY_STATUSES or attempt >= self.retries:
                    return reply
                wait = retry_after(reply.headers.get("retry-after"))
                if wait is None:
                    wait = backoff(attempt)
                elif wait > self.retry_after_cap:
                    return reply  # the server asked for a long pause: report, don't wait
                await asyncio.sleep(wait)
            attempt += 1

    async def _once(self, request: httpx.Request) -> Reply:
        host = request.url.host
        try:
            async with asyncio.timeout(self.timeout):
                response = await self.client.send(request, stream=True)
                try:
                    body = await _read_capped(response)
                finally:
                    await response.aclose()
        except (TimeoutError, httpx.TimeoutException) as exc:
            if isinstance(exc, httpx.ConnectTimeout):
                raise
            raise NodeRunError(
                f"{request.method} {host} timed out after {self.timeout:g} s"
            ) from None
        except (httpx.ConnectError, NodeRunError):
            raise
        except httpx.HTTPError as exc:
            raise NodeRunError(f"{request.method} {host} failed: {exc}") from None
        return Reply(
            status=response.status_code,
            reason=response.reason_phrase,
            headers=response.headers,
            body=body,
            charset=response.charset_encoding,
            url=request.url,
        )


async def _read_capped(response: httpx.Response) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_RESPONSE_BYTES:
        raise NodeRunError(f"response is larger than {MAX_RESPONSE_BYTES // 1_048_576} MiB")
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise NodeRunError(f"response is larger than {MAX_RESPONSE_BYTES // 1_048_576} MiB")
        chunks.append(chunk)
    return b"".join(chunks)


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return (url.scheme, url.host, url.port)


def backoff(attempt: int) -> float:
    """Exponential backoff: 0.5 s, 1 s, 2 s... capped."""
    return float(min(RETRY_BACKOFF_SECONDS * 2**attempt, RETRY_BACKOFF_MAX_SECONDS))


def retry_after(value: str | None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or HTTP-date), if readable."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    seconds = when.timestamp() - time.time()
    return max(0.0, seconds) if math.isfinite(seconds) else None
