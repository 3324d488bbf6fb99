"""Oversized bodies on the management API are refused with a JSON 413, before they are read.

On the real server, with raw sockets: a request that declares more than 32 MiB is answered
without the server waiting for a single body byte, whoever sends it and whatever the route. A
body that does not declare its length (``Transfer-Encoding: chunked``) must be cut off at the
same limit instead of being buffered whole.
"""

from __future__ import annotations

import json
import socket
import time

import pytest

from runtime.service.app import MAX_API_BODY_BYTES
from tests.service.attacks.conftest import Live

MIB = 1024 * 1024


def _read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {
        k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])
    }
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, headers, body


def _headers(live: Live, method: str, path: str, extra: dict[str, str]) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {live.host}:{live.port}"]
    lines += [f"{k}: {v}" for k, v in extra.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/graphs"),
        ("PUT", "/api/v1/graphs/lead_scoring"),
        ("POST", "/api/v1/validate"),
        ("POST", "/api/v1/auth/login"),
        ("PUT", "/api/v1/settings"),
        ("POST", "/api/v1/no-such-route"),
    ],
)
def test_a_declared_oversize_body_is_413_before_it_is_sent(
    live: Live, method: str, path: str
) -> None:
    for credential in ({}, live.a.auth):
        declared = {
            "Content-Type": "application/json",
            "Content-Length": str(MAX_API_BODY_BYTES + 1),
        }
        with socket.create_connection((live.host, live.port), timeout=10) as sock:
            started = time.monotonic()
            sock.sendall(_headers(live, method, path, {**declared, **credential}))
            status, headers, body = _read_response(sock)  # no body byte was sent
            assert time.monotonic() - started < 5
        assert status == 413, body
        assert headers["content-type"] == "application/json"
        assert json.loads(body)["error"]["code"] == "too_large"


def test_a_body_just_under_the_limit_is_not_refused_for_size(live: Live) -> None:
    declared = {"Content-Type": "application/json", "Content-Length": str(MAX_API_BODY_BYTES)}
    with socket.create_connection((live.host, live.port), timeout=10) as sock:
        sock.sendall(_headers(live, "POST", "/api/v1/validate", {**declared, **live.a.auth}))
        sock.sendall(b"[" + b" " * (MAX_API_BODY_BYTES - 2) + b"]")
        status, _, body = _read_response(sock)
    assert status == 422, body  # read and parsed: a list is not a graph


def _chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


@pytest.mark.timeout(60)
@pytest.mark.parametrize("credential", ["none", "token"])
def test_a_chunked_oversize_body_is_cut_off(live: Live, credential: str) -> None:
    """Found: ``BodyLimit`` trusts Content-Length only. Without one (chunked), the whole body is
    buffered and parsed, by anyone, since FastAPI reads the body before the auth dependency."""
    headers = {"Content-Type": "application/json", "Transfer-Encoding": "chunked"}
    if credential == "token":
        headers.update(live.a.auth)
    padding = _chunk(b" " * MIB)  # JSON whitespace: the body stays valid JSON however long
    sent = 0
    with socket.create_connection((live.host, live.port), timeout=30) as sock:
        sock.sendall(_headers(live, "POST", "/api/v1/graphs", headers))
        try:
            sock.sendall(_chunk(b'{"graph": '))
            for _ in range(MAX_API_BODY_BYTES // MIB + 1):
                sock.sendall(padding)
                sent += MIB
            sock.sendall(_chunk(b"{}}") + b"0\r\n\r\n")
        except OSError:  # the server may stop reading and close once it has answered 413
            pass
        status, response_headers, body = _read_response(sock)
    assert sent > MAX_API_BODY_BYTES or status == 413
    assert status == 413, (status, body[:200])
    assert response_headers["content-type"] == "application/json"
