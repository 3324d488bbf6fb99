"""Credentials in node configs are write-only: no read route gives them back (issue 13, item 5).

An ``http.request`` node with ``Authorization: Bearer <token>`` is saved by an editor; every
route that returns a graph (or something derived from it) is then read with a viewer-role API
key and with the editor's own session, and the token must appear in none of the answers. A
save that sends the mask back unchanged keeps the token; the store still holds it, so runs use
it.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fastapi.testclient import TestClient

from runtime.engine.credentials import MASK
from runtime.store import Directory
from tests.service.conftest import Tenant

TOKEN = "sk-live-4f9a2c7e1b3d5f6a8c0e2b4d6f8a0c2e"
AWS_KEY = "AKIAIOSFODNN7EXAMPLE"
BASIC_URL = "https://deploy:hunter2pass@crm.example/api"


def secret_graph() -> dict[str, Any]:
    return {
        "id": "crm_sync",
        "name": "CRM sync",
        "nodes": [
            {"id": "start", "type": "trigger.manual", "config": {}},
            {
                "id": "call",
                "type": "http.request",
                "config": {
                    "method": "POST",
                    "url": "https://crm.example/api/leads",
                    "headers": {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"},
                    "query": {"api_key": AWS_KEY, "source": "web"},
                },
            },
        ],
        "edges": [{"source": "start", "target": "call"}],
    }


def _viewer(aws: Any) -> dict[str, str]:
    _, key = Directory(aws, "auterity").tenant("acme").create_api_key("auditor", "viewer")
    return {"X-API-Key": key}


def _save(client: TestClient, acme: Tenant, graph: dict[str, Any], base: int) -> dict[str, Any]:
    saved = client.put(
        "/api/v1/graphs/crm_sync", json={"graph": graph, "base_version": base}, headers=acme.auth
    )
    assert saved.status_code == 200, saved.text
    assert TOKEN not in saved.text
    assert AWS_KEY not in saved.text
    body: dict[str, Any] = saved.json()
    return body


def _reads(client: TestClient, headers: dict[str, str]) -> dict[str, str]:
    """Every read route that shows a stored graph or something computed from it."""
    base = "/api/v1/graphs/crm_sync"
    answers = {
        "graph": client.get(base, headers=headers),
        "graph?version=1": client.get(f"{base}?version=1", headers=headers),
        "version 1": client.get(f"{base}/versions/1", headers=headers),
        "version 2": client.get(f"{base}/versions/2", headers=headers),
        "versions": client.get(f"{base}/versions", headers=headers),
        "diff": client.get(f"{base}/diff?from=1&to=2", headers=headers),
        "validate": client.post(f"{base}/validate", headers=headers),
        "report": client.get("/api/v1/compliance/report/crm_sync", headers=headers),
        "list": client.get("/api/v1/graphs", headers=headers),
    }
    for name, response in answers.items():
        assert response.status_code == 200, (name, response.text)
    return {name: response.text for name, response in answers.items()}


def test_no_read_route_returns_a_saved_credential(
    client: TestClient, acme: Tenant, aws: Any
) -> None:
    created = client.post("/api/v1/graphs", json={"graph": secret_graph()}, headers=acme.auth)
    assert created.status_code == 201, created.text
    assert TOKEN not in created.text
    assert AWS_KEY not in created.text
    second = secret_graph()
    second["name"] = "CRM sync, renamed"
    _save(client, acme, second, base=1)
    for who, headers in (("viewer", _viewer(aws)), ("editor", acme.auth)):
        for route, text in _reads(client, headers).items():
            assert TOKEN not in text, f"{who} read the bearer token from {route}"
            assert AWS_KEY not in text, f"{who} read the api_key query value from {route}"
    got = client.get("/api/v1/graphs/crm_sync", headers=_viewer(aws)).json()
    config = got["graph"]["nodes"][1]["config"]
    assert config["headers"] == {"Authorization": MASK, "Accept": "application/json"}
    assert config["query"] == {"api_key": MASK, "source": "web"}


def test_the_mask_sent_back_keeps_the_secret_and_a_new_value_replaces_it(
    client: TestClient, acme: Tenant, aws: Any
) -> None:
    client.post("/api/v1/graphs", json={"graph": secret_graph()}, headers=acme.auth)
    read = client.get("/api/v1/graphs/crm_sync", headers=acme.auth).json()["graph"]
    read["name"] = "Edited without touching the secret"
    _save(client, acme, read, base=1)
    store = Directory(aws, "auterity").tenant("acme")
    kept = store.get_graph("crm_sync").graph.nodes[1].config
    assert kept["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert kept["query"]["api_key"] == AWS_KEY

    changed = copy.deepcopy(read)
    changed["nodes"][1]["config"]["headers"]["Authorization"] = "Bearer rotated-token-0001"
    _save(client, acme, changed, base=2)
    stored = store.get_graph("crm_sync").graph.nodes[1].config
    assert stored["headers"]["Authorization"] == "Bearer rotated-token-0001"
    assert stored["query"]["api_key"] == AWS_KEY


def test_a_mask_with_no_saved_secret_is_refused_naming_the_field(
    client: TestClient, acme: Tenant
) -> None:
    graph = secret_graph()
    graph["nodes"][1]["config"]["headers"]["Authorization"] = MASK
    refused = client.post("/api/v1/graphs", json={"graph": graph}, headers=acme.auth)
    assert refused.status_code == 422, refused.text
    message = refused.json()["error"]["message"]
    assert "call" in message
    assert "headers.Authorization" in message
    assert client.get("/api/v1/graphs/crm_sync", headers=acme.auth).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "https://attacker.example/collect",
        "https://crm.example.attacker.example/api/leads",
        "http://crm.example/api/leads",
        "https://crm.example:8443/api/leads",
        "{{ input.where }}/api/leads",
    ],
)
def test_a_kept_secret_is_not_sent_to_a_new_destination(
    client: TestClient, acme: Tenant, aws: Any, url: str
) -> None:
    """An editor may not read a secret, so keeping its mask while pointing the node at another
    host would hand it over: such a save is refused, naming the field, and nothing is stored."""
    client.post("/api/v1/graphs", json={"graph": secret_graph()}, headers=acme.auth)
    read = client.get("/api/v1/graphs/crm_sync", headers=acme.auth).json()["graph"]
    read["nodes"][1]["config"]["url"] = url
    refused = client.put(
        "/api/v1/graphs/crm_sync", json={"graph": read, "base_version": 1}, headers=acme.auth
    )
    assert refused.status_code == 422, refused.text
    message = refused.json()["error"]["message"]
    assert "nodes.call.config.headers.Authorization" in message
    assert "nodes.call.config.query.api_key" in message
    assert "another destination" in message
    versions = client.get("/api/v1/graphs/crm_sync/versions", headers=acme.auth).json()
    assert [v["version"] for v in versions] == [1]
    # A new path on the same origin keeps the secret; so does a secret typed again.
    read["nodes"][1]["config"]["url"] = "https://CRM.example/api/v2/leads?x=1"
    _save(client, acme, read, base=1)
    store = Directory(aws, "auterity").tenant("acme")
    assert store.get_graph("crm_sync").graph.nodes[1].config["headers"]["Authorization"] == (
        f"Bearer {TOKEN}"
    )
    read["nodes"][1]["config"]["url"] = url
    read["nodes"][1]["config"]["headers"]["Authorization"] = "Bearer typed-again-0001"
    read["nodes"][1]["config"]["query"]["api_key"] = "typed-again-0002"
    _save(client, acme, read, base=2)


def test_a_masked_draft_runs_with_the_saved_secret(
    client: TestClient, acme: Tenant, aws: Any
) -> None:
    """The builder's Run button sends the canvas, masks and all: the run must not send the mask."""
    client.post("/api/v1/graphs", json={"graph": secret_graph()}, headers=acme.auth)
    read = client.get("/api/v1/graphs/crm_sync", headers=acme.auth).json()["graph"]
    ran = client.post("/api/v1/runs", json={"graph": read}, headers=acme.auth)  # .example: no DNS
    assert ran.status_code == 201, ran.text
    assert TOKEN not in ran.text
    # Run with the kept secret somewhere else, the draft would hand it over: refused.
    moved = copy.deepcopy(read)
    moved["nodes"][1]["config"]["url"] = "http://127.0.0.1:9/collect"
    refused = client.post("/api/v1/runs", json={"graph": moved}, headers=acme.auth)
    assert refused.status_code == 422, refused.text
    assert "another destination" in refused.json()["error"]["message"]
    other = copy.deepcopy(read)
    other["id"] = "never_saved"
    refused = client.post("/api/v1/runs", json={"graph": other}, headers=acme.auth)
    assert refused.status_code == 422, refused.text
    assert "headers.Authorization" in refused.json()["error"]["message"]


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ("url", BASIC_URL),
        ("body", {"note": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl"}),
        ("body", {"slack": "xoxb-1234567890-abcdefghijkl"}),
        ("body", {"aws": AWS_KEY}),
        ("headers", {"X-Trace": f"Bearer {TOKEN}"}),
    ],
)
def test_a_credential_in_a_plain_field_warns_and_is_masked_for_viewers(
    client: TestClient, acme: Tenant, aws: Any, where: str, value: Any
) -> None:
    graph = secret_graph()
    config = graph["nodes"][1]["config"]
    config["headers"], config["query"] = {}, {}
    config[where] = value
    created = client.post("/api/v1/graphs", json={"graph": graph}, headers=acme.auth)
    assert created.status_code == 201, created.text
    warnings = [d for d in created.json()["diagnostics"] if d["code"] == "config.credential"]
    assert warnings, created.text
    assert {d["severity"] for d in warnings} == {"warning"}
    assert warnings[0]["node"] == "call"
    assert warnings[0]["path"].startswith(where)
    secret = value if isinstance(value, str) else next(iter(value.values()))
    literal = secret.split("Bearer ")[-1].split("@")[0].split(":")[-1]
    second = copy.deepcopy(graph)
    second["name"] = "second"
    client.put(
        "/api/v1/graphs/crm_sync", json={"graph": second, "base_version": 1}, headers=acme.auth
    )
    for route, text in _reads(client, _viewer(aws)).items():
        assert literal not in text, f"a viewer read {literal!r} from {route}"
    editor = client.get("/api/v1/graphs/crm_sync", headers=acme.auth).json()
    assert editor["graph"]["nodes"][1]["config"][where] == value  # editors can fix it
