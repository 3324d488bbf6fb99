"""Every route that changes what an endpoint runs passes the deploy gate (issue 13, item 2).

The gate is compliance packs (with the graph's waivers) and SOC2 approval of exactly the bundle
that would run. Deploy always held it; these tests aim the other routes at a version deploy
refused: a rollback, an erasure that rewrites the served version, an import, ``make run``'s
seeding. Each must refuse with deploy's 422 (same code, rule and node) and leave the endpoint
serving what it served before.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from runtime.ai.config import AiConfig
from runtime.local.llm import FakeProvider
from runtime.local.stack import deploy_examples
from runtime.service.aws_deploy import AwsDeployer
from runtime.service.config import ServiceConfig
from runtime.service.gate import gate_of, pass_gate
from runtime.store import Directory, InvalidInput, TenantStore, codec, create_table
from runtime.store.deployments import DeploymentOps
from runtime.store.gatepass import GatePassed, claim_issuer
from runtime.store.transfer import TransferOps
from tests.service.attacks.test_cross_tenant import MATRIX, Ctx, _send, app_routes
from tests.service.conftest import Tenant, approve, example

ROOT = Path(__file__).resolve().parents[3]
GRAPH_ID = "patient-intake"
SLUG = "intake"
RULE = "GDPR-PII-LLM-DPA"
BODY = {"patient": {"name": "Ada Lovelace"}, "visit": {"reason": "refill"}}


@pytest.fixture
def config(fake_server: FakeProvider) -> ServiceConfig:
    """The service's models are the local fake provider (never a real one)."""
    fake_server.reset()
    return ServiceConfig(
        token_secret="t" * 48, max_run_seconds=30, ai=AiConfig(providers=fake_server.providers())
    )


def intake(version: int, *, personal: bool) -> dict[str, Any]:
    """The intake graph; with ``personal`` its form fields are personal data sent to the model.

    Its reply names ``version``, so the endpoint's answer shows which version it ran.
    """
    graph = copy.deepcopy(example("patient-intake"))
    trigger = graph["nodes"][0]
    for spec in trigger["config"]["fields"]:
        spec["classes"] = ["PII"] if personal else []
    reply = next(n for n in graph["nodes"] if n["id"] == "reply")
    reply["config"]["body"] = {"summary": "{{ input.summary }}", "served": f"v{version}"}
    return graph


def gdpr_tenant(client: TestClient, tenant: Tenant) -> Tenant:
    """The tenant checks the GDPR pack and has signed no DPA with any model provider."""
    settings = client.get("/api/v1/settings", headers=tenant.auth).json()
    settings["compliance_packs"] = ["gdpr"]
    settings["dpa_providers"] = []
    assert client.put("/api/v1/settings", json=settings, headers=tenant.auth).status_code == 200
    return tenant


def save(client: TestClient, tenant: Tenant, version: int, *, personal: bool) -> None:
    graph = intake(version, personal=personal)
    if version == 1:
        answer = client.post("/api/v1/graphs", json={"graph": graph}, headers=tenant.auth)
    else:
        body = {"graph": graph, "base_version": version - 1}
        answer = client.put(f"/api/v1/graphs/{GRAPH_ID}", json=body, headers=tenant.auth)
    assert answer.is_success, answer.text


def deploy(client: TestClient, tenant: Tenant, version: int) -> Any:
    body = {"slug": SLUG, "graph_id": GRAPH_ID, "version": version}
    return client.post("/api/v1/deployments", json=body, headers=tenant.auth)


def served(client: TestClient, tenant: Tenant) -> str:
    """Which version the endpoint runs, from its own answer."""
    answer = client.post(f"/t/{tenant.id}/{SLUG}", json=BODY, headers=tenant.key)
    assert answer.status_code == 200, answer.text
    version: str = answer.json()["served"]
    return version


def assert_refused_for_gdpr(answer: Any) -> None:
    """Deploy's refusal, word for word: the code, the rule and the node it is at."""
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "compliance_violation"
    assert error["rules"] == [RULE]
    assert error["message"].startswith(f"{RULE} at node 'summary'")


