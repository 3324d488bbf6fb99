"""Server-side request forgery guard for outbound HTTP.

A workflow author controls URLs, and often so does whoever sends data into a workflow, so an
HTTP node is a way to make *our* servers talk to *their* internal neighbours (cloud metadata,
databases, admin panels, the platform's own DynamoDB endpoint). The rules, for every address
a connection would use:

1. an endpoint of the platform itself (``EgressPlatform.deny``: the AWS endpoint the service
   uses, the service's own address) is refused, public or not;
2. a public address is allowed;
3. metadata, link-local, unspecified and multicast addresses are refused, in every spelling;
4. any other non-public address is allowed only when the *operator* opened a range holding it
   (``EgressPlatform.open``) *and* the tenant allow-listed the host name or a CIDR covering it.

A tenant's allow-list is tenant data, so it only ever narrows what the operator opened.

This module decides; ``nodes.http.transport.GuardedBackend.connect_tcp`` enforces, in the one
place every TCP connection of the HTTP client is opened, for the first request and for every
redirect hop alike. There the host name is resolved once, *every* resolved address is
classified (one bad answer blocks the lot), and the socket is opened to an address that was
checked rather than to the name. Resolving again at connect time is exactly what DNS rebinding
exploits, so we never do. TLS still verifies the certificate against the name: httpcore passes
the URL host as ``server_hostname``.

``EgressPolicy.check_url`` repeats the cheap, name-level part before a request is sent, only so
that errors arrive early and clearly; it is not what the guarantee rests on.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable, Iterable

import httpcore
import httpx

from runtime.core.egress import OPEN_ENV, EgressPlatform
from runtime.core.errors import NodeRunError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]

ALLOW_HINT = "allow-list it in tenant settings to reach it"
CLOSED_HINT = "no setting can open it"
OPERATOR_HINT = f"the operator has not opened it for outbound HTTP ({OPEN_ENV})"

METADATA_ADDRESSES: dict[IPAddress, str] = {
    ipaddress.ip_address("169.254.169.254"): "a link-local/metadata address",
    ipaddress.ip_address("169.254.170.2"): "a link-local/metadata address (ECS task metadata)",
    ipaddress.ip_address("169.254.170.23"): "a link-local/metadata address (EKS pod identity)",
    ipaddress.ip_address("100.100.100.200"): "a cloud metadata address (Alibaba Cloud)",
    ipaddress.ip_address("fd00:ec2::254"): "a cloud metadata address (AWS IPv6)",
    ipaddress.ip_address("fd00:ec2::23"): "a cloud metadata address (EKS pod identity)",
}
METADATA_NAMES = frozenset(
    {"metadata", "metadata.google.internal", "metadata.goog", "instance-data",
     "instance-data.ec2.internal"}
)  # fmt: skip
SPECIAL_USE_SUFFIXES = ("localhost", "local", "internal", "home.arpa", "invalid", "test", "example")
"""RFC 6761/2606/8375 names and ICANN's private ``.internal``: never public hosts."""

BAD_PORTS = frozenset(
    {0, 1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95,
     101, 102, 103, 104, 109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179,
     389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601,
     636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566,
     6665, 6666, 6667, 6668, 6669, 6697, 10080}
)  # fmt: skip
"""The WHATWG Fetch "bad port" list: ports of protocols (SMTP, IRC, SSH...) that tolerate
leading garbage, so an HTTP request can be smuggled into them. Browsers refuse them too."""

THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")
CGNAT = ipaddress.ip_network("100.64.0.0/10")
NAT64 = ipaddress.ip_network("64:ff9b::/96")
NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")
_NUMBER_PART = re.compile(r"^(?:0[xX][0-9a-fA-F]*|[0-9]+)$")


class EgressBlocked(NodeRunError):
    """The guard refused a destination. Never retried: the answer would not change."""


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> tuple[str, ipaddress.IPv4Address] | None:
    """IPv4 addresses carried inside IPv6 forms that reach them (mapped, 6to4, NAT64, Teredo)."""
    if ip.ipv4_mapped is not None:
        return "IPv4-mapped", ip.ipv4_mapped
    if ip.sixtofour is not None:
        return "6to4", ip.sixtofour
    if ip in NAT64:
        return "NAT64", ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.teredo is not None:
        return "Teredo", ip.teredo[1]
    return None


def classify_address(ip: IPAddress) -> str | None:
    """Why ``ip`` is not a public destination (a noun phrase), or ``None`` if it is public."""
    if ip in METADATA_ADDRESSES:
        return METADATA_ADDRESSES[ip]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return "a scoped (zone) IPv6 address"
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            form, v4 = embedded
            inner = classify_address(v4)
            if inner is not None:
                return f"an {form} form of {v4}, {inner}"
            return "a Teredo tunnel address" if form == "Teredo" else None
        if ip in NAT64_LOCAL:
            return "a local-use NAT64 address"
        if ip.is_site_local:
            return "a site-local address"
    elif ip in THIS_NETWORK:
        return "an unspecified ('this network') address"
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if ip in CGNAT:
        return "a carrier-grade NAT (100.64.0.0/10) address"
    if ip.is_reserved:
        return "a reserved address"
    if ip.is_private:
        return "a private address"
    if not ip.is_global:
        return "a non-public address"
    return None


def forms(ip: IPAddress) -> list[IPAddress]:
    """``ip`` and the IPv4 address it carries, if any: rules about one hold for the other."""
    if isinstance(ip, ipaddress.IPv6Address) and (embedded := _embedded_ipv4(ip)):
        return [ip, embedded[1]]
    return [ip]


