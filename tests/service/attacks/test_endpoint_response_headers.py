"""A user graph's response cannot act on the API's origin (issue 13, item 8).

Deployed endpoints answer on the same origin as the management API and the builder, so what
a graph sends must not set cookies for that host or let a browser sniff a text body into
HTML. A respond node with such a header is refused when the graph is saved; a response that
does not come from a respond node (an unfired responder leaves the graph's sink output,
which here is the caller's own JSON) has them stripped when it is sent.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.service.conftest import Tenant

SNIFFABLE = "<html><script>alert(document.domain)</script></html>"
HOSTILE_HEADERS = {
    "Set-Cookie": "session=attacker; Path=/",
    "set-cookie2": "session=attacker",
    "Clear-Site-Data": '"*"',
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "X-Content-Type-Options": "sniff-away",
    "X-Custom": "kept",
}


def _save_and_deploy(client: TestClient, tenant: Tenant, graph: dict[str, Any]) -> None:
    saved = client.post("/api/v1/graphs", json={"graph": graph}, headers=tenant.auth)
    assert saved.status_code == 201, saved.text
    deployed = client.post(
        "/api/v1/deployments", json={"slug": graph["id"], "graph_id": graph["id"]},
        headers=tenant.auth,
    )  # fmt: skip
    assert deployed.status_code == 201, deployed.text


def _text_reply(headers: dict[str, str]) -> dict[str, Any]:
    return {
        "schema_version": 2,
        "id": "page",
        "name": "Page",
        "nodes": [
            {"id": "hook", "type": "trigger.webhook", "config": {"methods": ["POST"]}},
            {"id": "reply", "type": "http.respond",
             "config": {"content_type": "text/plain", "body": SNIFFABLE, "headers": headers}},
        ],
        "edges": [{"source": "hook", "target": "reply"}],
    }  # fmt: skip


def _unfired_responder() -> dict[str, Any]:
    """Answers through its respond node only when ``reply`` is true; otherwise the run's
    output is its sink's: the request body, whatever the caller put in it."""
    return {
        "schema_version": 2,
        "id": "mirror",
        "name": "Mirror",
        "nodes": [
            {"id": "hook", "type": "trigger.webhook", "config": {"methods": ["POST"]}},
            {"id": "check", "type": "logic.if", "config": {"condition": {
                "combinator": "and",
                "conditions": [{"left": "{{ input.body.reply }}", "op": "eq", "right": True}],
            }}},
            {"id": "reply", "type": "http.respond", "config": {"body": {"ok": True}}},
            {"id": "mirror", "type": "transform.pick", "config": {"query": "body"}},
        ],
        "edges": [
            {"source": "hook", "target": "check"},
            {"source": "check", "source_port": "true", "target": "reply"},
            {"source": "check", "source_port": "false", "target": "mirror"},
        ],
    }  # fmt: skip


def test_a_respond_node_cannot_set_a_cookie_for_the_api_host(
    client: TestClient, acme: Tenant
) -> None:
    """A draft may be saved with the error (as any invalid draft); it can never be deployed."""
    for index, name in enumerate(("Set-Cookie", "set-cookie", "Set-Cookie2")):
        graph = {**_text_reply({name: "s=1"}), "id": f"page_{index}"}
        saved = client.post("/api/v1/graphs", json={"graph": graph}, headers=acme.auth)
        assert saved.status_code == 201, saved.text
        [problem] = saved.json()["diagnostics"]
        assert (problem["severity"], problem["node"]) == ("error", "reply")
        assert f"'{name}' cannot be set by a graph" in problem["message"]
        deployed = client.post(
            "/api/v1/deployments", json={"slug": f"page-{index}", "graph_id": graph["id"]},
            headers=acme.auth,
        )  # fmt: skip
        assert deployed.status_code == 422, deployed.text
        assert f"'{name}' cannot be set by a graph" in deployed.text
        assert client.post(f"/t/acme/page-{index}", json={}, headers=acme.key).status_code == 404


def test_a_text_body_is_never_sniffed(client: TestClient, acme: Tenant) -> None:
    _save_and_deploy(client, acme, _text_reply({"X-Custom": "kept"}))
    answer = client.post("/t/acme/page", json={}, headers=acme.key)
    assert answer.status_code == 200, answer.text
    assert answer.text == SNIFFABLE
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["x-custom"] == "kept"
    assert "set-cookie" not in answer.headers
    assert answer.cookies == {}


def test_headers_from_a_callers_json_never_reach_the_answer(
    client: TestClient, acme: Tenant
) -> None:
    """A graph whose Respond did not fire once answered with the caller's own JSON as if it
    were a response, headers included. Such a run is now failed (issue 14, item 1), and the
    failure answer carries nothing of the caller's headers either."""
    _save_and_deploy(client, acme, _unfired_responder())
    crafted = {"status": 200, "body": SNIFFABLE, "headers": {
        **HOSTILE_HEADERS, "content-type": "text/html"}}  # fmt: skip
    answer = client.post("/t/acme/mirror", json=crafted, headers=acme.key)
    assert answer.status_code == 502, answer.text
    assert answer.json()["error"]["node"] == "reply"
    assert answer.headers["x-content-type-options"] == "nosniff"
    for name in ("set-cookie", "set-cookie2", "clear-site-data", "strict-transport-security"):
        assert name not in answer.headers, name
    assert "x-custom" not in answer.headers
    assert answer.cookies == {}
    # The respond node's own answer carries nosniff too, JSON or not.
    replied = client.post("/t/acme/mirror", json={"reply": True}, headers=acme.key)
    assert replied.json() == {"ok": True}
    assert replied.headers["x-content-type-options"] == "nosniff"


def test_failed_runs_and_async_answers_are_nosniff_too(client: TestClient, acme: Tenant) -> None:
    _save_and_deploy(client, acme, _text_reply({}))
    queued = client.post("/t/acme/page?async=1", json={}, headers=acme.key)
    assert queued.status_code == 202
    assert queued.headers["x-content-type-options"] == "nosniff"
