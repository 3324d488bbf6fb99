"""``auterity serve`` bounds connections that never finish their headers (issue 13, item 8).

Found: a connection that sent ``GET /healthz HTTP/1.1\\r\\nHost: x\\r\\n`` and stopped was still
open when the client gave up after 15 s, and nothing bounded how many a client may hold. Here
the real command runs in a subprocess with its default limits (5 s to send a header block,
64 connections per client address), on loopback, over moto's DynamoDB and S3.

Loopback has a whole /8, so "other clients" are other 127.x addresses: the stalled clients
bind to 127.0.0.2 and up, the well-behaved one uses 127.0.0.1.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.store.conftest import free_port, moto_server  # noqa: F401  (the moto fixture)

ROOT = Path(__file__).resolve().parents[3]
HEADER_TIMEOUT = 5.0  # serve's default
PER_CLIENT = 64  # serve's default
BOUND = 10.0
"""A stalled connection must be closed this soon after it opened."""
STALLED_HEAD = b"GET /healthz HTTP/1.1\r\nHost: x\r\n"


@dataclass(frozen=True)
class Served:
    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture(scope="module")
def served(
    moto_server: str,  # noqa: F811  (the moto fixture)
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Served]:
    """``auterity serve`` as a user starts it, against fresh tables on moto."""
    suffix = uuid.uuid4().hex[:12]
    port = free_port()
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": moto_server,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AUTERITY_TABLE": f"auterity-{suffix}",
        "AUTERITY_IDEMPOTENCY_TABLE": f"auterity-idem-{suffix}",
        "AUTERITY_ASSETS_BUCKET": f"auterity-assets-{suffix}",
        "AUTERITY_TOKEN_SECRET": "s" * 48,
    }
    for name in ("AWS_PROFILE", "AUTERITY_HEADER_TIMEOUT_SECONDS",
                 "AUTERITY_MAX_CONNECTIONS_PER_CLIENT"):  # fmt: skip
        env.pop(name, None)
    command = [sys.executable, "-c", "from runtime.cli import main; main()", "serve",
               "--host", "127.0.0.1", "--port", str(port)]  # fmt: skip
    # A file, not a pipe: nobody reads a pipe while the server runs, and a full one blocks it.
    log = (tmp_path_factory.mktemp("serve") / "stderr.log").open("w+b")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)

    def stderr_tail() -> str:
        log.seek(0)
        return log.read().decode(errors="replace")[-2000:]

    try:
        deadline = time.monotonic() + 180  # imports and preloading, on a busy machine
        while True:
            assert process.poll() is None, stderr_tail()
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                process.terminate()
                pytest.fail(f"auterity serve did not start: {stderr_tail()}")
            time.sleep(0.2)
        yield Served(port, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
        log.close()


def stalled(served: Served, source: str, head: bytes = STALLED_HEAD) -> socket.socket:
    """A connection from ``source`` that sends ``head`` and then nothing more."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((source, 0))
    sock.settimeout(15)  # the client of the issue gave up after 15 s
    sock.connect(("127.0.0.1", served.port))
    if head:
        sock.sendall(head)
    return sock


def read_until_closed(sock: socket.socket, deadline: float) -> bytes:
    """Everything the server sends until it closes; fails if it is still open at ``deadline``."""
    received = b""
    while True:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"still open at the deadline; received {received[:80]!r}"
        sock.settimeout(remaining)
        try:
            chunk = sock.recv(4096)
        except TimeoutError:
            raise AssertionError(f"still open at the deadline; got {received[:80]!r}") from None
        except ConnectionResetError:
            return received
        if not chunk:
            return received
        received += chunk


def healthz_from_localhost(served: Served) -> float:
    """A normal request on a fresh connection; returns how long its answer took."""
    started = time.monotonic()
    with httpx.Client(timeout=5, transport=httpx.HTTPTransport(local_address="127.0.0.1")) as http:
        answer = http.get(f"{served.url}/healthz")
    assert (answer.status_code, answer.json()) == (200, {"status": "ok"})
    return time.monotonic() - started


