"""Which entries a tenant may put on its egress allow-list (``PUT /api/v1/settings``).

The guard (``nodes.http.ssrf``) never lets an entry reach the platform's insides, whatever is
stored; refusing the entry when it is saved tells the admin so, instead of a run failing later.
Refused: special-use names (``localhost``, metadata names, ``*``, a whole top-level domain),
unusual spellings of addresses, and addresses or CIDRs that are or overlap a range no setting
can open (metadata, link-local, unspecified, multicast), that embed IPv4 addresses in IPv6
(mapped, 6to4, NAT64, Teredo: write the IPv4 form), or that hold non-public addresses the
operator did not open (loopback, private ranges: ``AUTERITY_EGRESS_OPEN``).

Names such as ``crm.corp.internal`` stay acceptable: an on-premises host under a private
suffix is the allow-list's reason to exist, and such a name is still checked by the address it
resolves to on every connection.
"""

from __future__ import annotations

import ipaddress

from nodes.http.ssrf import (
    METADATA_ADDRESSES,
    METADATA_NAMES,
    EgressBlocked,
    parse_legacy_ipv4,
    valid_host_name,
)
from runtime.core.egress import OPEN_ENV, EgressPlatform

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _nets(table: dict[str, str]) -> list[tuple[Network, str]]:
    return [(ipaddress.ip_network(cidr), what) for cidr, what in table.items()]


CLOSED = _nets(
    {
        "0.0.0.0/8": "unspecified ('this network') addresses",
        "169.254.0.0/16": "link-local and cloud metadata addresses",
        "224.0.0.0/4": "multicast addresses",
        "::/128": "the unspecified address",
        "fe80::/10": "link-local addresses",
        "ff00::/8": "multicast addresses",
    }
    | {f"{ip}/{ip.max_prefixlen}": "a cloud metadata address" for ip in METADATA_ADDRESSES}
)
"""No setting opens these; an entry touching them is refused outright."""

EMBEDDING = _nets(
    {
        "::ffff:0:0/96": "IPv4-mapped IPv6 addresses",
        "64:ff9b::/96": "NAT64 addresses",
        "2001::/32": "Teredo addresses",
        "2002::/16": "6to4 addresses",
    }
)
"""IPv6 forms that carry an IPv4 address: allow-list the IPv4 address instead."""

NON_PUBLIC = _nets(
    {
        "10.0.0.0/8": "private addresses",
        "100.64.0.0/10": "carrier-grade NAT addresses",
        "127.0.0.0/8": "loopback addresses",
        "172.16.0.0/12": "private addresses",
        "192.0.0.0/24": "IETF protocol addresses",
        "192.0.2.0/24": "documentation addresses",
        "192.168.0.0/16": "private addresses",
        "198.18.0.0/15": "benchmarking addresses",
        "198.51.100.0/24": "documentation addresses",
        "203.0.113.0/24": "documentation addresses",
        "240.0.0.0/4": "reserved addresses",
        "::1/128": "the loopback address",
        "::/96": "deprecated IPv4-compatible IPv6 addresses",
        "64:ff9b:1::/48": "local-use NAT64 addresses",
        "100::/64": "discard-only addresses",
        "2001:db8::/32": "documentation addresses",
        "fc00::/7": "unique local (private) addresses",
        "fec0::/10": "site-local addresses",
    }
)
"""Reachable only where the operator opened them (``EgressPlatform.open``)."""


def entry_problem(entry: str, platform: EgressPlatform) -> str | None:
    """Why ``entry`` may not be on a tenant's allow-list (a phrase after the entry), or None."""
    text = entry.strip().lower().rstrip(".").removeprefix("[").removesuffix("]")
    if not text:
        return "is empty"
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        try:
            legacy = parse_legacy_ipv4(text)
        except EgressBlocked:
            return "is not a valid address"
        if legacy is not None:
            return f"is an unusual spelling of {legacy}; write it as {legacy}"
        return _name_problem(text)
    return _network_problem(network, platform)


def _name_problem(name: str) -> str | None:
    if name == "*":
        return "would allow every host"
    wildcard = name.startswith("*.")
    base = name[2:] if wildcard else name
    if "/" in base or not valid_host_name(base):
        return "is not a host name, *.suffix, IP address or CIDR range"
    if wildcard and "." not in base:
        return f"covers the whole top-level domain .{base}"
    if base == "localhost" or base.endswith(".localhost"):
        return "is a loopback name (localhost)"
    if not wildcard and base in METADATA_NAMES:
        return "is a cloud metadata host name"
    covered = sorted(m for m in METADATA_NAMES if wildcard and m.endswith("." + base))
    if covered:
        return f"covers the cloud metadata host name {covered[0]}"
    return None


def _network_problem(network: Network, platform: EgressPlatform) -> str | None:
    for closed, what in CLOSED:
        if network.version == closed.version and network.overlaps(closed):
            return f"is or covers {closed} ({what}), which no setting can open"
    for embedding, what in EMBEDDING:
        if network.version == embedding.version and network.overlaps(embedding):
            return f"is or covers {embedding} ({what}); allow-list the IPv4 address instead"
    if platform.covers(network):
        return None
    for private, what in NON_PUBLIC:
        if network.version == private.version and network.overlaps(private):
            return (
                f"is or covers {private} ({what}), which the operator has not opened for"
                f" outbound HTTP ({OPEN_ENV})"
            )
    return None
