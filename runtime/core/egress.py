"""The platform's egress policy: operator configuration that no tenant setting can lift.

A tenant's allow-list (``TenantSettings.egress_allow``) is tenant data, so it can only narrow
what the operator permits, never widen it. Two things are the operator's alone:

- ``open``: non-public ranges outbound HTTP may reach at all (an on-premises network, and for
  local development even loopback). A tenant must still allow-list a name or address inside
  them. Metadata and link-local addresses stay closed whatever is opened (``nodes.http.ssrf``).
- ``deny``: endpoints nothing reaches, public or not: the AWS endpoint the service itself
  talks to (``AWS_ENDPOINT_URL*``, or the clients' own endpoint) and the service's own listen
  address and port. On AWS the default AWS API endpoints are left out: they are public, and
  a request there needs credentials that never leave the process.

The service, the deployed Lambda function and the CLI build it (``EgressPlatform.from_env``)
and hand it to runs in ``RunOptions.egress``; nothing a tenant sends is read into it.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import urllib.parse
from collections.abc import Iterable, Mapping
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, IPvAnyAddress, IPvAnyNetwork

OPEN_ENV = "AUTERITY_EGRESS_OPEN"
DENY_ENV = "AUTERITY_EGRESS_DENY"
AWS_ENDPOINT_PREFIX = "AWS_ENDPOINT_URL"
AWS_PUBLIC_SUFFIXES = (".amazonaws.com", ".amazonaws.com.cn", ".api.aws")
_ANY = (ipaddress.ip_address("0.0.0.0"), ipaddress.ip_address("::"))  # noqa: S104 - matched
_LOOPBACK = ("127.0.0.0/8", "::1/128")


class Endpoint(BaseModel):
    """Addresses and a port (``None``: every port) that no run may connect to."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    network: IPvAnyNetwork
    port: int | None = Field(default=None, ge=1, le=65535)
    what: str = "a platform endpoint"


class EgressPlatform(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    open: tuple[IPvAnyNetwork, ...] = Field(
        default=(),
        description="Non-public ranges the operator lets tenants allow-list (e.g. 10.20.0.0/16).",
    )
    deny: tuple[Endpoint, ...] = Field(
        default=(), description="Endpoints of the platform itself: never reachable by a run."
    )

    def opened(self, ip: IPvAnyAddress) -> bool:
        return any(ip in net for net in self.open)

    def covers(self, network: IPvAnyNetwork) -> bool:
        """Whether one opened range holds all of ``network``."""
        return any(
            network.version == net.version and network.subnet_of(net)  # type: ignore[arg-type]
            for net in self.open
        )

    def denied(self, ip: IPvAnyAddress, port: int) -> Endpoint | None:
        for endpoint in self.deny:
            if ip in endpoint.network and endpoint.port in (None, port):
                return endpoint
        return None

    def denying(self, targets: Iterable[str], what: str) -> Self:
        """A copy with the endpoints of ``targets`` (URLs or ``host:port``) denied too."""
        extra = tuple(e for target in targets for e in endpoints_of(target, what))
        new = tuple(e for e in extra if e not in self.deny)
        return self.model_copy(update={"deny": self.deny + new}) if new else self

    def opening(self, entries: Iterable[str]) -> Self:
        """A copy with ``entries`` opened: IPs and CIDRs as written, names as resolved now.

        For the CLI, where whoever runs the graph is the operator.
        """
        networks: list[IPvAnyNetwork] = []
        for entry in entries:
            text = entry.strip().removeprefix("[").removesuffix("]")
            try:
                networks.append(ipaddress.ip_network(text, strict=False))
            except ValueError:
                if not text.startswith("*"):
                    networks += [ipaddress.ip_network(a) for a in _resolve(text)]
        new = tuple(n for n in dict.fromkeys(networks) if n not in self.open)
        return self.model_copy(update={"open": self.open + new}) if new else self

    @classmethod
    def configure(cls, *, open: Iterable[str] = (), deny: Iterable[str] = ()) -> Self:
        """From text: CIDRs or addresses to open, URLs or ``host:port`` to deny."""
        networks = []
        for entry in open:
            try:
                networks.append(ipaddress.ip_network(entry.strip(), strict=False))
            except ValueError:
                raise ValueError(
                    f"{OPEN_ENV}: {entry!r} is not an IP address or CIDR range"
                ) from None
        return cls(open=tuple(networks)).denying(deny, "a platform endpoint")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Self:
        """Read ``AUTERITY_EGRESS_OPEN`` / ``_DENY`` (comma or space separated).

        The AWS endpoints the process's clients use (``AWS_ENDPOINT_URL``,
        ``AWS_ENDPOINT_URL_<SERVICE>``) are denied too.
        """
        env = os.environ if env is None else env
        platform = cls.configure(
            open=_split(env.get(OPEN_ENV, "")), deny=_split(env.get(DENY_ENV, ""))
        )
        return platform.denying(aws_endpoints(env), "the platform's AWS endpoint")


def _split(text: str) -> list[str]:
    return [part for part in text.replace(",", " ").split() if part]


def aws_endpoints(env: Mapping[str, str]) -> list[str]:
    """Every AWS endpoint override in ``env`` (boto3 reads the same variables)."""
    return [value for name, value in env.items() if name.startswith(AWS_ENDPOINT_PREFIX) and value]


def endpoints_of(target: str, what: str) -> list[Endpoint]:
    """The addresses ``target`` (a URL or ``host:port``) reaches, with its port.

    A host that does not resolve adds nothing: the process cannot reach it either. A wildcard
    listen address (``0.0.0.0``, ``::``) stands for loopback and this host's own addresses.
    """
    parts = urllib.parse.urlsplit(target if "//" in target else f"//{target}")
    host = (parts.hostname or "").rstrip(".")
    try:
        port = parts.port or {"https": 443, "http": 80}.get(parts.scheme)
    except ValueError:
        raise ValueError(f"{target!r} has an invalid port") from None
    if not host or host.endswith(AWS_PUBLIC_SUFFIXES):
        return []
    addresses = _resolve(host)
    networks = [ipaddress.ip_network(a) for a in addresses]
    if any(a in _ANY for a in addresses):
        networks += [ipaddress.ip_network(n) for n in _LOOPBACK]
        networks += [ipaddress.ip_network(a) for a in _resolve(socket.gethostname())]
    unique = list(dict.fromkeys(networks))
    return [Endpoint(network=n, port=port, what=what) for n in unique]


def _resolve(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError:
        return []
    found = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    return list(dict.fromkeys(found))
