"""http.request against a real HTTP server on 127.0.0.1 -- the only address these tests reach.

Every test patches the socket layer under the guard with a recorder, so each test also proves
which addresses a connection was attempted to: nothing but 127.0.0.1 ever appears there.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import httpcore
import pytest

from nodes.http import exchange
from nodes.registry import default_registry
from runtime.core.egress import EgressPlatform
from runtime.core.errors import NodeRunError
from runtime.core.options import RunOptions
from tests.nodes.helpers import run_node

OPERATOR = EgressPlatform.configure(open=["127.0.0.0/8"])
"""Loopback opened by the operator (as for local development): tenants may allow-list it."""
LOCAL = RunOptions(egress_allow=("127.0.0.1",), egress=OPERATOR)


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0

    @staticmethod
    def json(value: Any, status: int = 200, **headers: str) -> Reply:
        extra = {name.replace("_", "-"): v for name, v in headers.items()}
        return Reply(
            status, {"Content-Type": "application/json", **extra}, json.dumps(value).encode()
        )


@dataclass
class Seen:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes


Route = Reply | list[Reply] | Callable[[Seen], Reply]


class LocalServer:
    """A deliberately tiny HTTP/1.1 server (one request per connection) bound to 127.0.0.1."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.seen: list[Seen] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._server: asyncio.Server | None = None
        self.port = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            request_line = (await reader.readline()).decode("latin-1").strip()
            if not request_line:
                return
            method, target, _ = request_line.split(" ", 2)
            headers: dict[str, str] = {}
            while (line := (await reader.readline()).decode("latin-1").strip()) != "":
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            seen = Seen(method, target, headers, body)
            self.seen.append(seen)
            reply = self._reply(seen)
            if reply.delay:
                await asyncio.sleep(reply.delay)
            head = [f"HTTP/1.1 {reply.status} Status", "Connection: close"]
            head += [f"{k}: {v}" for k, v in reply.headers.items()]
            head.append(f"Content-Length: {len(reply.body)}")
            writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + reply.body)
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self._tasks.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    def _reply(self, seen: Seen) -> Reply:
        route = self.routes.get(seen.target.split("?")[0], Reply(404, body=b"no such route"))
        if isinstance(route, list):
            return route.pop(0) if len(route) > 1 else route[0]
        if callable(route):
            return route(seen)
        return route


@pytest.fixture
async def server() -> AsyncIterator[LocalServer]:
    srv = LocalServer()
    await srv.start()
    try:
        yield srv
    finally:
        await srv.stop()