def test_a_stalled_header_block_gets_408_and_is_closed(served: Served) -> None:
    opened = time.monotonic()
    with stalled(served, "127.0.0.2") as sock:
        answer = read_until_closed(sock, opened + BOUND)
    waited = time.monotonic() - opened
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:80]
    assert HEADER_TIMEOUT - 0.5 <= waited <= BOUND, waited


def test_a_silent_or_dribbling_client_is_closed_too(served: Served) -> None:
    """Neither saying nothing nor sending a byte a second restarts the header clock."""
    opened = time.monotonic()
    with stalled(served, "127.0.0.3", head=b"") as silent, stalled(served, "127.0.0.3") as drip:
        for _ in range(int(BOUND)):  # one byte a second, at most BOUND of them
            try:
                drip.sendall(b"X")
            except (BrokenPipeError, ConnectionResetError):
                break
            time.sleep(1)
        assert read_until_closed(silent, opened + BOUND).startswith(b"HTTP/1.1 408 ")
        assert read_until_closed(drip, opened + BOUND + 1).startswith(b"HTTP/1.1 408 ")


def test_hundreds_of_stalled_connections_do_not_starve_requests(served: Served) -> None:
    """300 stalled connections from 10 addresses (30 each, under the cap) stay until their
    deadline; meanwhile requests from another client are answered at once."""
    sources = [f"127.0.1.{n}" for n in range(1, 11)]
    with ExitStack() as stack:
        opened = time.monotonic()
        socks = [stack.enter_context(stalled(served, s)) for s in sources for _ in range(30)]
        assert len(socks) == 300
        for _ in range(5):
            assert healthz_from_localhost(served) < 2.0
        closed_by = opened + HEADER_TIMEOUT + BOUND  # opening 300 on a busy machine takes time
        answers = [read_until_closed(sock, closed_by) for sock in socks]
    assert all(a.startswith(b"HTTP/1.1 408 ") for a in answers), {a[:40] for a in answers}
    assert healthz_from_localhost(served) < 2.0


def test_one_address_holds_at_most_the_cap(served: Served) -> None:
    """Past 64 open connections, an address gets 503 and a close at once; others do not."""
    with ExitStack() as stack:
        held = [stack.enter_context(stalled(served, "127.0.2.1")) for _ in range(PER_CLIENT)]
        time.sleep(0.5)  # the server has accepted them all
        extra = [stack.enter_context(stalled(served, "127.0.2.1")) for _ in range(20)]
        refused = [read_until_closed(sock, time.monotonic() + 3) for sock in extra]
        assert all(r.startswith(b"HTTP/1.1 503 ") for r in refused), {r[:40] for r in refused}
        assert healthz_from_localhost(served) < 2.0
        for sock in held:  # the capped ones were held, not refused: they time out as usual
            assert read_until_closed(sock, time.monotonic() + BOUND).startswith(b"HTTP/1.1 408 ")
    # Once they are gone, the address is served again.
    with httpx.Client(timeout=5, transport=httpx.HTTPTransport(local_address="127.0.2.1")) as http:
        assert http.get(f"{served.url}/healthz").status_code == 200


def test_upgraded_connections_do_not_use_up_the_cap(served: Served) -> None:
    """A WebSocket upgrade hands the connection to another protocol; its count must go too,
    or an address that tried the cap's worth of upgrades would be refused for good."""
    upgrade = (
        b"GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
        b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
    )
    for _ in range(PER_CLIENT + 6):
        with stalled(served, "127.0.3.1", head=upgrade) as sock:
            answer = read_until_closed(sock, time.monotonic() + BOUND)
        assert answer.startswith(b"HTTP/1.1 403 "), answer[:80]
    with httpx.Client(timeout=5, transport=httpx.HTTPTransport(local_address="127.0.3.1")) as http:
        assert http.get(f"{served.url}/healthz").status_code == 200
