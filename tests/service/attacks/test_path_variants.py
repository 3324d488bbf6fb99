"""Spellings of a path cannot walk around authentication (Flowise CVE-2024-31621).

Flowise checked ``/api/v1`` as a prefix in a middleware; ``/API/V1/...`` skipped the check and
still reached the handler. Here every request target is sent byte for byte with
``http.client`` to uvicorn on 127.0.0.1 (TestClient would normalise some of them first), both
unauthenticated and as tenant B. Unauthenticated, nothing may succeed or show tenant data; as
B, nothing may show A's data and no spelling of A's endpoint may run it.

A positive control proves the spellings are meaningful: as A, the decoded spellings that route
to a handler do return A's data, so a "no leak" below is authentication at work, not a 404.
"""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass

import pytest

from tests.service.attacks.conftest import B_LEAD, HOT_LEAD, Live, leaks, seed_a
from tests.service.conftest import Tenant

TARGETS = [
    # case
    "/API/V1/graphs",
    "/Api/v1/graphs",
    "/api/V1/graphs",
    "/API/V1/GRAPHS",
    "/api/v1/GRAPHS/lead_scoring",
    "/api/v1/graphs/LEAD_SCORING",
    # percent-encoding, single and double
    "/api/v1/%67raphs",
    "/%61pi/v1/graphs",
    "/api/v1/gr%61phs/lead_scoring",
    "/api/v1/graphs/lead%5fscoring",
    "/api/v1/graphs%2flead_scoring",
    "/api/v1/%2e%2e/api/v1/graphs",
    "/api/v1/%252e%252e/graphs",
    "/api/v1/%2E%2E/v1/graphs",
    "/api/v1/..%2fv1/graphs",
    "/api/v1/..%2Fv1/graphs",
    "/api/v1/%2fgraphs",
    "/api/v1/%25%36%37raphs",
    "/api/v1/graphs/%EF%BC%8E%EF%BC%8E/graphs",  # fullwidth dots
    # dot segments, sent raw
    "/api/v1/../v1/graphs",
    "/api/v1/./graphs",
    "/api/v2/../v1/graphs",
    "/healthz/../api/v1/graphs",
    "/docs/../api/v1/graphs",
    "/openapi.json/../api/v1/graphs",
    "/api/v1/graphs/lead_scoring/../lead_scoring",
    "/api/v1/graphs/x/../lead_scoring/versions/1",
    # slashes
    "//api/v1/graphs",
    "///api/v1/graphs",
    "/api//v1/graphs",
    "/api/v1//graphs",
    "/api/v1/graphs/",
    "/api/v1/graphs//lead_scoring",
    "/api/v1/graphs/lead_scoring/",
    "/api/v1\\graphs",
    # parameters, NUL, fragments, odd suffixes
    "/api/v1/graphs;x=1",
    "/api/v1/graphs;/lead_scoring",
    "/api/v1/graphs%00",
    "/api/v1/graphs/lead_scoring%00",
    "/api/v1/graphs%00/lead_scoring",
    "/api/v1/graphs%20",
    "/api/v1/graphs%09",
    "/api/v1/graphs.json",
    "/api/v1/graphs?x=/../settings",
    "/api/v1/graphs/lead_scoring?version=1",
    "/api/v1/graphs/lead_scoring/versions/01",
    "/api/v1/graphs/lead_scoring/versions/+1",
    "/api/v1/graphs/lead_scoring/versions/1.0",
    # every other management resource, spelled plainly and oddly
    "/api/v1/settings",
    "/API/v1/settings",
    "/api/v1/api-keys",
    "/api/v1/api%2dkeys",
    "/api/v1/deployments/leads",
    "/api/v1/DEPLOYMENTS/leads",
    "/api/v1/runs",
    "/api/v1/runs/{run_id}",
    "/api/v1/RUNS/{run_id}",
    "/api/v1/auth/me",
    "/api/v1/auth/ME",
    # deployed endpoint spellings
    "/t/acme/leads",
    "/t/ACME/leads",
    "/t/Acme/leads",
    "/t/acme/LEADS",
    "/T/acme/leads",
    "/t/acme/../acme/leads",
    "/t/acme/./leads",
    "/t/acme-co/../acme/leads",
    "/t/acme-co/%2e%2e/acme/leads",
    "/t/acme%2fleads",
    "/t/acme/leads/",
    "/t//acme/leads",
    "/t/acme//leads",
    "/t/acme/leads;x=1",
    "/t/acme/leads%00",
    "/t/acme%00/leads",
    "/t/%61cme/leads",
    "/t/acme/%6ceads",
    "/t/acme/lead%73",
    "/t/acme%20/leads",
    "/t/acme/leads%20",
    "/t/acme/leads.json",
]