@pytest.fixture
def refused_v2_live_v3(client: TestClient, acme: Tenant) -> Tenant:
    """The issue's setup: v2 refused by deploy for the GDPR finding, v3 deployed and serving."""
    tenant = gdpr_tenant(client, acme)
    save(client, tenant, 1, personal=False)
    save(client, tenant, 2, personal=True)
    save(client, tenant, 3, personal=False)
    assert_refused_for_gdpr(deploy(client, tenant, 2))
    deployed = deploy(client, tenant, 3)
    assert deployed.status_code == 201, deployed.text
    assert served(client, tenant) == "v3"
    return tenant


def test_a_rollback_to_a_version_deploy_refused_is_refused_the_same_way(
    client: TestClient, aws: Any, refused_v2_live_v3: Tenant
) -> None:
    tenant = refused_v2_live_v3
    store = Directory(aws, "auterity").tenant(tenant.id)
    before = store.get_deployment(SLUG)

    rolled = client.post(
        f"/api/v1/deployments/{SLUG}/rollback", json={"version": 2}, headers=tenant.auth
    )

    assert_refused_for_gdpr(rolled)
    assert store.get_deployment(SLUG) == before  # nothing half-written
    assert served(client, tenant) == "v3"
    # A version that passes still rolls back.
    ok = client.post(
        f"/api/v1/deployments/{SLUG}/rollback", json={"version": 1}, headers=tenant.auth
    )
    assert ok.status_code == 200, ok.text
    assert served(client, tenant) == "v1"


def test_a_rollback_aimed_at_an_unapproved_bundle_is_refused_under_soc2(
    client: TestClient, aws: Any, acme: Tenant
) -> None:
    """The SOC2 half of the gate on rollback: v1 was never approved, so it cannot go back live."""
    settings = client.get("/api/v1/settings", headers=acme.auth).json()
    settings["compliance_packs"] = ["soc2"]
    assert client.put("/api/v1/settings", json=settings, headers=acme.auth).status_code == 200
    save(client, acme, 1, personal=False)
    save(client, acme, 2, personal=False)
    approve(client, aws, acme, GRAPH_ID, 2)
    assert deploy(client, acme, 2).status_code == 201

    rolled = client.post(
        f"/api/v1/deployments/{SLUG}/rollback", json={"version": 1}, headers=acme.auth
    )

    assert rolled.status_code == 422, rolled.text
    assert rolled.json()["error"]["code"] == "approval_required"
    assert rolled.json()["error"]["rules"] == ["SOC2-DEPLOY-APPROVAL"]
    assert served(client, acme) == "v2"


def test_an_erasure_that_makes_the_served_version_fail_the_gate_takes_it_down(
    client: TestClient, aws: Any, acme: Tenant
) -> None:
    """Erasure rewrites the served version in place; under SOC2 its bundle is no longer the
    approved one, so it is not served unchecked (nor is the old text kept): it is taken down."""
    subject = "ada.subject@example.org"
    settings = client.get("/api/v1/settings", headers=acme.auth).json()
    settings["compliance_packs"] = ["soc2"]
    assert client.put("/api/v1/settings", json=settings, headers=acme.auth).status_code == 200
    graph = intake(1, personal=False)
    reply = next(n for n in graph["nodes"] if n["id"] == "reply")
    reply["config"]["body"]["contact"] = subject  # in the code the endpoint runs
    assert client.post("/api/v1/graphs", json={"graph": graph}, headers=acme.auth).is_success
    approve(client, aws, acme, GRAPH_ID, 1)
    assert deploy(client, acme, 1).status_code == 201
    assert served(client, acme) == "v1"

    erased = client.post("/api/v1/gdpr/erase", json={"subject": subject}, headers=acme.auth)

    assert erased.status_code == 200, erased.text
    assert erased.json()["undeployed"] == [SLUG]
    store = Directory(aws, "auterity").tenant(acme.id)
    assert store.list_deployments() == []
    answer = client.post(f"/t/{acme.id}/{SLUG}", json=BODY, headers=acme.key)
    assert answer.status_code == 404
    down, done = [e for e in store.iter_audit() if e.action == "deployment.undeploy"]
    assert (down.outcome, done.outcome) == ("attempted", "succeeded")
    assert down.details["reason"] == "gdpr.erase"
    assert down.details["gate"].startswith("SOC2-DEPLOY-APPROVAL: the bundle of")


