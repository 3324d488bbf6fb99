from __future__ import annotations

import pytest

from runtime.store import Conflict, Directory, InvalidInput, NotFound


def test_create_get_list(directory: Directory) -> None:
    acme = directory.create_tenant("acme", "Acme Motors", "automotive")
    assert (acme.id, acme.name, acme.industry) == ("acme", "Acme Motors", "automotive")
    assert directory.get_tenant("acme") == acme
    other = directory.create_tenant("acme-co", "Acme Co")
    assert other.industry == "general"
    assert directory.list_tenants() == [acme, other]
    assert directory.tenant("acme").tenant_id == "acme"


def test_create_twice_conflicts(directory: Directory) -> None:
    directory.create_tenant("acme", "Acme")
    with pytest.raises(Conflict):
        directory.create_tenant("acme", "Again")
    assert directory.get_tenant("acme").name == "Acme"


@pytest.mark.parametrize(
    ("tenant_id", "name", "industry"),
    [
        ("Acme", "x", "general"),
        ("a", "x", "general"),
        ("acme", "", "general"),
        ("acme", "x", "retail"),
    ],
)
def test_bad_tenants_are_refused(
    directory: Directory, tenant_id: str, name: str, industry: str
) -> None:
    with pytest.raises(InvalidInput):
        directory.create_tenant(tenant_id, name, industry)
    assert directory.list_tenants() == []


@pytest.mark.parametrize("tenant_id", ["nope", "Not Valid", "acme#x"])
def test_unknown_tenants_are_not_found(directory: Directory, tenant_id: str) -> None:
    directory.create_tenant("acme", "Acme")
    with pytest.raises(NotFound):
        directory.get_tenant(tenant_id)
    with pytest.raises(NotFound):
        directory.tenant(tenant_id)
