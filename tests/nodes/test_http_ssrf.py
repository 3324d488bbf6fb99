"""The SSRF guard's decisions, and proof that a refused address is never connected to."""

import ipaddress
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx
import pytest

from nodes.http.ssrf import (
    EgressBlocked,
    EgressPolicy,
    classify_address,
    parse_legacy_ipv4,
)
from nodes.http.transport import GuardedBackend
from runtime.core.egress import EgressPlatform

OPENED = EgressPlatform.configure(open=["10.0.0.0/8", "127.0.0.0/8", "::1"])
"""What an operator with an on-premises network (and local development) opens."""

BLOCKED = [
    ("127.0.0.1", "loopback"),
    ("127.255.0.9", "loopback"),
    ("10.0.0.1", "private"),
    ("172.16.5.4", "private"),
    ("192.168.1.1", "private"),
    ("169.254.169.254", "link-local/metadata"),
    ("169.254.170.2", "metadata"),
    ("169.254.1.1", "link-local"),
    ("100.64.0.1", "carrier-grade NAT"),
    ("100.127.255.254", "carrier-grade NAT"),
    ("100.100.100.200", "metadata"),
    ("0.0.0.0", "unspecified"),
    ("0.1.2.3", "unspecified"),
    ("224.0.0.1", "multicast"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "reserved"),
    ("192.0.2.10", "private"),  # TEST-NET-1: documentation only
    ("198.18.0.1", "private"),  # benchmarking
    ("::1", "loopback"),
    ("::", "unspecified"),
    ("fe80::1", "link-local"),
    ("fc00::1", "private"),
    ("fd12:3456::1", "private"),
    ("fec0::1", "site-local"),
    ("ff02::1", "multicast"),
    ("fd00:ec2::254", "metadata"),
    ("::ffff:127.0.0.1", "IPv4-mapped form of 127.0.0.1, a loopback"),
    ("::ffff:169.254.169.254", "IPv4-mapped form of 169.254.169.254, a link-local/metadata"),
    ("::ffff:a00:1", "IPv4-mapped form of 10.0.0.1, a private"),
    ("2002:7f00:1::1", "6to4 form of 127.0.0.1, a loopback"),
    ("2002:a9fe:a9fe::", "6to4 form of 169.254.169.254"),
    ("64:ff9b::a9fe:a9fe", "NAT64 form of 169.254.169.254"),
    ("64:ff9b::10.1.2.3", "NAT64 form of 10.1.2.3, a private"),
    ("64:ff9b:1::1", "local-use NAT64"),
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo"),
    ("::7f00:1", "reserved"),  # deprecated IPv4-compatible form
    ("2001:db8::1", "private"),  # documentation
]
PUBLIC = [
    "8.8.8.8",
    "1.1.1.1",
    "93.184.216.34",
    "100.63.255.255",
    "100.128.0.1",
    "2606:4700:4700::1111",
    "::ffff:8.8.8.8",
    "64:ff9b::8.8.8.8",
    "2002:808:808::1",
]


@pytest.mark.parametrize(("address", "reason"), BLOCKED)
def test_classifier_blocks(address: str, reason: str) -> None:
    verdict = classify_address(ipaddress.ip_address(address))
    assert verdict is not None
    assert reason in verdict


@pytest.mark.parametrize("address", PUBLIC)
def test_classifier_allows_public_addresses(address: str) -> None:
    assert classify_address(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0x7F000001", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
        ("169.254.43518", "169.254.169.254"),
        ("0251.0376.0251.0376", "169.254.169.254"),
        ("8.8.8.8", "8.8.8.8"),
    ],
)
def test_legacy_ipv4_spellings_are_seen_through(host: str, address: str) -> None:
    assert parse_legacy_ipv4(host) == ipaddress.IPv4Address(address)


@pytest.mark.parametrize("host", ["example.com", "1.2.3.4.5", "1e3", "abc", "12.example"])
def test_names_are_not_mistaken_for_addresses(host: str) -> None:
    assert parse_legacy_ipv4(host) is None


