"""Port and HTTP probes for the local stack: is a port free, does a server answer yet.

Plain ``http.client`` and sockets on 127.0.0.1, never a proxy.
"""

from __future__ import annotations

import http.client
import socket
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

LOOPBACK = "127.0.0.1"


def port_is_free(port: int, host: str = LOOPBACK) -> bool:
    """True when nothing accepts connections on host:port and a server could bind it.

    Both checks are needed: on some systems binding 127.0.0.1 succeeds while another
    program listens on 0.0.0.0, but a connect then reaches that program.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        if probe.connect_ex((host, port)) == 0:
            return False
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Servers (werkzeug, uvicorn) set SO_REUSEADDR, so TIME_WAIT leftovers don't count.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


@dataclass(frozen=True)
class HttpAnswer:
    """What a probe got back: enough to tell servers apart without keeping a connection."""

    status: int
    headers: Mapping[str, str]
    body: bytes


def http_request(url: str, *, method: str = "GET", timeout: float = 5.0) -> HttpAnswer:
    """One plain-HTTP request with no proxy and no retries.

    ``http.client`` rather than urllib: urllib honours ``HTTP_PROXY``, and a developer's
    proxy must never see requests meant for 127.0.0.1.
    """
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise ValueError(f"only plain http:// URLs are probed here, got {url!r}")
    conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=timeout)
    try:
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        conn.request(method, target, body=b"" if method in {"POST", "PUT"} else None)
        response = conn.getresponse()
        body = response.read()
        headers = {name.lower(): value for name, value in response.getheaders()}
        return HttpAnswer(response.status, headers, body)
    finally:
        conn.close()


def wait_for_http(
    url: str,
    timeout: float,
    *,
    process: subprocess.Popen[bytes] | None = None,
    interval: float = 0.05,
) -> int:
    """Wait until ``url`` answers with any HTTP status and return it.

    Any status counts (a 404 still proves the server is up). Passing the server's
    ``process`` turns "it crashed on start" into an immediate error instead of a timeout.
    """
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            raise RuntimeError(
                f"process {process.pid} exited with code {process.returncode} before {url} answered"
            )
        remaining = deadline - time.monotonic()
        try:
            return http_request(url, timeout=max(0.1, min(2.0, remaining))).status
        except (OSError, http.client.HTTPException):
            pass
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{url} did not answer within {timeout:g} s")
        time.sleep(interval)
