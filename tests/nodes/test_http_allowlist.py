"""Which tenant allow-list entries ``PUT /settings`` accepts (issue 13.1)."""

import pytest

from nodes.http.allowlist import entry_problem
from runtime.core.egress import EgressPlatform

NOTHING_OPEN = EgressPlatform()
ON_PREM = EgressPlatform.configure(open=["10.0.0.0/8", "127.0.0.0/8", "::1", "fd12::/16"])


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ("127.0.0.1", "127.0.0.0/8 (loopback addresses), which the operator has not opened"),
        ("::1", "::1/128 (the loopback address), which the operator has not opened"),
        ("localhost", "loopback name"),
        ("api.localhost", "loopback name"),
        ("169.254.169.254", "link-local and cloud metadata addresses), which no setting"),
        ("169.254.0.0/16", "which no setting can open"),
        ("100.100.100.200", "a cloud metadata address"),
        ("fd00:ec2::254", "a cloud metadata address"),
        ("fe80::1", "link-local"),
        ("metadata.google.internal", "cloud metadata host name"),
        ("metadata", "cloud metadata host name"),
        ("*.google.internal", "covers the cloud metadata host name metadata.google.internal"),
        ("*.internal", "whole top-level domain .internal"),
        ("*.ec2.internal", "covers the cloud metadata host name instance-data.ec2.internal"),
        ("0.0.0.0/0", "0.0.0.0/8 (unspecified"),
        ("0.0.0.0", "unspecified"),
        ("::/0", "which no setting can open"),
        ("::", "the unspecified address"),
        ("224.0.0.1", "multicast"),
        ("10.0.0.0/8", "private addresses), which the operator has not opened"),
        ("8.0.0.0/6", "covers 10.0.0.0/8"),
        ("::ffff:127.0.0.1", "IPv4-mapped"),
        ("2002:7f00:1::/48", "6to4"),
        ("64:ff9b::a9fe:a9fe", "NAT64"),
        ("2130706433", "unusual spelling of 127.0.0.1"),
        ("0x7f.1", "unusual spelling of 127.0.0.1"),
        ("*", "every host"),
        ("*.com", "whole top-level domain"),
        ("http://crm.example", "is not a host name"),
        ("", "is empty"),
    ],
)
def test_special_use_entries_are_refused(entry: str, problem: str) -> None:
    found = entry_problem(entry, NOTHING_OPEN)
    assert found is not None
    assert problem in found


@pytest.mark.parametrize(
    "entry",
    ["api.partner.example", "crm.corp.internal", "*.svc.corp.example", "8.8.8.0/24", "2606::/16"],
)
def test_ordinary_entries_are_accepted(entry: str) -> None:
    assert entry_problem(entry, NOTHING_OPEN) is None


@pytest.mark.parametrize("entry", ["10.20.0.0/16", "10.1.2.3", "127.0.0.1", "::1", "fd12:1::/32"])
def test_what_the_operator_opened_is_accepted(entry: str) -> None:
    assert entry_problem(entry, ON_PREM) is None


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ("0.0.0.0/0", "no setting can open"),
        ("169.254.169.254", "no setting can open"),
        ("fd13::/16", "covers fc00::/7 (unique local"),  # outside the opened fd12::/16
        ("11.0.0.0/7", "covers 10.0.0.0/8"),  # 10/7 is more than the opened 10/8
    ],
)
def test_the_operator_opens_only_what_it_listed(entry: str, problem: str) -> None:
    found = entry_problem(entry, ON_PREM)
    assert found is not None
    assert problem in found