@pytest.mark.parametrize("host", ["256.1.1.1", "1.2.3.256", "4294967296", "09.1.1.1"])
def test_out_of_range_numbers_are_refused(host: str) -> None:
    with pytest.raises(EgressBlocked, match="not a valid address"):
        parse_legacy_ipv4(host)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local/metadata"),
        ("http://2130706433/", "2130706433 is another way to write 127.0.0.1, a loopback"),
        ("http://0x7f.1/", "another way to write 127.0.0.1"),
        ("http://[::1]:8080/", "::1 is a loopback address"),
        ("http://[::ffff:127.0.0.1]/", "IPv4-mapped form of 127.0.0.1"),
        ("http://[fe80::1%25eth0]/", "not an allowed host"),
        ("http://localhost/", "localhost is a special-use name"),
        ("http://LOCALHOST./", "localhost is a special-use name"),
        ("http://db.localhost/", "special-use name (.localhost)"),
        ("http://printer.local/", "special-use name (.local)"),
        ("http://metadata.google.internal/", "metadata.google.internal is a cloud metadata"),
        ("http://metadata/computeMetadata/v1/", "cloud metadata host name"),
        ("ftp://example.com/", "only http and https URLs are allowed, not ftp:"),
        ("file:///etc/passwd", "only http and https"),
        ("gopher://example.com:70/", "only http and https"),
        ("http://user:pw@example.com/", "credentials in the URL are not allowed"),
        ("http://example.com:25/", "port 25 is not allowed"),
        ("http://example.com:6379x/", None),
        ("https://example.com:22/", "port 22 is not allowed"),
        ("http://%31%32%37.0.0.1/", "not an allowed host"),
        ("http://exa mple.com/", "not an allowed host"),
    ],
)
def test_url_checks(url: str, message: str | None) -> None:
    policy = EgressPolicy()
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        assert message is None
        return
    with pytest.raises(EgressBlocked) as info:
        policy.check_url(parsed)
    assert message is not None
    assert message in str(info.value)
    if "169.254" in url:  # metadata: no tenant or operator setting opens it (issue 13.1)
        assert "no setting can open it" in str(info.value)


def test_public_urls_pass_the_url_checks() -> None:
    policy = EgressPolicy()
    for url in ["https://api.example.com/v1", "http://8.8.8.8:8080/", "https://[2606:4700::1]/"]:
        policy.check_url(httpx.URL(url))


def test_allow_list_by_name_wildcard_ip_and_cidr() -> None:
    policy = EgressPolicy(
        ["crm.corp.local", "*.svc.internal", "10.20.0.0/16", "[::1]", "127.0.0.1"], OPENED
    )
    policy.check_url(httpx.URL("http://crm.corp.local/"))
    policy.check_url(httpx.URL("http://billing.svc.internal/"))
    policy.check_url(httpx.URL("http://10.20.3.4/"))
    policy.check_url(httpx.URL("http://[::1]/"))
    policy.check_url(httpx.URL("http://[::ffff:127.0.0.1]/"))  # same address, mapped form
    with pytest.raises(EgressBlocked):
        policy.check_url(httpx.URL("http://10.21.0.1/"))
    with pytest.raises(EgressBlocked):
        policy.check_url(httpx.URL("http://svc.internal/"))  # the wildcard needs a subdomain
    with pytest.raises(EgressBlocked, match="port 22"):
        policy.check_url(httpx.URL("http://crm.corp.local:22/"))  # bad ports stay bad


class RecordingBackend(httpcore.AsyncNetworkBackend):
    """Stands in for the network: records every connection attempt and makes none."""

    def __init__(self) -> None:
        self.attempts: list[tuple[str, int]] = []

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.attempts.append((host, port))
        raise httpcore.ConnectError("recording backend: not connecting")


def resolver_for(answers: dict[str, list[str]]) -> Any:
    calls: list[str] = []

    async def resolve(host: str, port: int) -> list[str]:
        calls.append(host)
        return answers[host]

    resolve.calls = calls  # type: ignore[attr-defined]
    return resolve


