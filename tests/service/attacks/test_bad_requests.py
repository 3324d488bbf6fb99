"""Bad input gets a JSON 4xx that names the problem; never a 5xx, never a partial effect.

Malformed and hostile JSON, wrong content types, unknown routes and verbs, garbage
credentials and query strings on the management API; hostile bodies on deployed endpoints
(including a hypothesis fuzz of the public echo endpoint); and answers that must not reveal
which tenants exist.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.service.attacks.conftest import b_graph
from tests.service.conftest import Tenant, example


@pytest.fixture
def http(client: TestClient) -> Iterator[TestClient]:
    """The same app, but a crash is an answer (a 500) to assert on, not a raised exception."""
    with TestClient(client.app, raise_server_exceptions=False) as raw:
        yield raw


def _error(response: Any) -> dict[str, Any]:
    assert response.headers["content-type"].startswith("application/json"), response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["code"], error
    assert error["message"], error
    return error


def _deploy(client: TestClient, tenant: Tenant, name: str, slug: str) -> None:
    graph = example(name)
    assert client.post("/api/v1/graphs", json={"graph": graph}, headers=tenant.auth).is_success
    deployed = client.post(
        "/api/v1/deployments", json={"slug": slug, "graph_id": graph["id"]}, headers=tenant.auth
    )
    assert deployed.status_code == 201, deployed.text


# --- malformed JSON --------------------------------------------------------------------------

MALFORMED = {
    "unterminated object": b'{"graph": {"id": "x"',
    "missing value": b'{"graph": }',
    "trailing garbage": b'{"graph": {}} extra',
    "single quotes": b"{'graph': {}}",
    "unquoted key": b"{graph: {}}",
    "trailing comma": b'{"graph": {},}',
    "lone bracket": b"[",
    "not UTF-8": b'{"graph": {"id": "caf\xe9"}}',
    "truncated UTF-8": b'{"graph": {"name": "\xe2\x82"}}',
    "control character in string": b'{"graph": {"name": "a\x01b"}}',
}


def test_malformed_json_is_a_422_naming_the_problem(http: TestClient, acme: Tenant) -> None:
    """Found: bytes that are not UTF-8 get FastAPI's generic 400 "There was an error parsing
    the body" (code ``error``), not a 422 saying the body is not valid JSON."""
    problems = []
    for name, body in MALFORMED.items():
        for path in ("/api/v1/graphs", "/api/v1/validate", "/api/v1/auth/login"):
            for headers in (acme.auth, {}):
                response = http.post(
                    path, content=body, headers={"content-type": "application/json", **headers}
                )
                error = _error(response)
                if response.status_code != 422 or "json" not in error["message"].lower():
                    problems.append(f"{name} -> {path}: {response.status_code} {error}")
    assert http.get("/api/v1/graphs", headers=acme.auth).json() == []
    assert not problems, "\n".join(sorted(set(problems)))


PARSER_LIMITS = {
    "nested 100k deep": b"[" * 100_000 + b"]" * 100_000,
    "5000-digit integer": b'{"graph": {"id": "x", "metadata": {"n": ' + b"9" * 5000 + b"}}}",
    "deep object in a valid envelope": b'{"graph": ' + b'{"a":' * 5000 + b"1" + b"}" * 5001,
}


def test_bodies_at_the_parser_s_limits_are_4xx(http: TestClient, acme: Tenant) -> None:
    for name, body in PARSER_LIMITS.items():
        for path in ("/api/v1/graphs", "/api/v1/validate", "/api/v1/graphs/x/run"):
            response = http.post(
                path, content=body, headers={"content-type": "application/json", **acme.auth}
            )
            assert 400 <= response.status_code < 500, (name, path, response.text[:200])
            _error(response)
    assert http.get("/api/v1/graphs", headers=acme.auth).json() == []


NON_FINITE = {"nan": "NaN", "inf": "Infinity", "minus_inf": "-Infinity", "overflow": "1e999"}


