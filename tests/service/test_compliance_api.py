"""The healthcare example end to end: refused at deploy with the HIPAA rule naming the LLM
node, fixed by an inserted redaction node, then deployed and run, leaving a verifiable audit
chain. Plus the validate endpoint with packs, and admin waivers with reasons."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from runtime.ai.config import AiConfig
from runtime.local.llm import FakeProvider, Reply
from runtime.service.config import ServiceConfig
from runtime.store import Directory

from .conftest import Tenant, approve, example

AI_FIXTURES = Path(__file__).parents[1] / "fixtures" / "graphs" / "ai"

BODY = {
    "patient": {"name": "Ada Lovelace", "dob": "1815-12-10", "phone": "+44 20 7946 0000"},
    "visit": {"reason": "Refill of blood pressure medication"},
}


@pytest.fixture
def config(fake_server: FakeProvider) -> ServiceConfig:
    """The service's models are the local fake provider (never a real one)."""
    fake_server.reset()
    return ServiceConfig(
        token_secret="t" * 48, max_run_seconds=10, ai=AiConfig(providers=fake_server.providers())
    )


@pytest.fixture
def clinic(client: TestClient, acme: Tenant) -> Tenant:
    """``acme`` with the healthcare preset's packs."""
    settings = client.get("/api/v1/settings", headers=acme.auth).json()
    settings["compliance_packs"] = ["hipaa", "soc2"]
    assert client.put("/api/v1/settings", json=settings, headers=acme.auth).status_code == 200
    graph = example("patient-intake")
    created = client.post("/api/v1/graphs", json={"graph": graph}, headers=acme.auth)
    assert created.status_code == 201, created.text
    return acme


def _deploy(client: TestClient, tenant: Tenant, version: int | None = None) -> Any:
    body = {"slug": "intake", "graph_id": "patient-intake", "version": version}
    return client.post("/api/v1/deployments", json=body, headers=tenant.auth)


def test_the_example_is_refused_fixed_deployed_and_audited(
    client: TestClient, clinic: Tenant, aws: Any, fake_server: FakeProvider
) -> None:
    refused = _deploy(client, clinic)
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "compliance_violation"
    assert error["message"].startswith("HIPAA-PHI-LLM-BAA at node 'summary'")
    assert error["rules"] == ["HIPAA-PHI-LLM-BAA"]
    assert error["diagnostics"][0]["node"] == "summary"

    graph = client.get("/api/v1/graphs/patient-intake", headers=clinic.auth).json()["graph"]
    fixed = client.post("/api/v1/compliance/fix", json={"graph": graph}, headers=clinic.auth)
    assert fixed.status_code == 200, fixed.text
    result = fixed.json()
    assert [a["rule"] for a in result["applied"]] == ["HIPAA-PHI-LLM-BAA"]
    (added,) = [c for c in result["diff"]["nodes"] if c["change"] == "added"]
    inserted = next(n for n in result["graph"]["nodes"] if n["id"] == added["node"])
    assert inserted["type"] == "compliance.redact"
    statuses = {r["rule"]: r["status"] for r in result["remaining"]["rules"]}
    # No node type stores data yet: the persist rule cannot fire, so it waits (it is no pass).
    assert statuses.pop("HIPAA-PHI-PERSIST-ENCRYPTED") == "waiting"
    assert set(statuses.values()) == {"passed"}

    saved = client.put(
        "/api/v1/graphs/patient-intake",
        json={"graph": result["graph"], "base_version": 1, "message": "redact PHI"},
        headers=clinic.auth,
    )
    assert saved.status_code == 200, saved.text
    assert _deploy(client, clinic).json()["error"]["code"] == "approval_required"  # SOC2
    approve(client, aws, clinic, "patient-intake", 2)
    deployed = _deploy(client, clinic)
    assert deployed.status_code == 201, deployed.text

    answer = client.post("/t/acme/intake", json=BODY, headers=clinic.key)
    assert answer.status_code == 200, answer.text
    assert answer.json()["summary"].startswith("ok: ")
    (call,) = fake_server.requests
    sent = json.dumps(call.body)
    assert "[REDACTED]" in sent
    for value in ("Ada", "Lovelace", "1815-12-10", "7946"):
        assert value not in sent, f"{value!r} reached the model provider"
    run = client.post(
        "/api/v1/graphs/patient-intake/run", json={"input": {"body": BODY}}, headers=clinic.auth
    )
    assert run.status_code == 200, run.text

    store = Directory(aws, "auterity").tenant("acme")
    actions = [e.action for e in store.iter_audit()]
    assert "deployment.deploy" in actions
    assert "run.manual" in actions
    report = store.verify_audit()
    assert report.ok, report.problems
    assert report.events == report.head_seq == len(actions)


