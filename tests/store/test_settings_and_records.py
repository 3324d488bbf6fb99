from __future__ import annotations

import pytest
from pydantic import ValidationError

from runtime.store import Conflict, InvalidInput, TenantSettings, TenantStore, UsageRecord


def test_settings_default_then_optimistic_updates(acme: TenantStore) -> None:
    assert acme.get_settings() == TenantSettings()
    first = acme.update_settings(TenantSettings(egress_allow=["api.example.com"]))
    assert first.revision == 1
    assert acme.get_settings() == first
    with pytest.raises(Conflict) as caught:  # revision 0 is stale now
        acme.update_settings(TenantSettings(run_retention_days=7))
    assert caught.value.current_version == 1
    second = acme.update_settings(first.model_copy(update={"max_run_seconds": 5.0}))
    assert (second.revision, second.max_run_seconds) == (2, 5.0)
    with pytest.raises(Conflict):
        acme.update_settings(first)
    with pytest.raises(Conflict):
        acme.update_settings(second.model_copy(update={"revision": 9}))
    assert acme.get_settings() == second


def test_settings_bounds() -> None:
    with pytest.raises(ValidationError):
        TenantSettings(run_retention_days=0)
    with pytest.raises(ValidationError):
        TenantSettings(run_retention_days=3651)


def test_audit_newest_first(acme: TenantStore) -> None:
    events = [
        acme.record_audit(
            actor="ann", action=f"graph.save.{i}", target="orders", details={"version": i}
        )
        for i in range(5)
    ]
    assert acme.list_audit() == list(reversed(events))
    assert acme.list_audit(limit=2) == [events[4], events[3]]
    assert acme.record_audit(actor="a", action="b", target="c").details == {}
    with pytest.raises(InvalidInput):
        acme.list_audit(limit=0)


def test_usage_by_utc_month(acme: TenantStore) -> None:
    november = [
        UsageRecord(
            at="2026-11-01T00:00:00+00:00",
            kind="run",
            graph_id="orders",
            run_id="r1",
            quantity=1,
            details={"ms": 12.5},
        ),
        UsageRecord(at="2026-11-30T20:00:00-03:00", kind="run", quantity=2.5),  # 23:00 UTC
    ]
    december = UsageRecord(at="2026-11-30T23:30:00-05:00", kind="run", quantity=1)  # Dec UTC
    for usage in (november[1], december, november[0]):
        acme.record_usage(usage)
    assert acme.list_usage("2026-11") == november
    assert acme.list_usage("2026-12") == [december]
    assert acme.list_usage("2027-01") == []
    with pytest.raises(InvalidInput):
        acme.list_usage("2026-1")
    with pytest.raises(InvalidInput):
        acme.record_usage(UsageRecord(at="yesterday", kind="run", quantity=1))
