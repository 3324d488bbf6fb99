"""An httpx transport whose every TCP connection passes the SSRF guard.

httpx's own ``AsyncHTTPTransport`` builds its connection pool internally and offers no way to
hand it a network backend, so this transport builds an ``httpcore.AsyncConnectionPool`` with
``network_backend=GuardedBackend(...)`` and does the small httpx <-> httpcore translation itself,
using only public API of both libraries. No proxy is ever configured: a proxy would open the
connections on our behalf, out of the guard's sight.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ipaddress
import ssl
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

import httpcore
import httpx

from nodes.http.ssrf import EgressBlocked, EgressPolicy, Resolver, resolve_host

_ERRORS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.ProxyError, httpx.ProxyError),
)
"""Most specific first; httpx callers (and our node) expect httpx's exception types."""


@contextlib.contextmanager
def _mapped_errors() -> Iterator[None]:
    try:
        yield
    except EgressBlocked:
        raise
    except Exception as exc:
        for source, target in _ERRORS:
            if isinstance(exc, source):
                raise target(str(exc)) from exc
        raise


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Opens TCP connections only to addresses the policy allows, checked at connect time."""

    def __init__(
        self,
        policy: EgressPolicy,
        inner: httpcore.AsyncNetworkBackend | None = None,
        resolver: Resolver | None = None,
    ) -> None:
        self._policy = policy
        self._inner = inner or httpcore.AnyIOBackend()
        self._resolver = resolver

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        name = host.lower().rstrip(".")
        literal = self._policy.check_host(name, port)
        if literal is not None:
            addresses = [str(literal)]
        else:
            resolver = self._resolver or resolve_host
            try:
                async with asyncio.timeout(timeout):
                    addresses = await resolver(name, port)
            except TimeoutError:
                raise httpcore.ConnectTimeout(f"resolving {name} timed out") from None
            if not addresses:
                raise httpcore.ConnectError(f"cannot resolve {name}")
            for address in addresses:  # allow-listed names too: a name is not an address
                self._policy.check_ip(ipaddress.ip_address(address), name, port)
        last_error: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        assert last_error is not None
        raise last_error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise EgressBlocked("unix sockets are not allowed for HTTP requests")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """Build the verifying TLS context once: loading the CA bundle costs more than a request."""
    return httpx.create_ssl_context()


class _ResponseStream(httpx.AsyncByteStream):
    def __init__(self, stream: Any) -> None:
        self._stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _mapped_errors():
            async for part in self._stream:
                yield part

    async def aclose(self) -> None:
        if hasattr(self._stream, "aclose"):
            with _mapped_errors():
                await self._stream.aclose()


class GuardedTransport(httpx.AsyncBaseTransport):
    """Plain HTTP/1.1 over a pool whose only way to the network is ``GuardedBackend``."""

    def __init__(
        self,
        policy: EgressPolicy,
        *,
        inner: httpcore.AsyncNetworkBackend | None = None,
        resolver: Resolver | None = None,
    ) -> None:
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=_ssl_context(),
            max_connections=10,
            keepalive_expiry=5.0,
            network_backend=GuardedBackend(policy, inner, resolver),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _mapped_errors():
            response = await self._pool.handle_async_request(core_request)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_ResponseStream(response.stream),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self._pool.aclose()
