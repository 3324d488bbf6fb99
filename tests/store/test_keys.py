from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from runtime.store import InvalidInput
from runtime.store.keys import TenantKeys

tenant_ids = st.from_regex(r"\A[a-z0-9][a-z0-9-]{1,62}\Z")
graph_ids = st.from_regex(r"\A[A-Za-z_][A-Za-z0-9_-]{0,63}\Z")
slugs = st.from_regex(r"\A[a-z0-9][a-z0-9-]{0,62}\Z")


def every_key(keys: TenantKeys, graph_id: str, slug: str) -> list[str]:
    built = [
        keys.profile(),
        keys.settings(),
        keys.graph_head(graph_id),
        keys.graph_version(graph_id, 1),
        keys.graph_version(graph_id, 99_999_999),
        keys.user("a@b.io"),
        keys.api_key("0123456789ab"),
        keys.deployment(slug),
        keys.run("r1"),
        keys.audit_event(1),
        keys.audit_head(),
        keys.waiver(graph_id, "HIPAA-PHI-LLM-BAA"),
        keys.usage_record("2026-11-05T00:00", "u1"),
    ]
    partitions = [keys.graph_versions(graph_id), *keys.fixed_partitions()]
    return [k.pk for k in built] + partitions


@given(tenant_ids, tenant_ids, graph_ids, slugs)
def test_no_key_of_one_tenant_is_under_another_tenants_prefix(
    a: str, b: str, graph_id: str, slug: str
) -> None:
    assume(a != b)
    ka, kb = TenantKeys(a), TenantKeys(b)
    for pk in every_key(ka, graph_id, slug):
        assert pk.startswith(ka.prefix)
        assert ka.owns(pk)
        assert not pk.startswith(kb.prefix)
        assert not kb.owns(pk)


def test_prefix_of_a_tenant_whose_id_extends_another() -> None:
    acme, acme_co = TenantKeys("acme"), TenantKeys("acme-co")
    assert acme.prefix == "TENANT#acme#"
    assert not acme_co.root.startswith(acme.prefix)
    assert not acme.owns(acme_co.runs)


def test_layout() -> None:
    keys = TenantKeys("acme")
    assert keys.graph_head("orders") == ("TENANT#acme#", "GRAPH#orders")
    assert keys.graph_version("orders", 12) == ("TENANT#acme#GRAPH#orders", "V#00000012")
    assert keys.run("abc").pk == "TENANT#acme#RUNS"


@pytest.mark.parametrize(
    "tenant_id", ["", "a", "Acme", "-acme", "acme#x", "acme_co", "a" * 64, "acme co", None]
)
def test_bad_tenant_ids_are_refused(tenant_id: str) -> None:
    with pytest.raises(InvalidInput, match="tenant id"):
        TenantKeys(tenant_id)


@pytest.mark.parametrize(
    ("build", "what"),
    [
        (lambda k: k.graph_head("a#b"), "graph id"),
        (lambda k: k.graph_version("g", 0), "version"),
        (lambda k: k.graph_version("g", 100_000_000), "version"),
        (lambda k: k.deployment("Bad"), "slug"),
        (lambda k: k.deployment("-x"), "slug"),
        (lambda k: k.user("not-an-email"), "email"),
        (lambda k: k.user("a#b@c.io"), "email"),
        (lambda k: k.api_key("XYZ"), "API key id"),
        (lambda k: k.run("a#b"), "run id"),
        (lambda k: k.usage_month("2026-13"), "month"),
    ],
)
def test_bad_parts_are_refused(build: object, what: str) -> None:
    with pytest.raises(InvalidInput, match=what):
        build(TenantKeys("acme"))  # type: ignore[operator]


def test_emails_are_case_insensitive() -> None:
    keys = TenantKeys("acme")
    assert keys.user(" Ann@Example.COM ") == keys.user("ann@example.com")


def test_state_objects_stay_under_the_tenants_prefix_and_take_digests_only() -> None:
    digest = "ab" * 32
    assert TenantKeys("acme").state_object(digest) == f"TENANT#acme#STATES#{digest}"
    for bad in ("../x", "AB" * 32, digest + "0", "TENANT#acme-co#STATES#" + digest):
        with pytest.raises(InvalidInput):
            TenantKeys("acme").state_object(bad)


def test_state_objects_refuse_a_reference_outside_the_tenants_states() -> None:
    from runtime.store.state_objects import StateObjects

    class Unused:
        meta = None

        def get_object(self, **kwargs: object) -> dict[str, object]:
            raise AssertionError("S3 must not be asked")

    objects = StateObjects(Unused(), "bucket", "acme")  # type: ignore[arg-type]
    for reference in ("TENANT#acme-co#STATES#" + "ab" * 32, "TENANT#acme#ASSET#logo.png"):
        with pytest.raises(InvalidInput):
            objects.get(reference)