def test_validate_with_packs_pins_the_finding_on_the_node(
    client: TestClient, clinic: Tenant
) -> None:
    graph = example("patient-intake")
    plain = client.post("/api/v1/validate", json=graph, headers=clinic.auth).json()
    assert plain == {"valid": True, "diagnostics": []}
    checked = client.post(
        "/api/v1/validate", params={"packs": "tenant"}, json=graph, headers=clinic.auth
    ).json()
    assert checked["valid"] is False
    (diag,) = checked["diagnostics"]
    assert (diag["code"], diag["node"]) == ("compliance.HIPAA-PHI-LLM-BAA", "summary")
    gdpr = client.post(
        "/api/v1/validate", params={"packs": ["gdpr"]}, json=graph, headers=clinic.auth
    ).json()
    assert {d["code"] for d in gdpr["diagnostics"]} == {"compliance.GDPR-PII-LLM-DPA"}


def test_validating_a_saved_graph_with_packs_names_the_rule_and_node(
    client: TestClient, clinic: Tenant
) -> None:
    url = "/api/v1/graphs/patient-intake/validate"
    plain = client.post(url, headers=clinic.auth).json()
    assert plain == {"valid": True, "diagnostics": []}
    checked = client.post(url, params={"packs": "tenant"}, headers=clinic.auth).json()
    assert checked["valid"] is False
    (diag,) = checked["diagnostics"]
    assert (diag["code"], diag["node"]) == ("compliance.HIPAA-PHI-LLM-BAA", "summary")
    assert diag["hint"]  # the remediation
    pinned = client.post(url, params={"packs": ["pci"], "version": 1}, headers=clinic.auth)
    assert pinned.json() == {"valid": True, "diagnostics": []}
    unknown = client.post(url, params={"packs": "nope"}, headers=clinic.auth)
    assert unknown.status_code == 422


def test_an_admin_waiver_with_a_reason_lets_the_graph_deploy(
    client: TestClient, clinic: Tenant, aws: Any
) -> None:
    store = Directory(aws, "auterity").tenant("acme")
    _, editor_key = store.create_api_key("editor", "editor")
    url = "/api/v1/compliance/waivers/patient-intake/HIPAA-PHI-LLM-BAA"
    reason = {"reason": "BAA with the provider signed 2026-01-12, ref LEGAL-114"}
    assert client.put(url, json=reason, headers={"X-API-Key": editor_key}).status_code == 403
    assert client.put(url, json={"reason": "short"}, headers=clinic.auth).status_code == 422
    waived = client.put(url, json=reason, headers=clinic.auth)
    assert waived.status_code == 201, waived.text
    approve(client, aws, clinic, "patient-intake", 1)
    assert _deploy(client, clinic).status_code == 201

    report = client.get("/api/v1/compliance/report/patient-intake", headers=clinic.auth).json()
    status = {r["rule"]: r["status"] for r in report["rules"]}
    assert status["HIPAA-PHI-LLM-BAA"] == "waived"
    assert status["SOC2-ERROR-PATH"] == "passed"
    events = list(store.iter_audit())
    waive = next(e for e in events if e.action == "compliance.waive")
    assert waive.details["reason"] == reason["reason"]
    deploy = next(e for e in events if e.action == "deployment.deploy")
    assert deploy.details["waived"] == ["HIPAA-PHI-LLM-BAA"]

    assert client.delete(url, headers=clinic.auth).status_code == 204
    assert _deploy(client, clinic).status_code == 422


def test_a_baa_covers_the_model_only_if_routing_stays_with_that_provider(
    client: TestClient, clinic: Tenant, aws: Any
) -> None:
    """``ai.summarize`` may fall back to any model the tenant's AI policy allows: a BAA with
    Anthropic is enough only once the policy allows Anthropic alone."""
    settings = client.get("/api/v1/settings", headers=clinic.auth).json()
    settings["baa_providers"] = ["anthropic"]
    assert client.put("/api/v1/settings", json=settings, headers=clinic.auth).status_code == 200
    refused = _deploy(client, clinic)
    assert refused.status_code == 422
    assert "any provider the routing picks" in refused.json()["error"]["message"]

    settings = client.get("/api/v1/settings", headers=clinic.auth).json()
    settings["ai"]["allowed_providers"] = ["anthropic"]
    assert client.put("/api/v1/settings", json=settings, headers=clinic.auth).status_code == 200
    approve(client, aws, clinic, "patient-intake", 1)
    assert _deploy(client, clinic).status_code == 201


def test_unknown_rules_cannot_be_waived(client: TestClient, clinic: Tenant) -> None:
    url = "/api/v1/compliance/waivers/patient-intake/HIPAA-MADE-UP"
    response = client.put(url, json={"reason": "a long enough reason"}, headers=clinic.auth)
    assert response.status_code == 422