@pytest.mark.parametrize(
    ("host", "message"),
    [
        ("169.254.169.254", "169.254.169.254 is a link-local/metadata address"),
        ("10.0.0.1", "10.0.0.1 is a private address"),
        ("2130706433", "another way to write 127.0.0.1"),
        ("::ffff:127.0.0.1", "IPv4-mapped"),
        ("localhost", "special-use name"),
    ],
)
async def test_backend_refuses_before_connecting(host: str, message: str) -> None:
    inner = RecordingBackend()
    backend = GuardedBackend(EgressPolicy(), inner, resolver_for({}))
    with pytest.raises(EgressBlocked, match=message):
        await backend.connect_tcp(host, 80)
    assert inner.attempts == []


async def test_one_private_answer_blocks_the_whole_name() -> None:
    inner = RecordingBackend()
    resolve = resolver_for({"rebind.attacker.net": ["8.8.8.8", "10.0.0.7"]})
    backend = GuardedBackend(EgressPolicy(), inner, resolve)
    with pytest.raises(EgressBlocked, match=r"rebind\.attacker\.net resolves to 10\.0\.0\.7"):
        await backend.connect_tcp("rebind.attacker.net", 443)
    assert inner.attempts == []


async def test_connects_to_the_checked_address_not_the_name() -> None:
    inner = RecordingBackend()
    resolve = resolver_for({"api.partner.net": ["8.8.4.4", "2001:4860:4860::8844"]})
    backend = GuardedBackend(EgressPolicy(), inner, resolve)
    with pytest.raises(httpcore.ConnectError):
        await backend.connect_tcp("api.partner.net", 443)
    # resolved once; each checked address tried in turn; the name never reaches the socket layer
    assert resolve.calls == ["api.partner.net"]
    assert inner.attempts == [("8.8.4.4", 443), ("2001:4860:4860::8844", 443)]


async def test_name_allow_list_trusts_the_names_answers() -> None:
    inner = RecordingBackend()
    resolve = resolver_for({"crm.corp.example": ["10.1.2.3"]})
    backend = GuardedBackend(EgressPolicy(["crm.corp.example"], OPENED), inner, resolve)
    with pytest.raises(httpcore.ConnectError):
        await backend.connect_tcp("crm.corp.example", 443)
    assert inner.attempts == [("10.1.2.3", 443)]


async def test_unix_sockets_are_refused() -> None:
    with pytest.raises(EgressBlocked, match="unix sockets"):
        await GuardedBackend(EgressPolicy(), RecordingBackend()).connect_unix_socket("/run/x")


# --- issue 13.1: the platform's policy, which no tenant allow-list lifts --------------------

AWS_LOCAL = "http://127.0.0.1:4566"
DEV = EgressPlatform.configure(open=["127.0.0.0/8", "::1"], deny=[AWS_LOCAL, "127.0.0.1:8000"])
"""Local development: loopback opened, the AWS endpoint and the service's own port denied."""


@pytest.mark.parametrize("host", ["localhost", "db.corp.example"])
async def test_allow_listed_name_resolving_to_loopback_needs_the_operator(host: str) -> None:
    inner = RecordingBackend()
    resolve = resolver_for({host: ["127.0.0.1"]})
    backend = GuardedBackend(EgressPolicy([host]), inner, resolve)
    with pytest.raises(
        EgressBlocked,
        match=r"resolves to 127\.0\.0\.1, a loopback address; the operator has not opened",
    ):
        await backend.connect_tcp(host, 80)
    assert inner.attempts == []


@pytest.mark.parametrize("address", ["169.254.169.254", "169.254.170.2", "fd00:ec2::254"])
async def test_allow_listed_name_resolving_to_metadata_is_refused(address: str) -> None:
    inner = RecordingBackend()
    resolve = resolver_for({"crm.corp.example": [address]})
    opened = EgressPlatform.configure(open=["169.254.0.0/16", "fd00::/8"])
    policy = EgressPolicy(["crm.corp.example", "169.254.0.0/16", "fd00::/8"], opened)
    with pytest.raises(EgressBlocked, match="no setting can open it"):
        await GuardedBackend(policy, inner, resolve).connect_tcp("crm.corp.example", 80)
    assert inner.attempts == []


