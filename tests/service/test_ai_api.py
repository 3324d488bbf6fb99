"""The AI parts of the service with the local fake provider: a deployed graph with an
extraction node and a classification branch, usage and budgets, and generate-graph."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from runtime.ai.config import AiConfig
from runtime.local.llm import FakeProvider, Reply
from runtime.service.app import create_app
from runtime.service.config import ServiceConfig
from runtime.store import Directory
from tests.service.conftest import PASSWORD, Tenant, _tenant

TEMPLATES = Path(__file__).parent.parent.parent / "templates"
LEAD = {"message": "Hi, I'm Ada (555-0100). I want a 2024 Civic this week, test drive Saturday?"}
EXTRACTED = {"name": "Ada", "phone": "555-0100", "vehicle": "2024 Civic",
             "timeline": "this_week", "budget": None}  # fmt: skip


def template(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((TEMPLATES / f"{name}.graph.json").read_text())
    return data


@pytest.fixture
def fake(fake_server: FakeProvider) -> Iterator[FakeProvider]:
    fake_server.reset()
    yield fake_server
    fake_server.reset()


@pytest.fixture
def ai_client(aws: Any, fake: FakeProvider) -> Iterator[TestClient]:
    config = ServiceConfig(
        token_secret="t" * 48, max_run_seconds=20, ai=AiConfig(providers=fake.providers())
    )
    with TestClient(create_app(config, aws)) as test_client:
        yield test_client


@pytest.fixture
def acme_ai(ai_client: TestClient, aws: Any) -> Tenant:
    return _tenant(ai_client, aws, "acme")


def deploy(client: TestClient, tenant: Tenant, graph: dict[str, Any], slug: str) -> None:
    created = client.post("/api/v1/graphs", json={"graph": graph}, headers=tenant.auth)
    assert created.status_code == 201, created.text
    deployed = client.post(
        "/api/v1/deployments", json={"slug": slug, "graph_id": graph["id"]}, headers=tenant.auth
    )
    assert deployed.status_code == 201, deployed.text


def set_ai(client: TestClient, tenant: Tenant, **policy: Any) -> None:
    settings = client.get("/api/v1/settings", headers=tenant.auth).json()
    settings["ai"].update(policy)
    assert client.put("/api/v1/settings", json=settings, headers=tenant.auth).status_code == 200


# -- the "done when": extraction + classification branch through the endpoint --------


def test_an_ai_graph_runs_end_to_end_through_its_endpoint_and_records_usage(
    ai_client: TestClient, acme_ai: Tenant, fake: FakeProvider
) -> None:
    deploy(ai_client, acme_ai, template("automotive-lead-triage"), "leads")
    fake.queue(
        "openai",
        Reply.json(EXTRACTED),
        Reply.json({"label": "hot", "reason": "Wants a Civic this week."}),
    )
    answered = ai_client.post("/t/acme/leads", json=LEAD, headers=acme_ai.key)
    assert answered.status_code == 200, answered.text
    assert answered.json() == {
        "tier": "hot",
        "next_action": "Text Ada within 5 minutes",
        "lead": EXTRACTED,
        "reason": "Wants a Civic this week.",
    }
    assert fake.count("openai") == 2
    run_id = answered.headers["x-auterity-run-id"]
    run = ai_client.get(f"/api/v1/runs/{run_id}", headers=acme_ai.auth).json()
    statuses = {t["node"]: t["status"] for t in run["trace"]}
    assert (statuses["hot"], statuses["warm"], statuses["cold"]) == ("ok", "skipped", "skipped")

    usage = ai_client.get("/api/v1/ai/usage", headers=acme_ai.auth).json()
    assert usage["calls"] == 2
    assert usage["by_outcome"] == {"ok": 2}
    assert set(usage["by_model"]) == {"openai:gpt-4o-mini"}
    assert {r["node_id"] for r in usage["records"]} == {"extract", "classify"}
    assert {r["run_id"] for r in usage["records"]} == {run_id}
    assert all(r["graph_id"] == "automotive_lead_triage" for r in usage["records"])
    assert all(r["input_tokens"] > 0 and r["output_tokens"] > 0 for r in usage["records"])
    total = sum(r["cost_usd"] for r in usage["records"])
    assert usage["spent_usd"] == pytest.approx(total, abs=2e-6)  # micro-dollar counter


def test_rerunning_from_a_later_node_does_not_call_the_model_again(
    ai_client: TestClient, acme_ai: Tenant, fake: FakeProvider
) -> None:
    graph = template("automotive-lead-triage")
    fake.queue("openai", Reply.json(EXTRACTED), Reply.json({"label": "warm", "reason": "r"}))
    body = {"graph": graph, "input": {"method": "POST", "body": LEAD}}
    first = ai_client.post("/api/v1/runs", json=body, headers=acme_ai.auth)
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "succeeded"
    assert fake.count("openai") == 2
    again = ai_client.post(
        "/api/v1/runs",
        json={**body, "rerun_from": "warm", "previous_run_id": first.json()["run_id"]},
        headers=acme_ai.auth,
    )
    assert again.json()["status"] == "succeeded"
    statuses = {t["node"]: t["status"] for t in again.json()["trace"]}
    assert (statuses["extract"], statuses["classify"]) == ("pinned", "pinned")
    assert fake.count("openai") == 2  # nothing billed twice
    assert ai_client.get("/api/v1/ai/usage", headers=acme_ai.auth).json()["calls"] == 2


def test_an_exhausted_budget_refuses_before_calling_the_provider(
    ai_client: TestClient, acme_ai: Tenant, fake: FakeProvider
) -> None:
    deploy(ai_client, acme_ai, template("automotive-lead-triage"), "leads")
    set_ai(ai_client, acme_ai, monthly_budget_usd=0)
    refused = ai_client.post("/t/acme/leads", json=LEAD, headers=acme_ai.key)
    assert refused.status_code == 502
    error = refused.json()["error"]
    assert error["node"] == "extract"
    assert "monthly AI budget is used up" in error["message"]
    assert "no request was sent" in error["message"]
    assert fake.count() == 0
    generate = ai_client.post(
        "/api/v1/ai/generate-graph", json={"description": "score leads"}, headers=acme_ai.auth
    )
    assert generate.status_code == 402
    assert generate.json()["error"]["code"] == "budget_exceeded"
    assert fake.count() == 0
    assert ai_client.get("/api/v1/ai/conversations", headers=acme_ai.auth).json() == []


def test_the_tenant_policy_routes_calls(
    ai_client: TestClient, acme_ai: Tenant, fake: FakeProvider
) -> None:
    deploy(ai_client, acme_ai, template("automotive-lead-triage"), "leads")
    set_ai(ai_client, acme_ai, allowed_providers=["anthropic"])
    fake.queue(
        "anthropic", Reply.json(EXTRACTED), Reply.json({"label": "cold", "reason": "browsing"})
    )
    answered = ai_client.post("/t/acme/leads", json=LEAD, headers=acme_ai.key)
    assert answered.status_code == 200, answered.text
    assert answered.json()["tier"] == "cold"
    assert (fake.count("openai"), fake.count("anthropic")) == (0, 2)


# -- generate-graph ------------------------------------------------------------------------


def unplaced(graph: dict[str, Any]) -> dict[str, Any]:
    """The template as a model would send it: no canvas positions."""
    graph = copy.deepcopy(graph)
    for node in graph["nodes"]:
        node.pop("position", None)
    graph.pop("metadata", None)
    return graph


DESCRIPTIONS = [
    ("automotive", "When a dealership lead arrives, score it and text hot leads to sales.",
     "automotive-lead-triage"),
    ("healthcare", "Triage patient portal messages; page the on-call nurse for urgent ones.",
     "healthcare-patient-message-triage"),
    ("finance", "Pre-screen loan applications: send big requests to manual underwriting.",
     "finance-loan-application-review"),
]  # fmt: skip


@pytest.mark.parametrize(("industry", "description", "name"), DESCRIPTIONS)
def test_generate_graph_turns_a_description_into_a_valid_graph(
    ai_client: TestClient,
    acme_ai: Tenant,
    fake: FakeProvider,
    industry: str,
    description: str,
    name: str,
) -> None:
    proposed = unplaced(template(name))
    broken = copy.deepcopy(proposed)
    broken["edges"] = [e for e in broken["edges"] if e["target"] != "reply"]  # reply unreachable
    fake.queue(
        "openai",
        Reply.json({"graph": broken, "explanation": "First try."}),
        Reply.json({"graph": proposed, "explanation": f"A {industry} workflow."}),
    )
    answered = ai_client.post(
        "/api/v1/ai/generate-graph",
        json={"description": description, "industry": industry, "compliance_packs": ["baseline"]},
        headers=acme_ai.auth,
    )
    assert answered.status_code == 200, answered.text
    result = answered.json()
    assert result["source"] == "model"
    assert result["diagnostics"] == []
    assert result["rounds"] == 2
    assert result["explanation"] == f"A {industry} workflow."
    positions = {(n["position"]["x"], n["position"]["y"]) for n in result["graph"]["nodes"]}
    assert len(positions) == len(result["graph"]["nodes"])  # laid out, not piled up
    first, repair = fake.of("openai")
    sent = first.body
    schema = sent["response_format"]["json_schema"]["schema"]
    assert "ai.classify" in schema["$defs"]["Node"]["properties"]["type"]["enum"]
    system = sent["messages"][0]["content"]
    assert f"industry: {industry}" in system
    assert "Compliance packs in force: baseline" in system
    assert description in sent["messages"][-1]["content"]
    feedback = repair.body["messages"][-1]["content"]
    assert "reply" in feedback
    assert "validator found these problems" in feedback
    usage = ai_client.get("/api/v1/ai/usage", headers=acme_ai.auth).json()
    assert usage["calls"] == 2
    assert {r["purpose"] for r in usage["records"]} == {"generate_graph"}


def test_remaining_problems_are_returned_not_hidden(
    ai_client: TestClient, acme_ai: Tenant, fake: FakeProvider
) -> None:
    broken = unplaced(template("automotive-lead-triage"))
    broken["edges"] = broken["edges"][:-1]
    fake.queue("openai", *[Reply.json({"graph": broken, "explanation": "Try."})] * 2)
    result = ai_client.post(
        "/api/v1/ai/generate-graph",
        json={"description": "score leads", "max_repair_rounds": 1},
        headers=acme_ai.auth,
    ).json()
    assert result["rounds"] == 2
    assert any(d["severity"] == "error" for d in result["diagnostics"])
    assert "problem(s) remain after 1 repair round(s)" in result["explanation"]


def test_an_edit_returns_a_diff_and_the_conversation_carries_context(
    ai_client: TestClient, acme_ai: Tenant, fake: FakeProvider
) -> None:
    current = template("automotive-lead-triage")
    edited = copy.deepcopy(current)
    for node in edited["nodes"]:
        if node["id"] == "warm":
            node["config"]["fields"][1]["value"] = "Call within 24 hours"
    fake.queue(
        "openai",
        Reply.json({"graph": edited, "explanation": "Warm leads are now called within a day."}),
        Reply.json({"graph": edited, "explanation": "Nothing else to change."}),
    )
    first = ai_client.post(
        "/api/v1/ai/generate-graph",
        json={"description": "Call warm leads within 24 hours", "graph": current},
        headers=acme_ai.auth,
    ).json()
    assert first["diff"]["nodes"] == [
        {"node": "warm", "change": "changed", "fields": ["config.fields[1].value"]}
    ]
    assert first["graph"]["id"] == current["id"]
    conversation_id = first["conversation_id"]
    second = ai_client.post(
        "/api/v1/ai/generate-graph",
        json={"description": "Anything else?", "graph": edited, "conversation_id": conversation_id},
        headers=acme_ai.auth,
    ).json()
    assert second["conversation_id"] == conversation_id
    assert second["diff"]["nodes"] == []
    history = [m["content"] for m in fake.of("openai")[1].body["messages"][1:-1]]
    assert history == ["Call warm leads within 24 hours", "Warm leads are now called within a day."]
    saved = ai_client.get(
        f"/api/v1/ai/conversations/{conversation_id}", headers=acme_ai.auth
    ).json()
    assert [t["role"] for t in saved["turns"]] == ["user", "assistant", "user", "assistant"]
    assert saved["turns"][1]["graph"]["id"] == current["id"]
    assert saved["title"] == "Call warm leads within 24 hours"


def test_conversations_belong_to_one_user(
    ai_client: TestClient, acme_ai: Tenant, aws: Any, fake: FakeProvider
) -> None:
    echo = json.loads((TEMPLATES.parent / "examples" / "http-echo.graph.json").read_text())
    fake.queue("openai", Reply.json({"graph": echo, "explanation": "An echo."}))
    made = ai_client.post(
        "/api/v1/ai/generate-graph", json={"description": "echo"}, headers=acme_ai.auth
    ).json()
    conversation = f"/api/v1/ai/conversations/{made['conversation_id']}"
    assert ai_client.get(conversation, headers=acme_ai.auth).status_code == 200
    Directory(aws, "auterity").tenant("acme").create_user("bob@example.com", PASSWORD, "editor")
    bob = ai_client.post(
        "/api/v1/auth/login",
        json={"tenant": "acme", "email": "bob@example.com", "password": PASSWORD},
    ).json()["token"]
    as_bob = {"Authorization": f"Bearer {bob}"}
    assert ai_client.get(conversation, headers=as_bob).status_code == 404
    assert ai_client.get("/api/v1/ai/conversations", headers=as_bob).json() == []
    assert ai_client.delete(conversation, headers=as_bob).status_code == 404
    listed = ai_client.get("/api/v1/ai/conversations", headers=acme_ai.auth).json()
    assert [c["conversation_id"] for c in listed] == [made["conversation_id"]]
    assert ai_client.delete(conversation, headers=acme_ai.auth).status_code == 204
    assert ai_client.get(conversation, headers=acme_ai.auth).status_code == 404


# -- without a provider --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("industry", "description", "expected"),
    [
        ("automotive", "When a dealership lead arrives, text hot leads to sales", "automotive"),
        ("healthcare", "Summarize patient messages for the chart", "healthcare"),
        ("finance", "Check loan applications against the applicant's income", "finance"),
        ("manufacturing", "Page maintenance when a machine stops the line", "manufacturing"),
        ("general", "Draft replies to customer support emails", "general"),
    ],
)
def test_without_a_provider_the_closest_template_is_returned_and_said_so(
    client: TestClient, acme: Tenant, industry: str, description: str, expected: str
) -> None:
    answered = client.post(
        "/api/v1/ai/generate-graph",
        json={"description": description, "industry": industry},
        headers=acme.auth,
    )
    assert answered.status_code == 200, answered.text
    result = answered.json()
    assert result["source"] == "template"
    assert result["template"].startswith(expected)
    assert result["diagnostics"] == []
    assert result["explanation"].startswith("No AI provider is configured")
    assert result["graph"]["metadata"]["industry"] == expected


def test_generating_needs_the_editor_role(client: TestClient, acme: Tenant, aws: Any) -> None:
    Directory(aws, "auterity").tenant("acme").create_user("vic@example.com", PASSWORD, "viewer")
    token = client.post(
        "/api/v1/auth/login",
        json={"tenant": "acme", "email": "vic@example.com", "password": PASSWORD},
    ).json()["token"]
    refused = client.post(
        "/api/v1/ai/generate-graph",
        json={"description": "anything"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert refused.status_code == 403


def test_a_repeated_delivery_with_an_idempotency_key_is_billed_once(
    ai_client: TestClient, acme_ai: Tenant, fake: FakeProvider
) -> None:
    deploy(ai_client, acme_ai, template("automotive-lead-triage"), "leads")
    fake.queue("openai", Reply.json(EXTRACTED), Reply.json({"label": "hot", "reason": "r"}))
    headers = {**acme_ai.key, "Idempotency-Key": "lead-42"}
    first = ai_client.post("/t/acme/leads", json=LEAD, headers=headers)
    second = ai_client.post("/t/acme/leads", json=LEAD, headers=headers)
    assert first.status_code == second.status_code == 200, first.text
    assert first.json() == second.json()
    assert fake.count("openai") == 2
    assert ai_client.get("/api/v1/ai/usage", headers=acme_ai.auth).json()["calls"] == 2


# -- issue 14: every proposal passes the tenant's own packs ----------------------------------

LEAD_ASK = "When a lead arrives by webhook, score it and text hot leads"
REDACT_ASK = "redact the personal data before the AI nodes"


def _automotive(client: TestClient, aws: Any) -> Tenant:
    """A dealership workspace: its industry preset puts PCI and GDPR in force."""
    directory = Directory(aws, "auterity")
    directory.create_tenant("motors", "Motors", "automotive")
    directory.tenant("motors").create_user("admin@example.com", PASSWORD, "admin")
    login = client.post(
        "/api/v1/auth/login",
        json={"tenant": "motors", "email": "admin@example.com", "password": PASSWORD},
    )
    assert login.status_code == 200, login.text
    return Tenant("motors", login.json()["token"], "")


def test_without_a_provider_the_lead_template_is_fixed_to_pass_the_tenants_packs(
    client: TestClient, aws: Any
) -> None:
    motors = _automotive(client, aws)
    answered = client.post(
        "/api/v1/ai/generate-graph", json={"description": LEAD_ASK}, headers=motors.auth
    )
    assert answered.status_code == 200, answered.text
    result = answered.json()
    assert (result["source"], result["template"]) == ("template", "automotive-lead-triage")
    assert result["diagnostics"] == []  # the bundled template alone fails GDPR twice
    explanation = result["explanation"]
    assert "added a Redact node before 'Extract lead details' for GDPR" in explanation
    assert "made 'Hot, warm or cold?' read the redacted data (text) for GDPR" in explanation
    graph = result["graph"]
    assert "compliance.redact" in {n["type"] for n in graph["nodes"]}
    checked = client.post("/api/v1/validate?packs=tenant", json=graph, headers=motors.auth)
    assert checked.json() == {"valid": True, "diagnostics": []}
    saved = client.post("/api/v1/graphs", json={"graph": graph}, headers=motors.auth)
    assert saved.status_code == 201, saved.text
    deployed = client.post(
        "/api/v1/deployments",
        json={"slug": "leads", "graph_id": graph["id"]},
        headers=motors.auth,
    )
    assert deployed.status_code == 201, deployed.text


def test_without_a_provider_a_redaction_follow_up_applies_the_fix_and_others_say_no(
    client: TestClient, aws: Any
) -> None:
    motors = _automotive(client, aws)
    canvas = template("automotive-lead-triage")  # as the issue had it: the unfixed template
    fixed = client.post(
        "/api/v1/ai/generate-graph",
        json={"description": REDACT_ASK, "graph": canvas},
        headers=motors.auth,
    ).json()
    assert fixed["diagnostics"] == []
    assert fixed["graph"]["id"] == canvas["id"]
    changes = {(c["node"], c["change"]) for c in fixed["diff"]["nodes"]}
    assert ("classify", "changed") in changes
    assert any(change == "added" for _, change in changes)
    assert "applied the compliance auto-fix" in fixed["explanation"]
    assert "added a Redact node before 'Extract lead details'" in fixed["explanation"]

    other = client.post(
        "/api/v1/ai/generate-graph",
        json={
            "description": "call hot leads instead of texting them",
            "graph": fixed["graph"],
            "conversation_id": fixed["conversation_id"],
        },
        headers=motors.auth,
    ).json()
    assert "could not make this change" in other["explanation"]
    assert other["diff"]["nodes"] == []
    assert other["graph"] == fixed["graph"]


def test_a_redaction_follow_up_redacts_even_with_a_dpa_on_file(
    client: TestClient, aws: Any
) -> None:
    """The user asked: a signed DPA makes the packs pass, but the request still holds."""
    motors = _automotive(client, aws)
    settings = client.get("/api/v1/settings", headers=motors.auth).json()
    settings["dpa_providers"] = ["openai"]
    settings["ai"]["allowed_providers"] = ["openai"]
    assert client.put("/api/v1/settings", json=settings, headers=motors.auth).status_code == 200
    canvas = template("automotive-lead-triage")
    fixed = client.post(
        "/api/v1/ai/generate-graph",
        json={"description": REDACT_ASK, "graph": canvas},
        headers=motors.auth,
    ).json()
    assert fixed["diagnostics"] == []
    assert sum(n["type"] == "compliance.redact" for n in fixed["graph"]["nodes"]) >= 1
    assert "added a Redact node before 'Extract lead details'" in fixed["explanation"]