METHODS_FOR = {"/t/": ("POST", "GET", "PUT")}


@dataclass
class Answer:
    target: str
    method: str
    status: int
    body: str
    headers: dict[str, str]


def raw_request(
    live: Live, method: str, target: str, headers: dict[str, str] | None = None, body: bytes = b""
) -> Answer:
    """Send ``target`` exactly as written (no normalising, no re-encoding)."""
    connection = http.client.HTTPConnection(live.host, live.port, timeout=30)
    try:
        connection.putrequest(method, target, skip_accept_encoding=True)
        for name, value in {**(headers or {}), "Content-Length": str(len(body))}.items():
            connection.putheader(name, value)
        if body:
            connection.putheader("Content-Type", "application/json")
        connection.endheaders(body or None)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        return Answer(target, method, response.status, text, dict(response.getheaders()))
    finally:
        connection.close()


def _requests(run_id: str) -> list[tuple[str, str]]:
    plan: list[tuple[str, str]] = []
    for template in TARGETS:
        target = template.replace("{run_id}", run_id)
        prefix = "/t/" if target.lower().lstrip("/").startswith("t/") else "/api"
        plan.extend((method, target) for method in METHODS_FOR.get(prefix, ("GET", "POST")))
    return plan


def _describe(answer: Answer) -> str:
    return f"{answer.method} {answer.target} -> {answer.status} {answer.body[:160]}"


@pytest.fixture
def seeded_live(live: Live) -> tuple[Live, list[str]]:
    with live.http() as http:
        seeded = seed_a(http, live.a, live.store("acme"))
    return live, seeded.run_ids


def _send_all(live: Live, plan: list[tuple[str, str]], headers: dict[str, str]) -> list[Answer]:
    body = json.dumps(B_LEAD).encode()
    return [
        raw_request(live, method, target, headers, body if method != "GET" else b"")
        for method, target in plan
    ]


def test_no_spelling_reaches_a_handler_without_credentials(
    seeded_live: tuple[Live, list[str]],
) -> None:
    live, run_ids = seeded_live
    answers = _send_all(live, _requests(run_ids[0]), {})
    succeeded = [_describe(a) for a in answers if 200 <= a.status < 300]
    leaked = [_describe(a) for a in answers if leaks(a.body) or leaks(json.dumps(a.headers))]
    assert not succeeded, "unauthenticated requests that succeeded:\n" + "\n".join(succeeded)
    assert not leaked, "unauthenticated requests that showed A's data:\n" + "\n".join(leaked)
    assert all(a.status < 500 for a in answers), [_describe(a) for a in answers if a.status >= 500]
    # Redirects (trailing slash) only point at the canonical path, which needs credentials too.
    for answer in answers:
        if answer.status in (301, 302, 307, 308):
            location = answer.headers.get("location", "")
            assert location.startswith(live.url + "/") or location.startswith("/"), answer


