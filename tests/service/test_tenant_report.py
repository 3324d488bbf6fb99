"""The tenant's compliance report (``GET /api/v1/compliance/report``): every graph's head and
deployed versions rule by rule, each deployment's SOC2 approval, the audit chain's state, and
nothing of another tenant's."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from runtime.store import Directory
from runtime.store.codec import from_item, to_item

from .conftest import Tenant, approve, example

URL = "/api/v1/compliance/report"


def _packs(client: TestClient, tenant: Tenant, packs: list[str]) -> None:
    settings = client.get("/api/v1/settings", headers=tenant.auth).json()
    settings["compliance_packs"] = packs
    assert client.put("/api/v1/settings", json=settings, headers=tenant.auth).status_code == 200


def _settings(client: TestClient, tenant: Tenant) -> dict[str, Any]:
    settings: dict[str, Any] = client.get("/api/v1/settings", headers=tenant.auth).json()
    return settings


def _entries(report: dict[str, Any]) -> dict[tuple[str, int], dict[str, Any]]:
    return {(g["graph_id"], g["version"]): g for g in report["graphs"]}


def _rules(entry: dict[str, Any]) -> dict[str, str]:
    return {r["rule"]: r["status"] for r in entry["report"]["rules"]}


def test_the_report_follows_a_graph_from_refused_to_deployed_and_changed_again(
    client: TestClient, acme: Tenant, aws: Any
) -> None:
    _packs(client, acme, ["hipaa", "soc2"])
    original = example("patient-intake")
    created = client.post("/api/v1/graphs", json={"graph": original}, headers=acme.auth)
    assert created.status_code == 201, created.text

    first = client.get(URL, headers=acme.auth).json()
    assert first["packs"] == ["hipaa", "soc2"]
    (entry,) = first["graphs"]
    assert (entry["graph_id"], entry["version"], entry["head"]) == ("patient-intake", 1, True)
    assert entry["status"] == "failed"
    assert _rules(entry)["HIPAA-PHI-LLM-BAA"] == "failed"
    (failed,) = [r for r in entry["report"]["rules"] if r["status"] == "failed"]
    assert failed["findings"][0]["node"] == "summary"  # the evidence names the node
    assert first["deployments"] == []
    assert first["summary"]["failed"] == 1

    # Fixed, approved by a second person, deployed: the deployed head passes everything.
    fixed = client.post("/api/v1/compliance/fix", json={"graph": original}, headers=acme.auth)
    body = {"graph": fixed.json()["graph"], "base_version": 1, "message": "redact"}
    assert client.put("/api/v1/graphs/patient-intake", json=body, headers=acme.auth).is_success
    approve(client, aws, acme, "patient-intake", 2)
    deploy = {"slug": "intake", "graph_id": "patient-intake", "version": 2}
    assert client.post("/api/v1/deployments", json=deploy, headers=acme.auth).status_code == 201
    second = client.get(URL, headers=acme.auth).json()
    (entry,) = second["graphs"]  # v1 is neither the head nor deployed any more
    assert (entry["version"], entry["head"], entry["deployments"]) == (2, True, ["intake"])
    assert entry["status"] == "passed"
    (check,) = second["deployments"]
    assert (check["slug"], check["status"]) == ("intake", "passed")
    assert check["approved_by"].startswith("key:")  # the reviewer's key, not the author
    assert second["summary"]["failed"] == 0

    # The head moves on (the unredacted graph again); what runs is still v2, and both show.
    body = {"graph": original, "base_version": 2, "message": "oops"}
    assert client.put("/api/v1/graphs/patient-intake", json=body, headers=acme.auth).is_success
    third = _entries(client.get(URL, headers=acme.auth).json())
    assert set(third) == {("patient-intake", 2), ("patient-intake", 3)}
    assert (third["patient-intake", 2]["head"], third["patient-intake", 2]["status"]) == (
        False,
        "passed",
    )
    assert third["patient-intake", 3]["head"] is True
    assert third["patient-intake", 3]["deployments"] == []
    assert third["patient-intake", 3]["status"] == "failed"


def test_a_deployment_made_before_soc2_was_turned_on_shows_as_unapproved(
    client: TestClient, acme: Tenant
) -> None:
    created = client.post("/api/v1/graphs", json={"graph": example("http-echo")}, headers=acme.auth)
    assert created.status_code == 201, created.text
    graph_id = "http_echo"
    deploy = {"slug": "echo", "graph_id": graph_id}
    assert client.post("/api/v1/deployments", json=deploy, headers=acme.auth).status_code == 201
    before = client.get(URL, headers=acme.auth).json()
    assert before["packs"] == []
    assert before["deployments"][0]["status"] == "not_required"

    _packs(client, acme, ["soc2"])
    after = client.get(URL, headers=acme.auth).json()
    (check,) = after["deployments"]
    assert check["status"] == "failed"
    assert (
        check["message"] == f"SOC2-DEPLOY-APPROVAL: approval of {graph_id!r} v1 was never asked for"
    )
    assert after["summary"]["failed"] >= 1


def test_a_tampered_audit_trail_shows_in_the_report(
    client: TestClient, acme: Tenant, aws: Any
) -> None:
    client.post("/api/v1/graphs", json={"graph": example("http-echo")}, headers=acme.auth)
    intact = client.get(URL, headers=acme.auth).json()["audit"]
    assert intact["intact"] is True
    assert intact["events"] >= 2
    assert intact["problems"] == []

    store = Directory(aws, "auterity").tenant("acme")
    response = aws.query(
        TableName="auterity",
        KeyConditionExpression="PK = :pk AND begins_with(SK, :ev)",
        ExpressionAttributeValues={":pk": {"S": store._keys.audit}, ":ev": {"S": "EV#"}},
    )
    item = from_item(response["Items"][0])
    aws.put_item(TableName="auterity", Item=to_item({**item, "actor": "user:mallory@x.com"}))
    # The first event was verified by the report above: only a full check reads it again.
    broken = client.get(URL + "?full_check=true", headers=acme.auth).json()["audit"]
    assert broken["intact"] is False
    assert broken["problems"][0]["seq"] == item["seq"]
    assert "edited" in broken["problems"][0]["problem"]


def test_the_report_holds_only_the_callers_tenant(
    client: TestClient, acme: Tenant, acme_co: Tenant
) -> None:
    client.post("/api/v1/graphs", json={"graph": example("http-echo")}, headers=acme.auth)
    theirs = client.get(URL, headers=acme_co.auth).json()
    assert theirs["tenant_id"] == "acme-co"
    assert theirs["graphs"] == []
    forged = client.get(URL, params={"tenant_id": "acme"}, headers=acme_co.auth).json()
    assert forged["graphs"] == []
    assert client.get(URL).status_code == 401


def test_the_report_reads_only_the_audit_events_added_since_its_last_check(
    client: TestClient, acme: Tenant, aws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 14, item 4: the report re-read the whole trail on every call (8 s at 4,000
    events); now it reads the events added since the last intact check, and says how far the
    chain is verified."""
    for i in range(30):
        client.put(
            "/api/v1/settings",
            json={**_settings(client, acme), "run_retention_days": 7 + i % 2},
            headers=acme.auth,
        )
    first = client.get(URL, headers=acme.auth).json()["audit"]
    assert first["intact"] is True
    assert first["verified_through"] == first["events"] >= 30

    read: list[str] = []
    original = aws.query

    def counting(**kwargs: Any) -> Any:
        page = original(**kwargs)
        read.extend(
            item["SK"]["S"] for item in page.get("Items", []) if item["SK"]["S"].startswith("EV#")
        )
        return page

    monkeypatch.setattr(aws, "query", counting)
    client.put(
        "/api/v1/settings",
        json={**_settings(client, acme), "run_retention_days": 30},
        headers=acme.auth,
    )
    second = client.get(URL, headers=acme.auth).json()["audit"]
    assert second["intact"] is True
    assert second["checked_from"] == first["verified_through"] + 1
    assert second["verified_through"] == second["events"] > first["events"]
    assert len(read) <= second["events"] - first["events"] + 2