def test_a_generated_graph_is_checked_against_the_tenants_packs_and_repaired(
    client: TestClient, clinic: Tenant, fake_server: FakeProvider
) -> None:
    """The chat's graphs meet policy before they reach the canvas: a proposal sending PHI to a
    model without a BAA goes back to the model with the HIPAA rule and node named; the
    redacted proposal comes back clean."""
    from compliance.fix import fix_graph
    from runtime.core.graph import Graph

    violating = example("patient-intake")
    fixed = fix_graph(Graph.model_validate(violating), ["hipaa"]).graph.model_dump(mode="json")
    fake_server.queue(
        "openai",
        Reply.json({"graph": violating, "explanation": "Summarizes intake."}),
        Reply.json({"graph": fixed, "explanation": "Summarizes redacted intake."}),
    )
    answered = client.post(
        "/api/v1/ai/generate-graph",
        json={"description": "summarize patient intake forms for the nurse"},
        headers=clinic.auth,
    )
    assert answered.status_code == 200, answered.text
    result = answered.json()
    assert result["rounds"] == 2
    assert result["diagnostics"] == []
    assert any(n["type"] == "compliance.redact" for n in result["graph"]["nodes"])
    first, repair = fake_server.of("openai")
    assert "hipaa" in first.body["messages"][0]["content"].lower()
    feedback = repair.body["messages"][-1]["content"]
    assert "HIPAA-PHI-LLM-BAA" in feedback
    assert "summary" in feedback


def test_violations_left_after_the_repair_rounds_are_returned_with_the_graph(
    client: TestClient, clinic: Tenant, fake_server: FakeProvider
) -> None:
    # The auto-fix repairs the plain patient-intake example (issue 14.6): this one it cannot.
    unfixable = AI_FIXTURES / "patient-intake-reads-the-trigger.graph.json"
    violating = json.loads(unfixable.read_text())
    fake_server.queue(
        "openai", *[Reply.json({"graph": violating, "explanation": "Same."}) for _ in range(2)]
    )
    answered = client.post(
        "/api/v1/ai/generate-graph",
        json={"description": "summarize patient intake forms", "max_repair_rounds": 1},
        headers=clinic.auth,
    )
    result = answered.json()
    codes = [d["code"] for d in result["diagnostics"]]
    assert "compliance.HIPAA-PHI-LLM-BAA" in codes
    assert next(d for d in result["diagnostics"] if "HIPAA" in d["code"])["node"] == "summary"


def test_the_stance_is_what_the_service_checks_a_graph_against(
    client: TestClient, clinic: Tenant, acme_co: Tenant
) -> None:
    """The builder checks each edit with ``GET /compliance/stance``: the tenant's packs and
    agreements, and the graph's waivers; checking with it agrees with ``?packs=tenant``."""
    from compliance.check import check_graph, diagnostics
    from compliance.stance import Stance
    from runtime.core.graph import Graph

    settings = client.get("/api/v1/settings", headers=clinic.auth).json()
    settings["dpa_providers"] = ["openai"]
    settings["data_regions"] = ["eu-west-1"]
    settings["ai"]["allowed_providers"] = ["openai"]
    assert client.put("/api/v1/settings", json=settings, headers=clinic.auth).status_code == 200
    url = "/api/v1/compliance/stance"
    tenant_wide = client.get(url, headers=clinic.auth)
    assert tenant_wide.status_code == 200, tenant_wide.text
    assert tenant_wide.json() == {
        "packs": ["hipaa", "soc2"],
        "context": {
            "baa_providers": [],
            "dpa_providers": ["openai"],
            "data_regions": ["eu-west-1"],
            "llm_providers": ["openai"],
        },
        "waivers": {},
    }

    graph = Graph.model_validate(example("patient-intake"))

    def agree(stance: Stance) -> list[str]:
        local = diagnostics(
            check_graph(graph, stance.packs, stance.context, waivers=stance.waivers)
        )
        served = client.post(
            "/api/v1/validate",
            params={"packs": "tenant"},
            json=graph.model_dump(mode="json"),
            headers=clinic.auth,
        ).json()["diagnostics"]
        assert [d.model_dump(mode="json", exclude_defaults=True) for d in local] == [
            {k: v for k, v in d.items() if v not in (None, "", [])} for d in served
        ]
        return [d.code for d in local]

    of_graph = Stance.model_validate(
        client.get(url, params={"graph_id": "patient-intake"}, headers=clinic.auth).json()
    )
    assert of_graph.waivers == {}
    assert agree(of_graph) == ["compliance.HIPAA-PHI-LLM-BAA"]

    reason = "BAA with the provider signed 2026-01-12, ref LEGAL-114"
    waiver = "/api/v1/compliance/waivers/patient-intake/HIPAA-PHI-LLM-BAA"
    assert client.put(waiver, json={"reason": reason}, headers=clinic.auth).status_code == 201
    of_graph = Stance.model_validate(
        client.get(url, params={"graph_id": "patient-intake"}, headers=clinic.auth).json()
    )
    assert of_graph.waivers == {"HIPAA-PHI-LLM-BAA": reason}
    assert agree(of_graph) == []
    assert client.get(url, headers=clinic.auth).json()["waivers"] == {}  # no graph: none

    # Another tenant sees its own packs and agreements, and nothing of acme's graph.
    theirs = client.get(url, headers=acme_co.auth).json()
    assert theirs["packs"] != ["hipaa", "soc2"]
    assert theirs["context"]["dpa_providers"] == []
    other = client.get(url, params={"graph_id": "patient-intake"}, headers=acme_co.auth)
    assert other.status_code == 404
    assert reason not in other.text
    assert client.get(url, params={"graph_id": "nope"}, headers=clinic.auth).status_code == 404
    assert client.get(url).status_code == 401