@pytest.mark.parametrize("credential", ["token", "api_key"])
def test_no_spelling_shows_a_s_data_to_b(
    seeded_live: tuple[Live, list[str]], credential: str
) -> None:
    live, run_ids = seeded_live
    b: Tenant = live.b
    headers = b.auth if credential == "token" else b.key
    answers = _send_all(live, _requests(run_ids[0]), headers)
    leaked = [_describe(a) for a in answers if leaks(a.body) or leaks(json.dumps(a.headers))]
    assert not leaked, "B saw A's data:\n" + "\n".join(leaked)
    ran = [
        _describe(a)
        for a in answers
        if a.target.lower().lstrip("/").startswith("t/") and 200 <= a.status < 300
    ]
    assert not ran, "B ran A's endpoint:\n" + "\n".join(ran)
    assert all(a.status < 500 for a in answers), [_describe(a) for a in answers if a.status >= 500]
    assert not [a for a in answers if a.headers.get("x-auterity-run-id")], "a run was started"
    with live.http() as http:
        runs = http.get("/api/v1/runs", headers=live.a.auth).json()
    assert sorted(r["run_id"] for r in runs) == sorted(run_ids), "A's run history changed"


def test_positive_control_decoded_spellings_do_route(seeded_live: tuple[Live, list[str]]) -> None:
    """As A, spellings the server decodes to a real route return A's data; the rest 404."""
    live, _ = seeded_live
    routed = ["/api/v1/%67raphs", "/%61pi/v1/graphs", "/api/v1/gr%61phs/lead_scoring"]
    for target in routed:
        answer = raw_request(live, "GET", target, live.a.auth)
        assert answer.status == 200, _describe(answer)
        assert leaks(answer.body), _describe(answer)
    unauthenticated = raw_request(live, "GET", "/api/v1/%67raphs")
    assert unauthenticated.status == 401, _describe(unauthenticated)
    assert unauthenticated.body.startswith('{"error"')
    endpoint = raw_request(
        live, "POST", "/t/%61cme/leads", live.a.key, json.dumps(HOT_LEAD).encode()
    )
    assert endpoint.status == 200, _describe(endpoint)


def test_method_and_rewrite_headers_do_not_reroute(seeded_live: tuple[Live, list[str]]) -> None:
    live, _ = seeded_live
    tricks = {
        "X-Original-URL": "/api/v1/graphs",
        "X-Rewrite-URL": "/api/v1/graphs",
        "X-Forwarded-Prefix": "/api/v1",
        "X-Forwarded-Path": "/api/v1/graphs",
        "X-HTTP-Method-Override": "GET",
        "X-Method-Override": "DELETE",
    }
    health = raw_request(live, "GET", "/healthz", tricks)
    assert (health.status, json.loads(health.body)) == (200, {"status": "ok"})
    for method, target in (
        ("POST", "/api/v1/graphs/lead_scoring"),
        ("PATCH", "/api/v1/graphs/lead_scoring"),
        ("get", "/api/v1/graphs"),
        ("HEAD", "/api/v1/graphs"),
        ("OPTIONS", "/api/v1/graphs"),
        ("TRACE", "/api/v1/graphs"),
    ):
        for headers in (tricks, {**tricks, **live.b.auth}):
            answer = raw_request(live, method, target, headers)
            assert not 200 <= answer.status < 300, _describe(answer)
            assert not leaks(answer.body), _describe(answer)
    # Absolute-form request targets (RFC 9112 3.2.2): never a way in, whatever the server does.
    for target, headers in (
        (f"{live.url}/api/v1/graphs", {}),
        ("http://evil.example/api/v1/graphs", {}),
        (f"{live.url}/api/v1/graphs/lead_scoring", live.b.auth),
    ):
        answer = raw_request(live, "GET", target, headers)
        if not headers:
            assert not 200 <= answer.status < 300, _describe(answer)
        assert not leaks(answer.body), _describe(answer)
    with live.http() as http:
        assert http.get("/api/v1/graphs/lead_scoring", headers=live.a.auth).status_code == 200
