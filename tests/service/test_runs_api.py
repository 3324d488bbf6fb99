"""GET /api/v1/runs: pages by cursor, and a filter reads its own index (issue 14, item 4)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from .conftest import Tenant, example


def _three_runs(client: TestClient, acme: Tenant) -> list[str]:
    body = {"graph": example("foreach-fanout"), "message": "first"}
    assert client.post("/api/v1/graphs", json=body, headers=acme.auth).status_code == 201
    runs = [
        client.post(
            "/api/v1/graphs/foreach_fanout/run", json={"input": None}, headers=acme.auth
        ).json()["run_id"]
        for _ in range(3)
    ]
    return list(reversed(runs))


def test_a_full_page_links_to_the_next_one(client: TestClient, acme: Tenant) -> None:
    newest_first = _three_runs(client, acme)
    first = client.get("/api/v1/runs?graph_id=foreach_fanout&limit=2", headers=acme.auth)
    assert [r["run_id"] for r in first.json()] == newest_first[:2]
    link = first.headers["link"]
    assert link.endswith('>; rel="next"')
    second = client.get(link[1 : link.index(">")], headers=acme.auth)
    assert second.status_code == 200
    assert [r["run_id"] for r in second.json()] == newest_first[2:]
    assert "link" not in second.headers


def test_unknown_graph_is_an_empty_list_and_a_bad_cursor_a_422(
    client: TestClient, acme: Tenant
) -> None:
    _three_runs(client, acme)
    assert client.get("/api/v1/runs?graph_id=nobody", headers=acme.auth).json() == []
    bad = client.get("/api/v1/runs?before=not%20a%20run", headers=acme.auth)
    assert bad.status_code == 422
    assert "run id" in bad.text
