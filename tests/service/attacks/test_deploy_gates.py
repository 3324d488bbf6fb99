"""Every route that changes what an endpoint runs passes the deploy gate (issue 13, item 2).

The gate is compliance packs (with the graph's waivers) and SOC2 approval of exactly the bundle
that would run. Deploy always held it; these tests aim the other routes at a version deploy
refused: a rollback, an erasure that rewrites the served version, an import, ``make run``'s
seeding. Each must refuse with deploy's 422 (same code, rule and node) and leave the endpoint
serving what it served before.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fastapi.testclient import TestClient

from runtime.ai.config import AiConfig
from runtime.ai.testing import FakeProvider
from runtime.service.config import ServiceConfig
from runtime.store import Directory
from tests.service.conftest import Tenant, example

GRAPH_ID = "patient-intake"
SLUG = "intake"
RULE = "GDPR-PII-LLM-DPA"
BODY = {"patient": {"name": "Ada Lovelace"}, "visit": {"reason": "refill"}}


@pytest.fixture
def config(fake_server: FakeProvider) -> ServiceConfig:
    """The service's models are the local fake provider (never a real one)."""
    fake_server.reset()
    return ServiceConfig(
        token_secret="t" * 48, max_run_seconds=10, ai=AiConfig(providers=fake_server.providers())
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
