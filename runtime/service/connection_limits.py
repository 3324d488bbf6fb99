"""Bounds on connections that ``auterity serve`` holds open for a client.

uvicorn waits forever for a request's header block: its keep-alive timer runs only between
requests, so a client that sends half a header block (or nothing) keeps a connection, and a
few hundred such clients keep hundreds. This h11 protocol adds the two bounds a front proxy
would otherwise give: the header block must arrive within ``header_timeout`` seconds of the
connection opening (or of its first byte after a keep-alive pause), else a 408 and close; and
one client address holds at most ``per_client`` connections, the next one gets a 503 and close.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol


def _plain(status: str, text: str, *extra: str) -> bytes:
    body = text.encode()
    head = [
        f"HTTP/1.1 {status}",
        "content-type: text/plain; charset=utf-8",
        f"content-length: {len(body)}",
        "connection: close",
        *extra,
    ]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


REQUEST_TIMEOUT = _plain("408 Request Timeout", "the request headers took too long to arrive")
TOO_MANY = _plain(
    "503 Service Unavailable", "too many open connections from this address", "retry-after: 1"
)


@dataclass(frozen=True, slots=True)
class ConnectionLimits:
    header_timeout: float = 5.0
    """Seconds a connection may take to send a request's whole header block."""
    per_client: int = 64
    """Open connections one client address may hold; 0 turns the cap off (behind a proxy,
    every client has the proxy's address)."""

    def __post_init__(self) -> None:
        if not self.header_timeout > 0:
            raise ValueError("the header timeout must be a positive number of seconds")
        if self.per_client < 0:
            raise ValueError("the connection cap per client must be 0 (off) or more")


def limited_h11(limits: ConnectionLimits) -> type[H11Protocol]:
    """An h11 protocol class for ``uvicorn.Config(http=...)``, with its own count per address.

    One class per server, so two servers in one process never share counts.
    """
    open_by_address: Counter[str] = Counter()

    class LimitedH11Protocol(H11Protocol):
        _head_timer: asyncio.TimerHandle | None = None
        _address: str | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            address = self.client[0] if self.client else ""
            if limits.per_client and open_by_address[address] >= limits.per_client:
                transport.write(TOO_MANY)
                transport.close()
                return
            open_by_address[address] += 1
            self._address = address
            self._await_head()

        def connection_lost(self, exc: Exception | None) -> None:
            self._stop_head_timer()
            self._release()
            super().connection_lost(exc)

        def handle_websocket_upgrade(self, event: h11.Request) -> None:
            # The WebSocket protocol takes the transport: this one never sees it close.
            self._stop_head_timer()
            self._release()
            super().handle_websocket_upgrade(event)

        def _release(self) -> None:
            if self._address is not None:
                open_by_address[self._address] -= 1
                if open_by_address[self._address] <= 0:
                    del open_by_address[self._address]
                self._address = None

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
                self._await_head()  # part of a header block: the clock runs from its start
            else:
                self._stop_head_timer()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            # Between requests uvicorn's keep-alive timer bounds the wait; the next byte
            # (``data_received``) starts the header clock again.
            self._stop_head_timer()

        def _await_head(self) -> None:
            if self._head_timer is None:
                self._head_timer = self.loop.call_later(limits.header_timeout, self._head_late)

        def _stop_head_timer(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None

        def _head_late(self) -> None:
            self._head_timer = None
            if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
                self.transport.write(REQUEST_TIMEOUT)
                self.transport.close()

    return LimitedH11Protocol