@pytest.fixture(autouse=True)
def connections(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every socket the guard lets through, and refuse any but the loopback server."""
    attempts: list[str] = []
    real = httpcore.AnyIOBackend.connect_tcp

    async def recording(
        self: httpcore.AnyIOBackend,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        attempts.append(host)
        assert host in ("127.0.0.1", "::1"), f"test tried to reach {host}"
        return await real(self, host, port, timeout, local_address, socket_options)

    monkeypatch.setattr(httpcore.AnyIOBackend, "connect_tcp", recording)
    return attempts


async def request(config: dict[str, Any], options: RunOptions = LOCAL, **inputs: Any) -> Any:
    out = await run_node("http.request", config, {"in": inputs or None}, options=options)
    assert set(out) == {"out"}
    return out["out"]


async def test_loopback_is_blocked_by_default(server: LocalServer, connections: list[str]) -> None:
    server.routes["/"] = Reply.json({"secret": True})
    with pytest.raises(NodeRunError, match=r"127\.0\.0\.1 is a loopback address; allow-list it"):
        await request({"url": f"{server.base}/"}, RunOptions(egress=OPERATOR))
    assert connections == []
    assert server.seen == []


async def test_allow_listed_loopback_gets_json(server: LocalServer) -> None:
    server.routes["/leads/7"] = Reply.json({"id": 7, "name": "Ada"}, X_Trace="abc")
    out = await request(
        {
            "url": server.base + "/leads/{{ input.id }}",
            "query": {"fields": "{{ input.fields }}", "skip": "{{ input.nothing }}"},
            "headers": {"X-Tenant": "t-{{ input.tenant }}"},
        },
        id=7,
        fields=["name", "id"],
        tenant="acme",
    )
    assert out["status"] == 200
    assert out["body"] == {"id": 7, "name": "Ada"}
    assert out["headers"]["x-trace"] == "abc"
    assert out["headers"]["content-type"] == "application/json"
    (seen,) = server.seen
    assert seen.method == "GET"
    assert seen.target == "/leads/7?fields=name&fields=id"
    assert seen.headers["x-tenant"] == "t-acme"


async def test_allow_list_by_cidr_and_ipv6_mapped_form_is_still_one_address(
    server: LocalServer,
) -> None:
    server.routes["/"] = Reply(200, {"Content-Type": "text/plain"}, b"hi")
    out = await request(
        {"url": f"{server.base}/"}, RunOptions(egress_allow=("127.0.0.0/8",), egress=OPERATOR)
    )
    assert out["body"] == "hi"


@pytest.mark.parametrize(
    ("body_type", "body", "content_type", "sent"),
    [
        ("json", {"name": "{{ input.name }}", "n": "{{ input.n }}"}, "application/json",
         b'{"name": "Ada", "n": 3}'),
        ("form", {"name": "{{ input.name }}", "tag": ["a", "b"]},
         "application/x-www-form-urlencoded", b"name=Ada&tag=a&tag=b"),
        ("text", "Hello {{ input.name }}", "text/plain; charset=utf-8", b"Hello Ada"),
    ],
)  # fmt: skip
async def test_bodies_are_encoded_by_type(
    server: LocalServer, body_type: str, body: Any, content_type: str, sent: bytes
) -> None:
    server.routes["/echo"] = lambda seen: Reply(201, {"Content-Type": "text/plain"}, seen.body)
    out = await request(
        {"method": "POST", "url": f"{server.base}/echo", "body_type": body_type, "body": body},
        name="Ada",
        n=3,
    )
    assert out["status"] == 201
    assert server.seen[0].headers["content-type"] == content_type
    assert server.seen[0].body == sent


async def test_response_modes(server: LocalServer) -> None:
    server.routes["/data"] = Reply(200, {"Content-Type": "text/plain"}, b'{"a": 1}')
    server.routes["/bad"] = Reply(200, {"Content-Type": "application/json"}, b"not json")
    url = f"{server.base}/data"
    assert (await request({"url": url}))["body"] == '{"a": 1}'  # auto trusts Content-Type
    assert (await request({"url": url, "response": "json"}))["body"] == {"a": 1}
    assert (await request({"url": f"{server.base}/bad"}))["body"] == "not json"
    with pytest.raises(NodeRunError, match="is not valid JSON"):
        await request({"url": f"{server.base}/bad", "response": "json"})
    assert (await request({"url": url, "method": "HEAD"}))["body"] is None


async def test_fail_on_status(server: LocalServer) -> None:
    server.routes["/missing"] = Reply(404, {"Content-Type": "text/plain"}, b"lead not found")
    url = f"{server.base}/missing?token=s3cret"
    with pytest.raises(NodeRunError, match=r"GET 127\.0\.0\.1/missing returned 404") as info:
        await request({"url": url})
    assert "lead not found" in str(info.value)
    assert "s3cret" not in str(info.value)
    out = await request({"url": url, "fail_on_status": False})
    assert (out["status"], out["body"]) == (404, "lead not found")


async def test_retries_503_then_succeeds(server: LocalServer) -> None:
    server.routes["/flaky"] = [
        Reply(503, {"Retry-After": "0"}, b"busy"),
        Reply(429, {"Retry-After": "0"}, b"slow down"),
        Reply.json({"ok": True}),
    ]
    out = await request({"url": f"{server.base}/flaky", "retries": 2})
    assert out["body"] == {"ok": True}
    assert len(server.seen) == 3


async def test_retries_use_backoff_and_give_up(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exchange, "RETRY_BACKOFF_SECONDS", 0.01)
    server.routes["/down"] = Reply(502, body=b"bad gateway")
    with pytest.raises(NodeRunError, match="returned 502"):
        await request({"url": f"{server.base}/down", "retries": 2})
    assert len(server.seen) == 3


async def test_a_long_retry_after_is_not_waited_for(server: LocalServer) -> None:
    server.routes["/later"] = Reply(503, {"Retry-After": "3600"}, b"maintenance")
    with pytest.raises(NodeRunError, match="returned 503"):
        await request({"url": f"{server.base}/later", "retries": 3})
    assert len(server.seen) == 1


async def test_4xx_other_than_429_is_not_retried(server: LocalServer) -> None:
    server.routes["/nope"] = Reply(400, body=b"bad")
    out = await request({"url": f"{server.base}/nope", "retries": 3, "fail_on_status": False})
    assert out["status"] == 400
    assert len(server.seen) == 1


async def test_timeout_is_a_clear_error(server: LocalServer) -> None:
    server.routes["/slow"] = Reply(200, body=b"late", delay=5)
    with pytest.raises(NodeRunError, match=r"GET 127\.0\.0\.1 timed out after 0\.2 s"):
        await request({"url": f"{server.base}/slow", "timeout_seconds": 0.2})


async def test_workspace_timeout_caps_the_node_timeout(server: LocalServer) -> None:
    server.routes["/slow"] = Reply(200, body=b"late", delay=5)
    options = RunOptions(egress_allow=("127.0.0.1",), egress=OPERATOR, http_timeout_seconds=0.2)
    with pytest.raises(NodeRunError, match=r"timed out after 0\.2 s"):
        await request({"url": f"{server.base}/slow", "timeout_seconds": 60}, options)


async def test_connection_refused_is_a_clear_error(connections: list[str]) -> None:
    probe = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = probe.sockets[0].getsockname()[1]
    probe.close()
    await probe.wait_closed()
    with pytest.raises(NodeRunError, match=r"could not connect to 127\.0\.0\.1"):
        await request({"url": f"http://127.0.0.1:{port}/"})
    assert connections == ["127.0.0.1"]


async def test_redirects_are_followed_and_rechecked(server: LocalServer) -> None:
    server.routes["/old"] = Reply(301, {"Location": "/new"})
    server.routes["/new"] = Reply(303, {"Location": f"{server.base}/final?x=1"})
    server.routes["/final"] = Reply.json({"done": True})
    out = await request(
        {"method": "POST", "url": f"{server.base}/old", "body": {"a": 1},
         "headers": {"Authorization": "Bearer t"}}
    )  # fmt: skip
    assert out["body"] == {"done": True}
    assert [(s.method, s.target) for s in server.seen] == [
        ("POST", "/old"),
        ("GET", "/new"),
        ("GET", "/final?x=1"),
    ]
    assert server.seen[1].body == b""
    assert server.seen[2].headers["authorization"] == "Bearer t"  # same origin keeps it


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local/metadata"),
        ("http://10.0.0.1/admin", "10.0.0.1 is a private address"),
        ("http://[::ffff:10.0.0.1]/", "IPv4-mapped form of 10.0.0.1"),
        ("http://metadata.google.internal/computeMetadata/v1/", "cloud metadata host name"),
        ("file:///etc/passwd", "only http and https"),
    ],
)
async def test_redirect_to_a_blocked_address_is_refused_before_connecting(
    server: LocalServer, connections: list[str], location: str, message: str
) -> None:
    server.routes["/go"] = Reply(302, {"Location": location})
    with pytest.raises(NodeRunError, match=message):
        await request({"url": f"{server.base}/go"})
    assert connections == ["127.0.0.1"]  # only the allow-listed first hop


async def test_redirect_to_a_name_resolving_privately_is_refused_at_connect_time(
    server: LocalServer, connections: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def resolve(host: str, port: int) -> list[str]:
        assert host == "innocent.example.net"
        return ["10.0.0.1"]

    monkeypatch.setattr("nodes.http.ssrf.resolve_host", resolve)
    monkeypatch.setattr("nodes.http.transport.resolve_host", resolve)
    server.routes["/go"] = Reply(307, {"Location": "http://innocent.example.net:8080/"})
    with pytest.raises(NodeRunError, match=r"innocent\.example\.net resolves to 10\.0\.0\.1"):
        await request({"url": f"{server.base}/go"})
    assert connections == ["127.0.0.1"]


@pytest.mark.parametrize(
    "location",
    ["http://127.0.0.1:4566/", "http://[::ffff:127.0.0.1]:4566/", "http://aws.corp.example:4566/"],
)
async def test_redirect_to_the_platform_aws_endpoint_is_refused(
    server: LocalServer, connections: list[str], monkeypatch: pytest.MonkeyPatch, location: str
) -> None:
    """Issue 13.1: loopback opened and allow-listed, yet a hop to the AWS endpoint is refused."""

    async def resolve(host: str, port: int) -> list[str]:
        assert host == "aws.corp.example"
        return ["127.0.0.1"]

    monkeypatch.setattr("nodes.http.transport.resolve_host", resolve)
    platform = EgressPlatform.configure(open=["127.0.0.0/8"], deny=["http://127.0.0.1:4566"])
    options = RunOptions(egress_allow=("127.0.0.1", "aws.corp.example"), egress=platform)
    server.routes["/go"] = Reply(307, {"Location": location})
    with pytest.raises(NodeRunError, match="port 4566 is a platform endpoint; no setting"):
        await request({"url": f"{server.base}/go", "method": "POST", "body": {}}, options)
    assert connections == ["127.0.0.1"]  # the first hop only
    assert [s.target for s in server.seen] == ["/go"]


async def test_loopback_is_closed_unless_the_operator_opens_it(
    server: LocalServer, connections: list[str]
) -> None:
    """A tenant allow-listing 127.0.0.1 alone reaches nothing: the operator must open it."""
    options = RunOptions(egress_allow=("127.0.0.1", "127.0.0.0/8"))
    with pytest.raises(NodeRunError, match=r"loopback address; the operator has not opened it"):
        await request({"url": f"{server.base}/"}, options)
    assert connections == []
    assert server.seen == []


async def test_dns_answer_is_pinned_for_the_connection(
    server: LocalServer, connections: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = [["127.0.0.1"], ["10.0.0.1"]]  # a rebinding resolver: the 2nd answer is evil

    async def resolve(host: str, port: int) -> list[str]:
        return answers.pop(0)

    monkeypatch.setattr("nodes.http.transport.resolve_host", resolve)
    server.routes["/"] = Reply.json({"ok": 1})
    out = await request({"url": f"http://rebind.example.net:{server.port}/"})
    assert out["body"] == {"ok": 1}
    assert answers == [["10.0.0.1"]]  # resolved exactly once...
    assert connections == ["127.0.0.1"]  # ...and connected to that checked address
    assert server.seen[0].headers["host"] == f"rebind.example.net:{server.port}"


async def test_cross_origin_redirect_drops_credentials(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def resolve(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]

    monkeypatch.setattr("nodes.http.transport.resolve_host", resolve)
    server.routes["/go"] = Reply(302, {"Location": f"http://other.example.net:{server.port}/x"})
    server.routes["/x"] = Reply.json({})
    await request(
        {"url": f"{server.base}/go", "headers": {"Authorization": "Bearer t", "X-Keep": "1"}}
    )
    assert "authorization" in server.seen[0].headers
    assert "authorization" not in server.seen[1].headers
    assert server.seen[1].headers["x-keep"] == "1"


async def test_redirect_loops_stop(server: LocalServer) -> None:
    server.routes["/loop"] = Reply(302, {"Location": "/loop"})
    with pytest.raises(NodeRunError, match="redirected more than 5 times"):
        await request({"url": f"{server.base}/loop"})
    assert len(server.seen) == 6


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://localhost:{port}/", "localhost is a special-use name"),
        ("http://[::1]:{port}/", "::1 is a loopback address"),
        ("http://[::ffff:127.0.0.1]:{port}/", "IPv4-mapped form of 127.0.0.1, a loopback"),
        ("http://2130706433:{port}/", "another way to write 127.0.0.1"),
        ("http://0177.0.0.1:{port}/", "another way to write 127.0.0.1"),
        ("http://0x7f.0.0.1:{port}/", "another way to write 127.0.0.1"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local/metadata"),
        ("http://user:pass@127.0.0.1:{port}/", "credentials in the URL"),
        ("ftp://127.0.0.1:{port}/", "only http and https"),
        ("/relative/path", "must be absolute"),
    ],
)
async def test_loopback_spellings_are_blocked_without_connecting(
    server: LocalServer, connections: list[str], url: str, message: str
) -> None:
    with pytest.raises(NodeRunError, match=message):
        await request({"url": url.format(port=server.port)}, RunOptions())
    assert connections == []
    assert server.seen == []


async def test_header_injection_is_refused(server: LocalServer) -> None:
    with pytest.raises(NodeRunError, match="line break"):
        await request(
            {"url": f"{server.base}/", "headers": {"X-A": "{{ input.v }}"}}, v="a\r\nX-B: 1"
        )
    assert server.seen == []


def test_header_names_are_validated_in_config() -> None:
    node_type = default_registry().get("http.request")
    assert node_type is not None
    for headers in ({"Bad Name": "x"}, {"X-A\r\nX-B": "x"}, {"Host": "x"}, {"a": "1", "A": "2"}):
        with pytest.raises(ValueError, match="header"):
            node_type.Config.model_validate({"url": "https://x.org", "headers": headers})


async def test_example_is_refused_by_name_without_any_network() -> None:
    node_type = default_registry().get("http.request")
    assert node_type is not None
    config = node_type.Config.model_validate(node_type.example)
    assert node_type.check(config) == []
    with pytest.raises(NodeRunError, match=r"crm\.example is a special-use name"):
        await run_node("http.request", node_type.example, node_type.example_input)


@pytest.mark.parametrize(
    ("name", "credential"),
    [
        ("Authorization", True),
        ("Cookie", True),
        ("X-API-Key", True),
        ("api_key", True),
        ("apiKey", True),
        ("access_token", True),
        ("X-Auth-Token", True),
        ("client_secret", True),
        ("key", True),
        ("Accept", False),
        ("Content-Type", False),
        ("X-Lead-Id", False),
        ("keyword", False),
        ("page", False),
    ],
)
def test_credential_header_and_query_names(name: str, credential: bool) -> None:
    from nodes.http.headers import is_credential_name

    assert is_credential_name(name) is credential


def test_secret_paths_are_the_credential_headers_and_query_parameters() -> None:
    from nodes.http.request import HttpRequest

    config = {
        "url": "https://x.example",
        "headers": {"Authorization": "Bearer t", "Accept": "a"},
        "query": {"api_key": "k", "q": "x"},
    }
    assert HttpRequest.secret_paths(config) == [("headers", "Authorization"), ("query", "api_key")]
    assert HttpRequest.secret_paths({"headers": "not a map"}) == []