@pytest.mark.parametrize(
    ("host", "port"),
    [
        ("127.0.0.1", 4566),
        ("2130706433", 4566),
        ("0x7f.0.0.1", 4566),
        ("::ffff:127.0.0.1", 4566),
        ("localstack.corp.example", 4566),
        ("127.0.0.1", 8000),
    ],
)
async def test_platform_endpoints_are_denied_even_with_loopback_opened(
    host: str, port: int
) -> None:
    inner = RecordingBackend()
    resolve = resolver_for({"localstack.corp.example": ["127.0.0.1"]})
    policy = EgressPolicy(["127.0.0.0/8", "localstack.corp.example"], DEV)
    with pytest.raises(EgressBlocked, match=f"port {port} is a platform endpoint; no setting"):
        await GuardedBackend(policy, inner, resolve).connect_tcp(host, port)
    assert inner.attempts == []


async def test_opened_and_allow_listed_loopback_reaches_other_ports() -> None:
    """The positive control: what the operator opened and the tenant listed is reachable."""
    inner = RecordingBackend()
    policy = EgressPolicy(["127.0.0.1"], DEV)
    with pytest.raises(httpcore.ConnectError, match="not connecting"):
        await GuardedBackend(policy, inner, resolver_for({})).connect_tcp("127.0.0.1", 8080)
    assert inner.attempts == [("127.0.0.1", 8080)]


@pytest.mark.parametrize(
    "host",
    [
        "169.254.169.254",
        "2852039166",  # decimal
        "0251.0376.0251.0376",  # octal
        "0xa9fea9fe",  # hex
        "0xa9.0xfe.0xa9.0xfe",
        "169.254.43518",
        "::ffff:169.254.169.254",  # IPv4-mapped
        "::ffff:a9fe:a9fe",
        "2002:a9fe:a9fe::1",  # 6to4
        "64:ff9b::a9fe:a9fe",  # NAT64
        "metadata.google.internal",
        "instance-data.ec2.internal",
    ],
)
async def test_metadata_in_every_spelling_is_refused_even_when_allow_listed(host: str) -> None:
    inner = RecordingBackend()
    opened = EgressPlatform.configure(open=["0.0.0.0/0", "::/0"])  # even an operator's all
    allow = ["169.254.169.254", "169.254.0.0/16", "metadata.google.internal", "*.ec2.internal"]
    resolve = resolver_for({host: ["169.254.169.254"]})
    with pytest.raises(EgressBlocked, match="metadata"):
        await GuardedBackend(EgressPolicy(allow, opened), inner, resolve).connect_tcp(host, 80)
    assert inner.attempts == []


def test_platform_from_env_denies_the_aws_endpoints_and_reads_the_open_list() -> None:
    env = {
        "AUTERITY_EGRESS_OPEN": "10.20.0.0/16, 127.0.0.1",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:4566",
        "AWS_ENDPOINT_URL_S3": "http://[::1]:9000/",
        "AUTERITY_EGRESS_DENY": "10.20.0.9:8443",
    }
    platform = EgressPlatform.from_env(env)
    assert platform.opened(ipaddress.ip_address("10.20.3.4"))
    assert not platform.opened(ipaddress.ip_address("10.21.0.1"))
    assert platform.denied(ipaddress.ip_address("127.0.0.1"), 4566) is not None
    assert platform.denied(ipaddress.ip_address("127.0.0.1"), 4567) is None
    assert platform.denied(ipaddress.ip_address("::1"), 9000) is not None
    assert platform.denied(ipaddress.ip_address("10.20.0.9"), 8443) is not None
    public = EgressPlatform.from_env(
        {"AWS_ENDPOINT_URL": "https://dynamodb.eu-west-1.amazonaws.com"}
    )
    assert public.deny == ()  # AWS's own public API: its credentials never leave the process
    with pytest.raises(ValueError, match="AUTERITY_EGRESS_OPEN: 'ten' is not an IP address"):
        EgressPlatform.from_env({"AUTERITY_EGRESS_OPEN": "ten"})