def test_an_edit_after_the_last_check_is_caught_without_a_full_check(
    client: TestClient, acme: Tenant, aws: Any
) -> None:
    client.post("/api/v1/graphs", json={"graph": example("http-echo")}, headers=acme.auth)
    assert client.get(URL, headers=acme.auth).json()["audit"]["intact"] is True
    store = Directory(aws, "auterity").tenant("acme")
    newest = store.list_audit(limit=1)[0]
    key = store._keys.audit_event(newest.seq)
    item = from_item(
        aws.get_item(TableName="auterity", Key=to_item({"PK": key.pk, "SK": key.sk}))["Item"]
    )
    aws.put_item(TableName="auterity", Item=to_item({**item, "actor": "user:mallory@x.com"}))
    broken = client.get(URL, headers=acme.auth).json()["audit"]
    assert broken["intact"] is False
    assert broken["verified_through"] == 0
    assert any(p["seq"] == newest.seq and "edited" in p["problem"] for p in broken["problems"])


def test_only_an_admin_may_ask_for_a_full_check(client: TestClient, acme: Tenant, aws: Any) -> None:
    _, viewer_key = Directory(aws, "auterity").tenant("acme").create_api_key("v", "viewer")
    refused = client.get(URL + "?full_check=true", headers={"X-API-Key": viewer_key})
    assert refused.status_code == 403
    assert "full_check" in refused.json()["error"]["message"]
    full = client.get(URL + "?full_check=true", headers=acme.auth).json()["audit"]
    assert full["checked_from"] == 1
