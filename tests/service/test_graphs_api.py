from __future__ import annotations

from typing import Any, cast

from fastapi.testclient import TestClient

from tests.service.conftest import Tenant, example


def _create(client: TestClient, tenant: Tenant, name: str = "lead-scoring") -> dict[str, Any]:
    response = client.post(
        "/api/v1/graphs", json={"graph": example(name), "message": "first"}, headers=tenant.auth
    )
    assert response.status_code == 201, response.text
    return cast(dict[str, Any], response.json())


def test_create_get_list_and_version_history(client: TestClient, acme: Tenant) -> None:
    created = _create(client, acme)
    assert created["version"]["version"] == 1
    assert created["diagnostics"] == []
    got = client.get("/api/v1/graphs/lead_scoring", headers=acme.auth).json()
    assert got["graph"]["name"] == "Dealership lead scoring"
    listed = client.get("/api/v1/graphs", headers=acme.auth).json()
    assert [g["graph_id"] for g in listed] == ["lead_scoring"]


def test_saving_on_a_stale_version_is_a_conflict_and_loses_nothing(
    client: TestClient, acme: Tenant
) -> None:
    _create(client, acme)
    graph = example("lead-scoring")
    graph["name"] = "Second"
    first = client.put(
        "/api/v1/graphs/lead_scoring", json={"graph": graph, "base_version": 1}, headers=acme.auth
    )
    assert first.status_code == 200
    assert first.json()["version"]["version"] == 2
    graph["name"] = "Stale"
    stale = client.put(
        "/api/v1/graphs/lead_scoring", json={"graph": graph, "base_version": 1}, headers=acme.auth
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["current_version"] == 2
    head = client.get("/api/v1/graphs/lead_scoring", headers=acme.auth).json()
    assert head["graph"]["name"] == "Second"
    versions = client.get("/api/v1/graphs/lead_scoring/versions", headers=acme.auth).json()
    assert [v["version"] for v in versions] == [2, 1]
    diff = client.get("/api/v1/graphs/lead_scoring/diff?from=1&to=2", headers=acme.auth).json()
    assert diff["changed"] == ["name"]


def test_bad_input_names_the_field(client: TestClient, acme: Tenant) -> None:
    graph = example("lead-scoring")
    graph["nodes"][0]["id"] = "1 bad id"
    response = client.post("/api/v1/graphs", json={"graph": graph}, headers=acme.auth)
    assert response.status_code == 422
    assert "graph.nodes.0.id" in response.json()["error"]["message"]
    mismatch = client.put(
        "/api/v1/graphs/other",
        json={"graph": example("lead-scoring"), "base_version": 1},
        headers=acme.auth,
    )
    assert mismatch.status_code == 422
    assert "graph.id" in mismatch.json()["error"]["message"]


def test_unknown_graph_is_404(client: TestClient, acme: Tenant) -> None:
    assert client.get("/api/v1/graphs/nope", headers=acme.auth).status_code == 404
    assert client.delete("/api/v1/graphs/nope", headers=acme.auth).status_code == 404


def test_validate_and_compile(client: TestClient, acme: Tenant) -> None:
    graph = example("lead-scoring")
    graph["edges"] = graph["edges"][:-1]  # the respond node loses its input
    draft = client.post("/api/v1/validate", json=graph, headers=acme.auth).json()
    assert draft["valid"] is False
    assert {d["code"] for d in draft["diagnostics"]} >= {"port.missing_input"}
    client.post("/api/v1/graphs", json={"graph": graph}, headers=acme.auth)
    refused = client.post("/api/v1/graphs/lead_scoring/compile", headers=acme.auth)
    assert refused.status_code == 422
    assert refused.json()["error"]["diagnostics"][0]["node"] == "reply"
    _create(client, acme, "foreach-fanout")
    compiled = client.post("/api/v1/graphs/foreach_fanout/compile", headers=acme.auth).json()
    assert compiled["steps"] == 4
    assert len(compiled["bundle_sha256"]) == 64


def test_test_run_is_recorded_with_its_trace(client: TestClient, acme: Tenant) -> None:
    _create(client, acme, "foreach-fanout")
    run = client.post(
        "/api/v1/graphs/foreach_fanout/run", json={"input": None}, headers=acme.auth
    ).json()
    assert run["status"] == "succeeded"
    assert run["output"]["total"] == 167.0
    assert {t["node"] for t in run["trace"]} == {"start", "each_line", "price", "summary"}
    runs = client.get("/api/v1/runs?graph_id=foreach_fanout", headers=acme.auth).json()
    assert [r["run_id"] for r in runs] == [run["run_id"]]
    assert client.get(f"/api/v1/runs/{run['run_id']}", headers=acme.auth).json() == run


def test_viewers_cannot_edit(client: TestClient, acme: Tenant, aws: Any) -> None:
    from runtime.store import Directory

    Directory(aws, "auterity").tenant("acme").create_user(
        "v@example.com", "viewer passphrase 9", "viewer"
    )
    token = client.post(
        "/api/v1/auth/login",
        json={"tenant": "acme", "email": "v@example.com", "password": "viewer passphrase 9"},
    ).json()["token"]
    response = client.post(
        "/api/v1/graphs",
        json={"graph": example("http-echo")},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 403
    assert "editor" in response.json()["error"]["message"]


def test_compile_to_asl_returns_the_machine_its_type_and_why(
    client: TestClient, acme: Tenant
) -> None:
    _create(client, acme, "foreach-fanout")
    url = "/api/v1/graphs/foreach_fanout/compile"
    chosen = client.post(f"{url}?target=asl", headers=acme.auth)
    assert chosen.status_code == 200, chosen.text
    body = chosen.json()
    assert (body["target"], body["workflow_type"]) == ("asl", "EXPRESS")
    assert body["reasons"]
    assert body["definition"]["StartAt"] == "Run: start"
    assert "each_line" in body["definition"]["States"]
    again = client.post(f"{url}?target=asl", headers=acme.auth).json()
    assert again["definition"] == body["definition"]
    standard = client.post(f"{url}?target=asl&type=standard", headers=acme.auth).json()
    assert standard["workflow_type"] == "STANDARD"
    assert standard["reasons"][0].startswith("STANDARD was requested")
    assert standard["distributed_above"]["each_line"] > 0
    audited = client.post(f"{url}?target=asl&exactly_once=true", headers=acme.auth).json()
    assert audited["workflow_type"] == "STANDARD"
    bundle = client.post(url, headers=acme.auth).json()
    assert bundle["steps"] == 4  # the default target is unchanged
    mixed = client.post(f"{url}?type=express", headers=acme.auth)
    assert mixed.status_code == 422
    assert "target=asl" in mixed.json()["error"]["message"]


def test_compile_to_asl_refuses_an_invalid_graph_naming_the_node(
    client: TestClient, acme: Tenant
) -> None:
    graph = example("lead-scoring")
    graph["edges"] = graph["edges"][:-1]  # the respond node loses its input
    client.post("/api/v1/graphs", json={"graph": graph}, headers=acme.auth)
    refused = client.post("/api/v1/graphs/lead_scoring/compile?target=asl", headers=acme.auth)
    assert refused.status_code == 422
    assert refused.json()["error"]["diagnostics"][0]["node"] == "reply"
    unknown = client.post("/api/v1/graphs/lead_scoring/compile?target=zip", headers=acme.auth)
    assert unknown.status_code == 422