def test_non_finite_numbers_in_a_management_body_are_refused(
    http: TestClient, acme: Tenant
) -> None:
    """Found: Python's JSON parser takes ``NaN``, ``Infinity`` and ``1e999`` (-> inf); the graph
    is stored with them (and hashed with them) but every read shows ``null`` instead, so what the
    API returns is not what it stored, and a save of what it returned changes the graph."""
    problems = []
    for name, literal in NON_FINITE.items():
        graph_id = f"nf_{name}"
        body = json.dumps({"graph": b_graph(graph_id)}).replace(
            '"metadata": {', f'"metadata": {{"limit": {literal}, '
        )
        assert literal in body
        response = http.post(
            "/api/v1/graphs",
            content=body,
            headers={"content-type": "application/json", **acme.auth},
        )
        if response.status_code != 422:
            stored = http.get(f"/api/v1/graphs/{graph_id}", headers=acme.auth).json()
            shown = stored.get("graph", {}).get("metadata", {}).get("limit", "absent")
            problems.append(f"{literal}: {response.status_code}, then read back as {shown!r}")
    assert not problems, "\n".join(problems)


# --- wrong content types ---------------------------------------------------------------------

WRONG_TYPES = [
    "text/plain",
    "text/json",
    "application/xml",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz",
    "application/octet-stream",
    "application/jsonx",
    "*/*",
]


def test_a_json_body_under_the_wrong_content_type_is_refused(
    http: TestClient, acme: Tenant
) -> None:
    body = json.dumps({"graph": b_graph("typed")}).encode()
    for content_type in WRONG_TYPES:
        for method, path in (("POST", "/api/v1/graphs"), ("PUT", "/api/v1/settings")):
            response = http.request(
                method, path, content=body, headers={"content-type": content_type, **acme.auth}
            )
            assert response.status_code in (415, 422), (content_type, path, response.text)
            assert _error(response)["code"] in ("invalid", "unsupported_media_type")
    assert http.get("/api/v1/graphs/typed", headers=acme.auth).status_code == 404
    assert http.get("/api/v1/settings", headers=acme.auth).json()["revision"] == 0


