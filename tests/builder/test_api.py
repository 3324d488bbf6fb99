"""The builder's API client against the real service app (over moto), through ASGI.

What a page relies on: the service's models come back parsed, and every error answer keeps
its status, code and message (a save conflict its current version, a refused deploy its
diagnostics), so the page can show the service's own words.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]  # boto3 ships no types
import httpx
import pytest
from moto import mock_aws

from builder.client.api import Api, ServiceError, error_from
from runtime.core.graph import Graph, Node
from runtime.service.app import create_app
from runtime.service.config import ServiceConfig
from runtime.service.idempotency import create_idempotency_table
from runtime.store import Directory, create_table

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PASSWORD = "correct horse battery"
BASE = "http://service.test"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_table(client, "auterity")
        create_idempotency_table(client, "auterity-idempotency")
        directory = Directory(client, "auterity")
        for tenant in ("acme", "globex"):
            directory.create_tenant(tenant, tenant.title())
            store = directory.tenant(tenant)
            store.create_user("admin@example.com", PASSWORD, "admin")
            store.create_user("viewer@example.com", PASSWORD, "viewer")
        yield client


@pytest.fixture
def transport(aws: Any) -> httpx.ASGITransport:
    app = create_app(ServiceConfig(token_secret="t" * 48, public_base_url=BASE), aws)
    return httpx.ASGITransport(app=app)


async def _login(transport: httpx.ASGITransport, tenant: str = "acme", who: str = "admin") -> Api:
    anonymous = Api(base_url=BASE, transport=transport)
    session = await anonymous.login(tenant, f"{who}@example.com", PASSWORD)
    return Api(session.token, base_url=BASE, transport=transport)


@pytest.fixture
async def api(transport: httpx.ASGITransport) -> Api:
    return await _login(transport)


def _example(name: str) -> Graph:
    return Graph.model_validate(json.loads((EXAMPLES / f"{name}.graph.json").read_text()))


async def test_login_and_me(api: Api) -> None:
    me = await api.me()
    assert (me.tenant, me.tenant_name, me.actor, me.role) == (
        "acme",
        "Acme",
        "user:admin@example.com",
        "admin",
    )
    assert me.industry == "general"  # the settings page ticks this industry's preset packs


async def test_wrong_password_is_a_401_with_the_service_message(
    transport: httpx.ASGITransport,
) -> None:
    with pytest.raises(ServiceError) as caught:
        await Api(base_url=BASE, transport=transport).login("acme", "admin@example.com", "nope")
    assert caught.value.status == 401
    assert caught.value.unauthorized
    assert caught.value.code == "unauthorized"
    assert "wrong tenant, email or password" in caught.value.message


async def test_a_bad_token_is_unauthorized(transport: httpx.ASGITransport) -> None:
    with pytest.raises(ServiceError) as caught:
        await Api("not-a-token", base_url=BASE, transport=transport).list_graphs()
    assert caught.value.unauthorized


async def test_logout_ends_the_session_on_the_service(api: Api) -> None:
    await api.logout()
    with pytest.raises(ServiceError) as caught:
        await api.me()
    assert caught.value.unauthorized


async def test_graph_lifecycle_versions_and_diff(api: Api) -> None:
    assert await api.list_graphs() == []
    created = await api.create_graph(Graph(id="g1", name="First"), "Created")
    assert created.version.version == 1
    graph = created.version.graph.model_copy(
        update={"nodes": [Node(id="hook", type="trigger.webhook")]}
    )
    saved = await api.save_graph(graph, base_version=1, message="add the trigger")
    assert saved.version.version == 2
    heads = await api.list_graphs()
    assert [(h.graph_id, h.name, h.version) for h in heads] == [("g1", "First", 2)]
    versions = await api.list_versions("g1")
    assert [(v.version, v.message) for v in versions] == [(2, "add the trigger"), (1, "Created")]
    diff = await api.diff("g1", 1, 2)
    assert [(c.node, c.change) for c in diff.nodes] == [("hook", "added")]
    old = await api.get_graph("g1", version=1)
    assert old.graph.nodes == []
    await api.delete_graph("g1")
    assert await api.list_graphs() == []


async def test_a_stale_save_is_a_conflict_naming_the_current_version(api: Api) -> None:
    await api.create_graph(Graph(id="g1", name="First"))
    await api.save_graph(Graph(id="g1", name="Theirs"), base_version=1)
    with pytest.raises(ServiceError) as caught:
        await api.save_graph(Graph(id="g1", name="Mine"), base_version=1)
    assert caught.value.conflict
    assert caught.value.current_version == 2
    assert (await api.get_graph("g1")).graph.name == "Theirs"


async def test_creating_an_existing_id_is_a_conflict(api: Api) -> None:
    await api.create_graph(Graph(id="g1"))
    with pytest.raises(ServiceError) as caught:
        await api.create_graph(Graph(id="g1"))
    assert caught.value.status == 409


async def test_unknown_graph_is_not_found(api: Api) -> None:
    with pytest.raises(ServiceError) as caught:
        await api.get_graph("nope")
    assert (caught.value.status, caught.value.code) == (404, "not_found")


async def test_ids_with_slashes_stay_one_path_segment(api: Api) -> None:
    with pytest.raises(ServiceError) as caught:
        await api.get_graph("../api-keys")
    assert caught.value.status == 404


async def test_deploy_rollback_and_run_history(api: Api, transport: httpx.ASGITransport) -> None:
    graph = _example("http-echo")
    await api.create_graph(graph, "v1")
    await api.save_graph(graph.model_copy(update={"name": "Echo 2"}), base_version=1)
    view = await api.deploy("echo", graph.id)
    assert view.deployment.version == 2
    assert view.url == f"{BASE}/t/acme/echo"
    key = await api.create_key("e2e", "editor")
    assert key.secret
    assert key.key.name == "e2e"
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as raw:
        answer = await raw.post(
            "/t/acme/echo", json={"hello": "world"}, headers={"X-API-Key": key.secret}
        )
    assert answer.status_code == 200
    assert answer.json()["echo"] == {"hello": "world"}
    runs = await api.list_runs(graph_id=graph.id)
    assert [r.status for r in runs] == ["succeeded"]
    run = await api.get_run(runs[0].run_id)
    assert [t["node"] for t in run.trace] == ["hook", "reply"]
    assert await api.list_runs(status="failed") == []
    rolled = await api.rollback("echo", 1)
    assert rolled.deployment.version == 1
    assert [c.action for c in rolled.deployment.history][-1] == "rollback"
    assert [d.deployment.slug for d in await api.list_deployments()] == ["echo"]


async def test_an_invalid_graph_is_refused_with_diagnostics(api: Api) -> None:
    await api.create_graph(Graph(id="broken", nodes=[Node(id="x", type="no.such.type")]))
    check = await api.validate("broken")
    assert not check.valid
    with pytest.raises(ServiceError) as caught:
        await api.deploy("broken", "broken")
    assert caught.value.status == 422
    assert caught.value.code == "graph_invalid"
    assert any(d.node == "x" for d in caught.value.diagnostics)


async def test_keys_and_settings(api: Api) -> None:
    created = await api.create_key("crm", "viewer")
    keys = await api.list_keys()
    assert [(k.name, k.role, k.revoked) for k in keys] == [("crm", "viewer", False)]
    prefix, _, suffix = keys[0].hint.partition("…")
    assert created.secret.startswith(prefix)
    assert created.secret.endswith(suffix)
    await api.revoke_key(created.key.key_id)
    assert [k.revoked for k in await api.list_keys()] == [True]
    settings = await api.get_settings()
    updated = await api.update_settings(settings.model_copy(update={"run_retention_days": 7}))
    assert updated.run_retention_days == 7


async def test_a_viewer_is_refused_with_the_services_reason(
    transport: httpx.ASGITransport,
) -> None:
    viewer = await _login(transport, who="viewer")
    with pytest.raises(ServiceError) as caught:
        await viewer.create_graph(Graph(id="g1"))
    assert caught.value.status == 403
    assert caught.value.message


async def test_tenants_are_isolated(api: Api, transport: httpx.ASGITransport) -> None:
    await api.create_graph(Graph(id="secret_graph"))
    other = await _login(transport, tenant="globex")
    assert await other.list_graphs() == []
    with pytest.raises(ServiceError) as caught:
        await other.get_graph("secret_graph")
    assert caught.value.status == 404


async def test_no_service_is_an_error_with_status_zero() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    api = Api("t", base_url="http://127.0.0.1:9", transport=httpx.MockTransport(refuse))
    with pytest.raises(ServiceError) as caught:
        await api.list_graphs()
    assert caught.value.status == 0
    assert caught.value.code == "unreachable"
    assert "127.0.0.1:9" in caught.value.message


def test_error_from_a_non_json_answer_still_says_something() -> None:
    response = httpx.Response(502, text="<html>Bad gateway</html>")
    error = error_from(response)
    assert (error.status, error.code) == (502, "error")
    assert "Bad gateway" in error.message


async def test_an_answer_of_the_wrong_shape_is_an_error() -> None:
    def odd(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"unexpected": True})

    api = Api("t", base_url=BASE, transport=httpx.MockTransport(odd))
    with pytest.raises(ServiceError) as caught:
        await api.me()
    assert caught.value.code == "bad_response"


async def test_compliance_findings_and_report_with_the_tenants_packs(api: Api) -> None:
    """HIPAA on: the saved and the draft graph get the finding at ``summary``; the report
    lists every HIPAA rule with the failed one first."""
    from builder.client.compliance_calls import TENANT_PACKS
    from builder.views.compliance_view import rule_rows, summary

    settings = await api.get_settings()
    await api.update_settings(settings.model_copy(update={"compliance_packs": ["hipaa"]}))
    graph = _example("patient-intake")
    await api.create_graph(graph)
    assert (await api.validate(graph.id)).valid
    for checked in (
        await api.validate(graph.id, packs=TENANT_PACKS),
        await api.validate_draft(graph, TENANT_PACKS),
    ):
        assert not checked.valid
        assert [(d.code, d.node) for d in checked.diagnostics] == [
            ("compliance.HIPAA-PHI-LLM-BAA", "summary")
        ]
    assert (await api.validate_draft(graph)).valid
    report = await api.compliance_report(graph.id)
    rows = rule_rows(report)
    assert (rows[0].rule, rows[0].status, rows[0].framework) == (
        "HIPAA-PHI-LLM-BAA",
        "failed",
        "HIPAA",
    )
    assert [f.node for f in rows[0].findings] == ["summary"]
    assert rows[0].findings[0].remediation
    # No node type stores data yet, so the persist rule cannot fire: it waits, it does not pass.
    *passed, waiting = rows[1:]
    assert all(r.status == "passed" and not r.findings for r in passed)
    assert (waiting.rule, waiting.status) == ("HIPAA-PHI-PERSIST-ENCRYPTED", "waiting")
    assert summary(report) == (
        f"HIPAA: 1 failed, 0 waived, {len(passed)} passed,"
        " 1 waiting for node types that could break them"
    )
    with pytest.raises(ServiceError) as missing:
        await api.compliance_report("nope")
    assert missing.value.status == 404


async def test_the_stance_comes_back_as_the_model_the_builder_checks_with(api: Api) -> None:
    settings = await api.get_settings()
    await api.update_settings(
        settings.model_copy(update={"compliance_packs": ["hipaa"], "baa_providers": ["openai"]})
    )
    graph = _example("patient-intake")
    await api.create_graph(graph)
    stance = await api.stance(graph.id)
    assert stance.packs == ["hipaa"]
    assert stance.context.baa_providers == ["openai"]
    assert stance.waivers == {}
    assert (await api.stance()).packs == ["hipaa"]
    with pytest.raises(ServiceError) as missing:
        await api.stance("nope")
    assert missing.value.status == 404


async def test_the_workflow_shows_before_and_after_deploy_and_an_override_is_checked(
    api: Api,
) -> None:
    """The deploy panel's calls: the choice and why, the override, the record."""
    graph = _example("http-echo")
    await api.create_graph(graph)
    preview = await api.workflow(graph.id, 1)
    assert (preview.type, preview.overridden) == ("EXPRESS", False)
    assert preview.reasons
    chosen = await api.workflow(graph.id, 1, "standard")
    assert (chosen.type, chosen.overridden) == ("STANDARD", True)
    view = await api.deploy("echo", graph.id, 1, "standard")
    assert view.deployment.workflow is not None
    assert (view.deployment.workflow.type, view.deployment.workflow.overridden) == (
        "STANDARD",
        True,
    )
    data = graph.model_dump(mode="json") | {"id": "waits"}
    data["nodes"].append(
        {
            "id": "pause",
            "type": "logic.delay",
            "config": {"seconds": 900},
            "position": {"x": 0, "y": 0},
        }
    )
    data["edges"] = [
        {"source": "hook", "target": "pause"},
        {"source": "pause", "target": "reply"},
    ]
    await api.create_graph(Graph.model_validate(data))
    with pytest.raises(ServiceError) as refused:
        await api.workflow("waits", 1, "express")
    assert refused.value.status == 422
    assert "workflow_type" in refused.value.message