def never_openable(ip: IPAddress) -> bool:
    """Metadata, link-local, unspecified, multicast or zoned: closed whatever is configured."""
    for form in forms(ip):
        if form in METADATA_ADDRESSES or form.is_link_local or form.is_multicast:
            return True
        if form.is_unspecified or form in THIS_NETWORK:
            return True
        if isinstance(form, ipaddress.IPv6Address) and form.scope_id:
            return True
    return False


def parse_legacy_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """Read the forms ``inet_aton`` accepts (``2130706433``, ``0177.0.0.1``, ``0x7f.1``).

    Resolvers turn these into addresses, so the guard must see through them too. Returns None
    when ``host`` is not all numbers; raises EgressBlocked when it is numbers but no address.
    """
    parts = host.split(".")
    if not 1 <= len(parts) <= 4 or not all(_NUMBER_PART.match(p) for p in parts):
        return None
    values: list[int] = []
    for part in parts:
        if part[:2].lower() == "0x":
            values.append(int(part[2:] or "0", 16))
        elif len(part) > 1 and part.startswith("0"):
            if not set(part) <= set("01234567"):
                raise EgressBlocked(f"{host} is not a valid address")
            values.append(int(part, 8))
        else:
            values.append(int(part))
    *head, last = values
    if any(v > 255 for v in head) or last >= 256 ** (4 - len(head)):
        raise EgressBlocked(f"{host} is not a valid address")
    number = last
    for i, v in enumerate(head):
        number |= v << (8 * (3 - i))
    return ipaddress.IPv4Address(number)


def valid_host_name(host: str) -> bool:
    return len(host) <= 253 and all(_LABEL.match(label) for label in host.split("."))


def parse_ip(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return parse_legacy_ipv4(host)


async def resolve_host(host: str, port: int) -> list[str]:
    """All addresses ``host`` resolves to, in resolver order, without duplicates."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise httpcore.ConnectError(f"cannot resolve {host}: {exc.strerror or exc}") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class EgressPolicy:
    """A tenant's allow-list (names, ``*.suffix`` wildcards, IPs, CIDRs) and the rules.

    The allow-list only narrows what the operator's ``EgressPlatform`` opened.
    """

    def __init__(self, allow: Iterable[str] = (), platform: EgressPlatform | None = None) -> None:
        self.platform = platform or EgressPlatform()
        self._names: set[str] = set()
        self._suffixes: list[str] = []
        self._networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for raw in allow:
            entry = raw.strip().lower().rstrip(".").removeprefix("[").removesuffix("]")
            try:
                self._networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                if entry.startswith("*.") and len(entry) > 2:
                    self._suffixes.append(entry[1:])
                elif entry:
                    self._names.add(entry)

    def name_allowed(self, host: str) -> bool:
        return host in self._names or any(host.endswith(s) for s in self._suffixes)

    def ip_allowed(self, ip: IPAddress) -> bool:
        return any(c in net for c in forms(ip) for net in self._networks)

    def check_ip(self, ip: IPAddress, host: str, port: int, relation: str = "resolves to") -> None:
        """Raise unless a connection to ``ip``:``port`` is allowed.

        ``host`` is what the user wrote; allow-listed or not, its addresses are checked.
        """
        subject = f"{host} is" if host == str(ip) else f"{host} {relation} {ip},"
        for form in forms(ip):
            endpoint = self.platform.denied(form, port)
            if endpoint is not None:
                where = host if host == str(ip) else f"{host} ({ip})"
                raise EgressBlocked(f"{where} port {port} is {endpoint.what}; {CLOSED_HINT}")
        reason = classify_address(ip)
        if reason is None:
            return
        if never_openable(ip):
            raise EgressBlocked(f"{subject} {reason}; {CLOSED_HINT}")
        if not any(self.platform.opened(form) for form in forms(ip)):
            raise EgressBlocked(f"{subject} {reason}; {OPERATOR_HINT}")
        if not (self.name_allowed(host) or self.ip_allowed(ip)):
            raise EgressBlocked(f"{subject} {reason}; {ALLOW_HINT}")

    def check_host(self, raw_host: str, port: int) -> IPAddress | None:
        """Name-level checks; returns the address when ``raw_host`` is an IP literal."""
        host = raw_host.lower().rstrip(".")
        if port in BAD_PORTS:
            raise EgressBlocked(f"port {port} is not allowed for HTTP requests ({host})")
        if not host:
            raise EgressBlocked("the URL has no host")
        if "%" in host:
            raise EgressBlocked(f"{raw_host!r} is not an allowed host (zone ids and %-escapes)")
        ip = parse_ip(host)
        if ip is not None:
            self.check_ip(ip, host, port, "is another way to write")
            return ip
        if not valid_host_name(host):
            raise EgressBlocked(f"{raw_host!r} is not a valid host name")
        if host in METADATA_NAMES:
            raise EgressBlocked(f"{host} is a cloud metadata host name; {CLOSED_HINT}")
        if self.name_allowed(host):
            return None
        for suffix in SPECIAL_USE_SUFFIXES:
            if host == suffix or host.endswith("." + suffix):
                raise EgressBlocked(
                    f"{host} is a special-use name (.{suffix}) that is not on the public"
                    f" internet; {ALLOW_HINT}"
                )
        return None

    def check_url(self, url: httpx.URL) -> None:
        """Scheme, credentials, port and host checks for one request URL (every hop)."""
        if url.scheme not in ("http", "https"):
            raise EgressBlocked(f"only http and https URLs are allowed, not {url.scheme or '?'}:")
        if url.userinfo:
            raise EgressBlocked(
                "credentials in the URL are not allowed; send them in a header (Authorization)"
            )
        port = url.port if url.port is not None else (443 if url.scheme == "https" else 80)
        self.check_host(url.host, port)