def test_an_import_never_makes_a_version_live_that_fails_the_gate(
    client: TestClient, aws: Any, acme: Tenant
) -> None:
    """An export whose deployment serves v2 (deployed before the tenant turned GDPR on),
    imported into a table where the tenant checks GDPR: everything but that deployment."""
    settings = client.get("/api/v1/settings", headers=acme.auth).json()
    settings["compliance_packs"] = []
    assert client.put("/api/v1/settings", json=settings, headers=acme.auth).status_code == 200
    save(client, acme, 1, personal=False)
    save(client, acme, 2, personal=True)
    assert deploy(client, acme, 2).status_code == 201  # no packs yet: it passes
    source = Directory(aws, "auterity").tenant(acme.id)
    lines = []
    for line in source.export_lines():
        fields = codec.from_item(codec.from_line(line))
        if fields["SK"] == "SETTINGS":
            fields["compliance_packs"] = ["gdpr"]
            line = codec.to_line(codec.to_item(fields))
        lines.append(line)
    create_table(aws, "restored")
    target = TenantStore(aws, acme.id, "restored")

    with pytest.raises(InvalidInput) as refused:
        target.import_lines(lines, gate_of(target))

    assert f"deployment '{SLUG}' ({GRAPH_ID} v2): {RULE} at node 'summary'" in str(refused.value)
    assert target.list_deployments() == []
    assert target.get_graph(GRAPH_ID, 2).hash == source.get_graph(GRAPH_ID, 2).hash
    assert target.compliance_packs() == ("gdpr",)


def test_make_run_seeding_deploys_only_what_passes_the_gate(aws: Any) -> None:
    """``make run`` saves and deploys the examples into ``demo``; a tenant checking HIPAA
    gets the patient-intake example saved but not served (PHI reaches a model, no BAA)."""
    directory = Directory(aws, "auterity")
    directory.create_tenant("demo", "Demo")
    store = directory.tenant("demo")
    settings = store.get_settings()
    store.update_settings(settings.model_copy(update={"compliance_packs": ["hipaa"]}))

    slugs = deploy_examples(store)

    assert "patient-intake" not in slugs
    assert "lead-scoring" in slugs
    assert store.get_graph("patient-intake").version == 1
    assert {d.slug for d in store.list_deployments()} == set(slugs)


def test_only_the_gate_issues_gate_passes() -> None:
    """The seal: evidence cannot be made by hand, and the issuer is the gate's alone."""
    plan_and_graph: dict[str, Any] = {"plan": None, "graph": None, "details": {}}
    with pytest.raises(TypeError):
        GatePassed("acme", "g", 1, "h", "b", **plan_and_graph, seal=object())
    with pytest.raises(RuntimeError):
        claim_issuer()
    claimers = [
        path
        for package in ("runtime", "compliance", "nodes", "whitelabel", "builder", "infra")
        for path in (ROOT / package).rglob("*.py")
        if "claim_issuer(" in path.read_text() and path.name != "gatepass.py"
    ]
    assert claimers == [ROOT / "runtime" / "service" / "gate.py"]


# --- every route, from the app ---------------------------------------------------------------

GOES_LIVE: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/v1/deployments"): {"slug": SLUG, "graph_id": GRAPH_ID, "version": 2},
    ("POST", "/api/v1/deployments/{slug}/rollback"): {"version": 2},
    # Rewrites versions in place; what it leaves served passes the gate again (or goes down).
    ("POST", "/api/v1/gdpr/erase"): {"subject": "ada.subject@example.org"},
}
"""Every route that may change what an endpoint runs, with a request aimed at refused v2."""

A_IDS = {
    "tenant": "acme",
    "graph_id": GRAPH_ID,
    "version": "2",
    "slug": SLUG,
    "run_id": "0" * 32,
    "key_id": "0" * 12,
    "conversation_id": "f" * 32,
    "job_id": "b" * 32,
    "kind": "logo",
    "file_name": "logo-0000000000000000.svg",
    "rule_id": "SOC2-ERROR-PATH",
    "node": "score",
    "action": "approve",
}


def _spy(reached: set[tuple[str, str]], route: list[tuple[str, str]], original: Any) -> Any:
    """The real method, noting which route reached it (nothing is replaced)."""

    def spied(*args: Any, **kwargs: Any) -> Any:
        reached.add(route[0])
        return original(*args, **kwargs)

    return spied