def test_form_encoded_login_is_refused_not_misread(http: TestClient, acme: Tenant) -> None:
    response = http.post(
        "/api/v1/auth/login",
        content=b"tenant=acme&email=admin%40example.com&password=correct+horse+battery",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code in (415, 422), response.text
    _error(response)


# --- unknown routes and verbs ----------------------------------------------------------------

UNKNOWN = [
    "/nope",
    "/api",
    "/api/v1",
    "/api/v1/",
    "/api/v1/nope",
    "/api/v2/graphs",
    "/api/v1/graphs/x/y/z",
    "/t",
    "/t/acme",
    "/t/acme/leads/extra",
    "/.env",
    "/admin",
    "/favicon.ico",
    "/%ff",
]


def test_unknown_routes_are_a_json_404(http: TestClient, acme: Tenant) -> None:
    for path in UNKNOWN:
        for headers in ({}, acme.auth, acme.key):
            for method in ("GET", "POST", "DELETE"):
                response = http.request(method, path, headers=headers, follow_redirects=False)
                if response.status_code in (307, 308):  # "/api/v1/" -> "/api/v1": then a 404
                    continue
                assert response.status_code == 404, (method, path, response.text)
                assert _error(response)["code"] == "not_found"


def test_a_wrong_verb_is_a_json_405(http: TestClient, acme: Tenant) -> None:
    for method, path in (
        ("PATCH", "/api/v1/graphs"),
        ("DELETE", "/api/v1/settings"),
        ("PUT", "/api/v1/auth/login"),
        ("POST", "/api/v1/runs/abc"),
    ):
        response = http.request(method, path, headers=acme.auth)
        assert response.status_code == 405, (method, path, response.text)
        assert _error(response)["code"] == "method_not_allowed"


# --- garbage credentials and query strings ---------------------------------------------------

GARBAGE_CREDENTIALS: list[dict[str, Any]] = [
    {"Authorization": "Bearer"},
    {"Authorization": "Bearer " + "x" * 20_000},
    {"Authorization": "Bearer a.b.c"},
    {"Authorization": "Bearer ...."},
    {"Authorization": "Basic YWRtaW46YWRtaW4="},
    {"Authorization": "Bearer eyJhbGciOiJub25lIn0.e30."},
    {"Authorization": b"Bearer \xff\xfe\xe9"},
    {"X-API-Key": "aut_"},
    {"X-API-Key": "aut_____"},
    {"X-API-Key": "aut_acme_" + "0" * 12 + "_" + "x" * 600},
    {"X-API-Key": "aut_acme_zzzzzzzzzzzz_secret"},
    {"X-API-Key": "aut_ACME_000000000000_secret"},
    {"X-API-Key": "aut_../../acme_000000000000_s"},
    {"X-API-Key": "aut_acme#_000000000000_s"},
    {"X-API-Key": b"aut_acme_\xe9\xe9_secret"},
    {"X-API-Key": "aut_" + "a" * 100_00},
]


def test_garbage_credentials_are_a_json_401(http: TestClient, acme: Tenant) -> None:
    for headers in GARBAGE_CREDENTIALS:
        for method, path in (("GET", "/api/v1/graphs"), ("GET", "/api/v1/auth/me")):
            response = http.request(method, path, headers=headers)
            assert response.status_code == 401, (headers, response.text)
            assert _error(response)["code"] == "unauthorized"
        endpoint = http.post("/t/acme/leads", json={}, headers=headers)
        assert endpoint.status_code in (401, 404), endpoint.text


QUERIES = {
    "/api/v1/runs?limit=0": "limit",
    "/api/v1/runs?limit=501": "limit",
    "/api/v1/runs?limit=abc": "limit",
    "/api/v1/runs?limit=1e3": "limit",
    "/api/v1/runs?status=bogus": "status",
    "/api/v1/runs?graph_id=" + "x" * 65: "graph_id",
    "/api/v1/graphs/x?version=0": "version",
    "/api/v1/graphs/x?version=-1": "version",
    "/api/v1/graphs/x/diff": "from",
    "/api/v1/graphs/x/diff?from=abc": "from",
    "/api/v1/graphs/x/versions/abc": "version",
}


def test_bad_parameters_are_a_422_naming_the_field(http: TestClient, acme: Tenant) -> None:
    for path, field in QUERIES.items():
        response = http.get(path, headers=acme.auth)
        assert response.status_code == 422, (path, response.text)
        error = _error(response)
        assert error["message"].startswith(f"{field}:"), (path, error)


def test_bad_ids_in_paths_are_4xx(http: TestClient, acme: Tenant) -> None:
    for path in (
        "/api/v1/graphs/" + "x" * 300,
        "/api/v1/graphs/%00",
        "/api/v1/graphs/a%23b",
        "/api/v1/graphs/..",
        "/api/v1/runs/" + "r" * 300,
        "/api/v1/runs/%E2%80%AE",
        "/api/v1/deployments/UPPER",
        "/api/v1/deployments/" + "s" * 100,
        "/api/v1/graphs/x/versions/99999999999999999999",
        "/api/v1/graphs/x?version=99999999999999999999999",
    ):
        response = http.get(path, headers=acme.auth)
        assert response.status_code in (404, 422), (path, response.text)
        _error(response)
    revoke = http.delete("/api/v1/api-keys/not-hex", headers=acme.auth)
    assert revoke.status_code in (404, 422)


# --- deployed endpoints ----------------------------------------------------------------------


def test_non_finite_numbers_in_an_endpoint_body_are_a_400(
    client: TestClient, http: TestClient, acme: Tenant
) -> None:
    """Found: ``json.loads`` accepts ``NaN``/``Infinity`` (and turns ``1e999`` into inf); the
    echoed value then makes ``JSONResponse`` raise (it renders with ``allow_nan=False``): a 500,
    for anyone, on a public endpoint."""
    _deploy(client, acme, "http-echo", "echo")
    problems = []
    for literal in NON_FINITE.values():
        for content_type in ("application/json", ""):
            response = http.post(
                "/t/acme/echo",
                content=f'{{"amount": {literal}}}'.encode(),
                headers={"content-type": content_type} if content_type else {},
            )
            if response.status_code != 400:
                problems.append(f"{literal} ({content_type or 'no type'}): {response.status_code}")
    assert not problems, "\n".join(problems)


def test_bad_endpoint_bodies_are_4xx(client: TestClient, http: TestClient, acme: Tenant) -> None:
    _deploy(client, acme, "lead-scoring", "leads")
    cases: list[tuple[bytes, str]] = [
        (b"{not json", "application/json"),
        (b"\xff\xfe\xfd", "application/json"),
        (b"\xff\xfe\xfd", "text/plain"),
        (b"[" * 100_000 + b"]" * 100_000, "application/json"),
        (b'{"lead": ' + b"9" * 5000 + b"}", "application/json"),
        (b'{"lead": "x"}', "application/xml"),
        (b"", "application/json"),
        (b"null", "application/json"),
    ]
    for body, content_type in cases:
        response = http.post(
            "/t/acme/leads", content=body, headers={"content-type": content_type, **acme.key}
        )
        assert 400 <= response.status_code < 500, (body[:30], response.status_code, response.text)
        _error(response)
    assert http.get("/api/v1/runs?status=succeeded", headers=acme.auth).json() == []


JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30)
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
RAW_BODIES = st.one_of(
    JSON_VALUES.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=200),
    st.sampled_from([b"-0", b'"\\ud800"', b'{"__proto__": {}}', b'{"a": "\\u0000"}', b"1e308"]),
)
"""Non-finite numbers are left to ``test_non_finite_numbers_in_an_endpoint_body_are_a_400``, so
this fuzz keeps looking for other kinds of crash."""