ENDS_SESSION = frozenset({"/api/v1/auth/logout", "/api/v1/auth/password"})
"""Routes after which the admin's token no longer works (issue 13, item 3)."""


def _order(key: tuple[str, str]) -> tuple[bool, bool, str, str]:
    # Deletes near the end (they end what there is to check); what ends the session last.
    return (key[1] in ENDS_SESSION, key[0] == "DELETE", key[1], key[0])


def test_every_route_that_changes_what_runs_passes_the_gate(
    client: TestClient, aws: Any, refused_v2_live_v3: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each route of the app, called by A's own admin at A's refused v2 (``GOES_LIVE`` rows) or
    as the cross-tenant matrix calls it: afterwards every deployment still passes the gate, and
    only declared routes reach a write that makes something live."""
    tenant = refused_v2_live_v3
    store = Directory(aws, "auterity").tenant(tenant.id)
    reached: set[tuple[str, str]] = set()
    route: list[tuple[str, str]] = [("", "")]
    for owner, name in (
        (DeploymentOps, "deploy"),
        (DeploymentOps, "rollback"),
        (DeploymentOps, "undeploy"),
        (TransferOps, "import_lines"),
        (AwsDeployer, "deploy"),
    ):
        monkeypatch.setattr(owner, name, _spy(reached, route, getattr(owner, name)))
    # The spies see a route that makes something live (or the check below would prove nothing).
    route[0] = ("POST", "/api/v1/deployments")
    control = {"slug": "control", "graph_id": GRAPH_ID, "version": 1}
    assert client.post("/api/v1/deployments", json=control, headers=tenant.auth).is_success
    assert reached == {route[0]}
    reached.clear()
    served_routes = app_routes(client.app)  # type: ignore[arg-type]
    assert GOES_LIVE.keys() <= served_routes, "GOES_LIVE names routes the app does not serve"
    ctx = Ctx(client, tenant, tenant.auth, A_IDS)
    problems: list[str] = []
    for key in sorted(served_routes, key=_order):
        method, template = key
        route[0] = key
        if key in GOES_LIVE:
            path = template.replace("{slug}", SLUG)
            answer = client.request(method, path, json=GOES_LIVE[key], headers=tenant.auth)
            if "deployments" in template:
                assert_refused_for_gdpr(answer)
        else:
            _send(ctx, method, template, MATRIX[key])
        for deployment in store.list_deployments():
            try:
                pass_gate(store, deployment.graph_id, deployment.version)
            except Exception as exc:  # any refusal is the finding
                where = f"{method} {template} left {deployment.slug}"
                problems.append(f"{where} serving a version the gate refuses: {exc}")
    undeclared = sorted(reached - GOES_LIVE.keys() - {("DELETE", "/api/v1/deployments/{slug}")})
    assert not undeclared, f"routes that change what runs, not in GOES_LIVE: {undeclared}"
    assert not problems, "\n".join(problems)


def test_the_cli_erasure_takes_down_what_no_longer_passes_the_gate(
    client: TestClient, aws: Any, acme: Tenant
) -> None:
    """``auterity gdpr erase`` rewrites versions as the API does, so it re-gates the same way."""
    from typer.testing import CliRunner

    from runtime.cli.store import gdpr_app

    subject = "ada.subject@example.org"
    settings = client.get("/api/v1/settings", headers=acme.auth).json()
    settings["compliance_packs"] = ["soc2"]
    assert client.put("/api/v1/settings", json=settings, headers=acme.auth).status_code == 200
    graph = intake(1, personal=False)
    reply = next(n for n in graph["nodes"] if n["id"] == "reply")
    reply["config"]["body"]["contact"] = subject
    assert client.post("/api/v1/graphs", json={"graph": graph}, headers=acme.auth).is_success
    approve(client, aws, acme, GRAPH_ID, 1)
    assert deploy(client, acme, 1).status_code == 201

    result = CliRunner().invoke(gdpr_app, ["erase", subject, "--tenant", acme.id])

    assert result.exit_code == 0, result.output
    assert f"deployment '{SLUG}' was taken down" in result.output
    store = Directory(aws, "auterity").tenant(acme.id)
    assert store.list_deployments() == []
    down = [e for e in store.iter_audit() if e.action == "deployment.undeploy"]
    assert down
    assert down[-1].details["reason"] == "gdpr.erase"