@pytest.mark.timeout(120)
def test_fuzzed_bodies_on_a_public_endpoint_never_crash_it(
    client: TestClient, http: TestClient, acme: Tenant
) -> None:
    _deploy(client, acme, "http-echo", "echo")
    crashes: list[str] = []

    @settings(max_examples=150, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(
        body=RAW_BODIES,
        content_type=st.sampled_from(["application/json", "text/plain", "", "application/x+json"]),
        method=st.sampled_from(["GET", "POST", "PUT", "DELETE"]),
        query=st.dictionaries(st.text("abc=&%", max_size=5), st.text(max_size=10), max_size=3),
    )
    def call(body: bytes, content_type: str, method: str, query: dict[str, str]) -> None:
        headers = {"content-type": content_type} if content_type else {}
        response = http.request(method, "/t/acme/echo", content=body, params=query, headers=headers)
        if response.status_code >= 500:
            crashes.append(f"{method} {body[:60]!r} ({content_type or 'no type'}) -> 500")
        else:
            assert response.headers["content-type"].startswith("application/json")

    call()
    assert not crashes, "\n".join(sorted(set(crashes)))


# --- answers that would tell which tenants exist ---------------------------------------------

SLUGS = ["leads", "no-such-slug", "UPPER", "bad_slug", "a" * 80, "x.y", "%00"]


def test_unauthenticated_endpoint_answers_do_not_reveal_which_tenants_exist(
    client: TestClient, http: TestClient, acme: Tenant
) -> None:
    """Found: without a credential, a malformed slug under an existing tenant is a 422 (the
    store's slug check), under a tenant that does not exist a 401: a tenant-existence oracle."""
    _deploy(client, acme, "lead-scoring", "leads")
    problems = []
    for slug in SLUGS:
        existing = http.post(f"/t/acme/{slug}", json={})
        missing = http.post(f"/t/ghost-tenant/{slug}", json={})
        if not existing.status_code == missing.status_code == 401 or (
            _error(existing) != _error(missing)
        ):
            problems.append(
                f"{slug[:20]}: acme -> {existing.status_code} {existing.text[:90]}; "
                f"ghost-tenant -> {missing.status_code} {missing.text[:90]}"
            )
    assert not problems, "\n".join(problems)
