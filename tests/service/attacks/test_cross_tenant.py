"""Tenant B, holding valid credentials, aims every route of the app at tenant A's ids.

The routes come from the app itself, so a new route fails ``test_every_route_is_in_the_matrix``
until it is given a row in ``MATRIX``. Each row is called with B's bearer token and with B's
API key, on A's existing ids (graph, version, slug, run, API key, tenant). A request that names
one of A's ids must never succeed and must be answered exactly as the same request naming an id
that exists nowhere (no existence oracle). No response may contain A's data, and A's data, read
through the store and as raw DynamoDB items, must be unchanged after every single call.

Tenant ids in a body, query string or header are never a credential: the tests at the end send
them and check that everything still lands in the caller's own tenant.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3  # type: ignore[import-untyped]  # boto3 ships no types
import jwt
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response  # what TestClient answers with

from runtime.service.app import create_app
from runtime.service.config import ServiceConfig
from runtime.store import Directory, NotFound, TenantStore
from tests.service.attacks.conftest import (
    B_LEAD,
    HOT_LEAD,
    SeededA,
    b_graph,
    leaks,
    raw_items,
    seed_a,
    snapshot,
)
from tests.service.conftest import PASSWORD, Tenant

TABLE = "auterity"
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")

Body = Callable[["Ctx"], Any] | None


@dataclass(frozen=True)
class Call:
    """How to call one route as B.

    ``aims_at_a``: the request names A's ids (path or body); it must then fail exactly as it
    fails for ids that exist nowhere. ``expect``: the statuses the route may answer.
    """

    expect: frozenset[int]
    aims_at_a: bool = False
    body: Body = None
    query: dict[str, str] = field(default_factory=dict)
    ends_session: bool = False
    """The call ends B's sessions (logout): B logs in again afterwards for the next rows."""


def _expect(*statuses: int) -> frozenset[int]:
    return frozenset(statuses)


@dataclass
class Ctx:
    http: TestClient
    b: Tenant
    headers: dict[str, str]
    ids: dict[str, str]
    counter: list[int] = field(default_factory=lambda: [0])

    def fresh(self, prefix: str) -> str:
        self.counter[0] += 1
        return f"{prefix}_{self.counter[0]}"


def _graph_body(ctx: Ctx) -> Any:
    return {"graph": b_graph(ctx.fresh("b_new")), "tenant": "acme"}


def _save_body(ctx: Ctx) -> Any:
    return {"graph": b_graph(ctx.ids["graph_id"]), "base_version": 2}


def _deploy_body(ctx: Ctx) -> Any:
    return {"slug": ctx.ids["slug"], "graph_id": ctx.ids["graph_id"], "version": 1}


def _settings_body(ctx: Ctx) -> Any:
    current = ctx.http.get("/api/v1/settings", headers=ctx.headers).json()
    return {**current, "egress_allow": ["b.example"]}


def _rerun_body(ctx: Ctx) -> Any:
    graph = b_graph(ctx.ids["graph_id"])
    return {
        "graph": graph,
        "rerun_from": graph["nodes"][0]["id"],
        "previous_run_id": ctx.ids["run_id"],
    }


def _brand_body(ctx: Ctx) -> Any:
    current = ctx.http.get("/api/v1/brand", headers=ctx.headers).json()
    return {"product_name": "B brand", "revision": current["revision"]}


B_LOGO = b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>'


def _login_body(ctx: Ctx) -> Any:
    return {"tenant": ctx.ids["tenant"], "email": "admin@example.com", "password": "not it!!"}


OK, NOT_FOUND = _expect(200), _expect(404)
PUBLIC = Call(OK)

MATRIX: dict[tuple[str, str], Call] = {
    # FastAPI's own documentation routes and the health check: public, and free of tenant data.
    ("GET", "/openapi.json"): PUBLIC,
    ("HEAD", "/openapi.json"): PUBLIC,
    ("GET", "/docs"): PUBLIC,
    ("HEAD", "/docs"): PUBLIC,
    ("GET", "/docs/oauth2-redirect"): PUBLIC,
    ("HEAD", "/docs/oauth2-redirect"): PUBLIC,
    ("GET", "/redoc"): PUBLIC,
    ("HEAD", "/redoc"): PUBLIC,
    ("GET", "/healthz"): PUBLIC,
    # Login into A with a wrong password: as refused as a tenant that does not exist.
    ("POST", "/api/v1/auth/login"): Call(_expect(401), aims_at_a=True, body=_login_body),
    ("GET", "/api/v1/auth/me"): PUBLIC,
    # B's own sessions end (B then logs in again for the rows after this one).
    ("POST", "/api/v1/auth/logout"): Call(_expect(204, 401), ends_session=True),
    # Unlocking an email unlocks B's account of that email; A's counters are not B's to touch.
    ("POST", "/api/v1/auth/unlock"): Call(_expect(204), body=lambda ctx: {"email": SeededA.user}),
    # B's own session, with a wrong current password (nothing of A's is reachable by it).
    ("POST", "/api/v1/auth/password"): Call(
        _expect(401, 422),
        body=lambda ctx: {"current_password": "wrong-one!", "new_password": "new-password-1"},
    ),
    ("GET", "/api/v1/nodes"): PUBLIC,
    # White-label provisioning: B's admins lack the permission; jobs live under the caller.
    ("POST", "/api/v1/white-label/deploy"): Call(
        _expect(403), body=lambda ctx: {"tenant": "ghost-new", "brand": {"product_name": "X"}}
    ),
    ("GET", "/api/v1/white-label/jobs/{job_id}"): Call(_expect(403), aims_at_a=True),
    # Collections: B's own (empty or B-made) lists; creating lands in B.
    ("GET", "/api/v1/graphs"): PUBLIC,
    ("POST", "/api/v1/graphs"): Call(_expect(201), body=_graph_body),
    ("POST", "/api/v1/validate"): Call(OK, body=lambda ctx: b_graph("draft")),
    ("GET", "/api/v1/deployments"): PUBLIC,
    ("GET", "/api/v1/runs"): Call(OK, query={"graph_id": "lead_scoring"}),
    ("GET", "/api/v1/settings"): PUBLIC,
    ("PUT", "/api/v1/settings"): Call(OK, body=_settings_body),
    ("GET", "/api/v1/api-keys"): PUBLIC,
    ("POST", "/api/v1/api-keys"): Call(_expect(201), body=lambda ctx: {"name": "b key"}),
    # The brand and its files: B's own.
    ("GET", "/api/v1/brand"): PUBLIC,
    ("PUT", "/api/v1/brand"): Call(OK, body=_brand_body),
    ("POST", "/api/v1/brand/preview"): Call(OK, body=lambda ctx: {"product_name": "B"}),
    ("PUT", "/api/v1/brand/assets/{kind}"): Call(OK, body=lambda ctx: B_LOGO),
    ("DELETE", "/api/v1/brand/assets/{kind}"): Call(_expect(204)),
    # Public by design (the login page, before anyone logs in): A's display fields and current
    # logo, never its other fields (A's custom domain carries the marker, so ``leaks`` checks).
    ("GET", "/api/v1/brand/public"): Call(OK, query={"tenant": "acme"}),
    ("GET", "/api/v1/brand/public/assets/{tenant}/{file_name}"): Call(_expect(200, 404)),
    # Everything that names one of A's ids.
    ("GET", "/api/v1/graphs/{graph_id}"): Call(NOT_FOUND, aims_at_a=True),
    ("PUT", "/api/v1/graphs/{graph_id}"): Call(NOT_FOUND, aims_at_a=True, body=_save_body),
    ("DELETE", "/api/v1/graphs/{graph_id}"): Call(NOT_FOUND, aims_at_a=True),
    ("GET", "/api/v1/graphs/{graph_id}/versions"): Call(NOT_FOUND, aims_at_a=True),
    ("GET", "/api/v1/graphs/{graph_id}/versions/{version}"): Call(NOT_FOUND, aims_at_a=True),
    ("GET", "/api/v1/graphs/{graph_id}/diff"): Call(
        NOT_FOUND, aims_at_a=True, query={"from": "1", "to": "2"}
    ),
    ("POST", "/api/v1/graphs/{graph_id}/validate"): Call(
        NOT_FOUND, aims_at_a=True, query={"version": "1"}
    ),
    ("POST", "/api/v1/graphs/{graph_id}/compile"): Call(NOT_FOUND, aims_at_a=True),
    ("POST", "/api/v1/graphs/{graph_id}/workflow"): Call(NOT_FOUND, aims_at_a=True),
    ("POST", "/api/v1/graphs/{graph_id}/run"): Call(
        NOT_FOUND, aims_at_a=True, body=lambda ctx: {"input": {"body": B_LEAD}, "version": 2}
    ),
    ("POST", "/api/v1/deployments"): Call(NOT_FOUND, aims_at_a=True, body=_deploy_body),
    ("GET", "/api/v1/deployments/{slug}"): Call(NOT_FOUND, aims_at_a=True),
    ("GET", "/api/v1/deployments/{slug}/schedule"): Call(NOT_FOUND, aims_at_a=True),
    ("DELETE", "/api/v1/deployments/{slug}"): Call(NOT_FOUND, aims_at_a=True),
    ("POST", "/api/v1/deployments/{slug}/rollback"): Call(
        NOT_FOUND, aims_at_a=True, body=lambda ctx: {"version": 1}
    ),
    ("GET", "/api/v1/runs/{run_id}"): Call(NOT_FOUND, aims_at_a=True),
    ("DELETE", "/api/v1/api-keys/{key_id}"): Call(NOT_FOUND, aims_at_a=True),
    # A draft run that re-runs from one of A's runs: as unknown as a run that never was.
    ("POST", "/api/v1/runs"): Call(NOT_FOUND, aims_at_a=True, body=_rerun_body),
    # AI: B's own usage and conversations; generating (no provider: a template) lands in B.
    ("GET", "/api/v1/ai/usage"): PUBLIC,
    ("GET", "/api/v1/ai/conversations"): PUBLIC,
    ("POST", "/api/v1/ai/generate-graph"): Call(
        OK, body=lambda ctx: {"description": "score leads"}
    ),
    ("GET", "/api/v1/ai/conversations/{conversation_id}"): Call(NOT_FOUND, aims_at_a=True),
    ("DELETE", "/api/v1/ai/conversations/{conversation_id}"): Call(NOT_FOUND, aims_at_a=True),
    # Compliance: drafts are checked with B's own packs; A's graphs and waivers stay unseen.
    ("POST", "/api/v1/compliance/fix"): Call(OK, body=lambda ctx: {"graph": b_graph("draft")}),
    ("POST", "/api/v1/compliance/report"): Call(OK, body=lambda ctx: {"graph": b_graph("d")}),
    # The caller's own workspace report: B's graphs only (``leaks`` checks for A's data).
    ("GET", "/api/v1/compliance/report"): Call(OK),
    ("GET", "/api/v1/compliance/report/{graph_id}"): Call(NOT_FOUND, aims_at_a=True),
    ("GET", "/api/v1/compliance/waivers/{graph_id}"): Call(NOT_FOUND, aims_at_a=True),
    # A's graph id as the query: B learns nothing of A's waivers, not even that it exists.
    ("GET", "/api/v1/compliance/stance"): Call(NOT_FOUND, query={"graph_id": "lead_scoring"}),
    ("PUT", "/api/v1/compliance/waivers/{graph_id}/{rule_id}"): Call(
        NOT_FOUND, aims_at_a=True, body=lambda ctx: {"reason": "B tries to waive A's rule"}
    ),
    ("DELETE", "/api/v1/compliance/waivers/{graph_id}/{rule_id}"): Call(NOT_FOUND, aims_at_a=True),
    # Approvals: A's pending approval of v2 is as unknown to B as one never asked for.
    ("POST", "/api/v1/approvals"): Call(
        NOT_FOUND, aims_at_a=True, body=lambda ctx: {"graph_id": ctx.ids["graph_id"]}
    ),
    ("GET", "/api/v1/approvals/{graph_id}/{version}"): Call(NOT_FOUND, aims_at_a=True),
    ("POST", "/api/v1/approvals/{graph_id}/{version}/approve"): Call(NOT_FOUND, aims_at_a=True),
    # Durable runs: B's own inbox; A's runs cannot be cancelled, redriven, read or answered.
    ("GET", "/api/v1/inbox"): PUBLIC,
    ("GET", "/api/v1/runs/{run_id}/waits"): Call(NOT_FOUND, aims_at_a=True),
    ("POST", "/api/v1/runs/{run_id}/cancel"): Call(NOT_FOUND, aims_at_a=True),
    ("POST", "/api/v1/runs/{run_id}/redrive"): Call(NOT_FOUND, aims_at_a=True),
    ("POST", "/api/v1/inbox/{run_id}/{node}/decision"): Call(
        NOT_FOUND, aims_at_a=True, body=lambda ctx: {"decision": "approve"}
    ),
    # A signed link to answer a wait of A's run, with a signature B made up: not found.
    ("GET", "/w/{tenant}/{run_id}/{node}/{action}"): Call(
        NOT_FOUND, aims_at_a=True, query={"sig": "0" * 64}
    ),
    ("POST", "/w/{tenant}/{run_id}/{node}/{action}"): Call(
        NOT_FOUND, aims_at_a=True, query={"sig": "0" * 64}, body=lambda ctx: {"ok": True}
    ),
    # GDPR: B erases a subject from B's own data; A's runs are untouched (see the snapshot).
    ("POST", "/api/v1/gdpr/erase"): Call(OK, body=lambda ctx: {"subject": "ada@acme-only.example"}),
    # A's deployed endpoint: B's key is "not found", B's token is not an endpoint credential.
    **{
        (method, "/t/{tenant}/{slug}"): Call(
            _expect(401, 404), aims_at_a=True, body=lambda ctx: B_LEAD
        )
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE")
    },
}


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    """Every (method, path template) the app serves, including routes of included routers."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # FastAPI versions that list included routes flat in app.routes
        routes: list[Any] = list(app.routes)
    else:
        routes = list(iter_route_contexts(app.routes))
    found: set[tuple[str, str]] = set()
    for route in routes:
        path = getattr(route, "path", None)
        assert path is not None, f"a route without a path: {route!r}"
        methods = getattr(route, "methods", None) or {"*"}  # mounts, websockets: must be listed
        found.update((method, path) for method in methods)
    return found


def _fill(template: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], template)


def _a_ids(seeded: SeededA) -> dict[str, str]:
    return {
        "tenant": "acme",
        "graph_id": seeded.graph_id,
        "version": "2",
        "slug": seeded.slug,
        "run_id": seeded.run_ids[0],
        "key_id": seeded.key_id,
        "conversation_id": seeded.conversation_id,
        "kind": "logo",
        "file_name": seeded.logo_file,
        "job_id": "a" * 32,
        "rule_id": "SOC2-ERROR-PATH",
        "node": "score",
        "action": "approve",
    }


GHOST_IDS = {
    "tenant": "ghost-tenant",
    "graph_id": "ghost_graph",
    "version": "2",
    "slug": "ghost-slug",
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


def _send(ctx: Ctx, method: str, template: str, call: Call) -> Response:
    path = _fill(template, ctx.ids)
    body = call.body(ctx) if call.body is not None else None
    headers = ctx.headers
    if method in ("GET", "HEAD", "DELETE") or body is None:
        response = ctx.http.request(method, path, params=call.query, headers=headers)
    elif isinstance(body, bytes):
        response = ctx.http.request(method, path, params=call.query, content=body, headers=headers)
    else:
        response = ctx.http.request(method, path, params=call.query, json=body, headers=headers)
    if call.ends_session and "Authorization" in headers:
        login = {"tenant": ctx.b.id, "email": "admin@example.com", "password": PASSWORD}
        token = ctx.http.post("/api/v1/auth/login", json=login).json()["token"]
        headers["Authorization"] = f"Bearer {token}"  # shared with the ghost context
    return response


FAILED_LOGIN = "auth.login_failed"
"""The one thing B can add to A: B's wrong password for A's admin is in A's audit trail."""


def _a_state(aws: Any) -> list[Any]:
    """A's raw items but B's failed logins in A's audit trail and the trail's head they moved."""
    return [i for i in raw_items(aws, TABLE, "acme") if not _failed_login_item(i)]


def _failed_login_item(item: dict[str, Any]) -> bool:
    if not item["PK"]["S"].endswith(("#AUDIT", "#AUDITQ")):
        return False
    return item["SK"]["S"] == "HEAD" or FAILED_LOGIN in json.dumps(item.get("action"))


def _without_failed_logins(snap: dict[str, Any]) -> dict[str, Any]:
    audit = [e for e in snap["audit"] if e["action"] != FAILED_LOGIN]
    raw = [i for i in snap["raw"] if not i["PK"]["S"].endswith(("#AUDIT", "#AUDITQ"))]
    return {**snap, "audit": audit, "raw": raw}


def _shape(response: Response, ids: dict[str, str]) -> tuple[int, str | None, str | None]:
    """Status, error code and message with the caller's own ids replaced by placeholders."""
    try:
        data = response.json()
    except ValueError:
        return response.status_code, None, None
    error = data.get("error") if isinstance(data, dict) else None
    if not isinstance(error, dict):  # a success body (a run record has "error": null)
        return response.status_code, None, None
    message = str(error.get("message", ""))
    for name, value in sorted(ids.items(), key=lambda kv: -len(kv[1])):
        if name != "version":
            message = message.replace(value, f"<{name}>")
    return response.status_code, error.get("code"), message


@pytest.fixture
def seeded(client: TestClient, aws: Any, acme: Tenant, acme_co: Tenant) -> SeededA:
    return seed_a(client, acme, Directory(aws, TABLE).tenant("acme"))


def _a_files() -> dict[str, bytes]:
    """A's brand asset objects in S3 (moto, in-process), name to bytes."""
    s3 = boto3.client("s3", region_name="us-east-1")
    listed = s3.list_objects_v2(Bucket="auterity-brand-assets", Prefix="TENANT#acme#")
    names = [o["Key"] for o in listed.get("Contents", [])]
    return {n: s3.get_object(Bucket="auterity-brand-assets", Key=n)["Body"].read() for n in names}


def _a_store(aws: Any) -> TenantStore:
    return Directory(aws, TABLE).tenant("acme")


def test_every_route_is_in_the_matrix(client: TestClient) -> None:
    served = app_routes(client.app)  # type: ignore[arg-type]
    missing = sorted(served - MATRIX.keys())
    stale = sorted(MATRIX.keys() - served)
    assert not missing, f"routes with no row in MATRIX (add one): {missing}"
    assert not stale, f"rows in MATRIX for routes the app no longer serves: {stale}"
    # The enumeration must see through included routers, or it would check nothing.
    assert ("PUT", "/api/v1/graphs/{graph_id}") in served
    assert ("POST", "/t/{tenant}/{slug}") in served


def test_route_enumeration_would_catch_a_new_route(aws: Any) -> None:
    app = create_app(ServiceConfig(token_secret="t" * 48), aws)

    @app.get("/api/v1/brand-new/{thing}")
    def brand_new(thing: str) -> dict[str, str]:
        return {"thing": thing}

    assert {("GET", "/api/v1/brand-new/{thing}")} == app_routes(app) - MATRIX.keys()


@pytest.mark.parametrize("credential", ["token", "api_key"])
def test_b_cannot_reach_a_through_any_route(
    client: TestClient, aws: Any, acme: Tenant, acme_co: Tenant, seeded: SeededA, credential: str
) -> None:
    a_store = _a_store(aws)
    before = snapshot(a_store, aws, TABLE)
    a_before = _a_state(aws)
    a_files = _a_files()
    assert len(a_files) == 1
    headers = acme_co.auth if credential == "token" else acme_co.key
    ctx = Ctx(client, acme_co, headers, _a_ids(seeded))
    ghost = Ctx(client, acme_co, headers, GHOST_IDS, ctx.counter)
    problems: list[str] = []

    def check(label: str, response: Response, call: Call) -> None:
        if response.status_code not in call.expect:
            problems.append(f"{label}: status {response.status_code} not in {set(call.expect)}")
        if call.aims_at_a and 200 <= response.status_code < 300:
            problems.append(f"{label}: {response.status_code} on A's ids")
        if leaks(response.text) or leaks(json.dumps(dict(response.headers))):
            problems.append(f"{label}: response shows A's data: {response.text[:300]}")
        if response.headers.get("x-auterity-run-id") in seeded.run_ids:
            problems.append(f"{label}: answered with A's run id")
        if response.status_code >= 400 and _shape(response, {})[1] is None:
            problems.append(f"{label}: error is not JSON {{'error': ...}}: {response.text[:200]}")
        # Every item of A's key space, byte for byte, and every audit event but a failed login
        # (B's wrong password for A's admin is recorded in A's trail, by design); the full
        # snapshot is compared at the end.
        if _a_state(aws) != a_before:
            problems.append(f"{label}: A's data changed")

    for (method, template), call in sorted(MATRIX.items()):
        label = f"{credential} {method} {template}"
        response = _send(ctx, method, template, call)
        check(label, response, call)
        if call.aims_at_a:
            unknown = _send(ghost, method, template, call)
            if _shape(response, ctx.ids) != _shape(unknown, GHOST_IDS):
                problems.append(
                    f"{label}: A's ids answered {_shape(response, ctx.ids)}, ids that exist "
                    f"nowhere {_shape(unknown, GHOST_IDS)} (an existence oracle)"
                )
        # Verbs a path does not declare: refused, never routed somewhere else.
        declared = {m for m, t in MATRIX if t == template}
        for other in sorted(set(METHODS) - declared - {"HEAD"}):
            extra = _send(ctx, other, template, Call(_expect(405)))
            check(f"{credential} {other} {template} (undeclared)", extra, Call(_expect(405)))

    assert not problems, "\n".join(problems)
    assert _without_failed_logins(snapshot(a_store, aws, TABLE)) == _without_failed_logins(before)
    failed = [e for e in a_store.list_audit(1000) if e.action == FAILED_LOGIN]
    assert [e.target for e in failed] == ["admin@example.com"]
    assert _a_files() == a_files
    # A's own view is untouched: its endpoint still answers A, with A's latest version.
    answered = client.post("/t/acme/leads", json=HOT_LEAD, headers=acme.key)
    assert answered.status_code == 200
    assert answered.json()["tier"] == "hot"


# --- a tenant named anywhere but in the credential is ignored --------------------------------

OVERRIDES = {
    "X-Tenant-Id": "acme",
    "X-Tenant": "acme",
    "X-Auterity-Tenant": "acme",
    "Tenant": "acme",
}
QUERY = {"tenant": "acme", "tenant_id": "acme", "tid": "acme"}


@pytest.mark.parametrize("credential", ["token", "api_key"])
def test_a_tenant_in_body_query_or_headers_never_overrides_the_credential(
    client: TestClient, aws: Any, acme: Tenant, acme_co: Tenant, seeded: SeededA, credential: str
) -> None:
    a_store = _a_store(aws)
    before = snapshot(a_store, aws, TABLE)
    headers = {**(acme_co.auth if credential == "token" else acme_co.key), **OVERRIDES}
    graph = b_graph("probe", name="lands in B")
    graph["metadata"] = {"tenant": "acme", "tenant_id": "acme"}
    created = client.post(
        "/api/v1/graphs",
        params=QUERY,
        json={"graph": graph, "tenant": "acme", "tenant_id": "acme", "tid": "acme"},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    b_store = Directory(aws, TABLE).tenant("acme-co")
    assert b_store.get_graph("probe").graph.name == "lands in B"
    with pytest.raises(NotFound):
        a_store.get_graph("probe")

    deployed = client.post(
        "/api/v1/deployments",
        params=QUERY,
        json={"slug": "probe", "graph_id": "probe", "tenant": "acme", "tenant_id": "acme"},
        headers=headers,
    )
    assert deployed.status_code == 201, deployed.text
    assert deployed.json()["url"].endswith("/t/acme-co/probe")
    assert [d.slug for d in b_store.list_deployments()] == ["probe"]

    settings = client.get("/api/v1/settings", params=QUERY, headers=headers).json()
    assert settings["egress_allow"] == []  # B's defaults, not A's list
    settings.update(egress_allow=["b-only.example"], tenant="acme", tenant_id="acme")
    changed = client.put("/api/v1/settings", params=QUERY, json=settings, headers=headers)
    assert changed.status_code in (200, 422), changed.text  # extra fields may be refused
    if changed.status_code == 200:
        assert b_store.get_settings().egress_allow == ["b-only.example"]

    brand = client.put(
        "/api/v1/brand",
        params=QUERY,
        json={"product_name": "B brand", "revision": 0},
        headers=headers,
    )
    assert brand.status_code == 200, brand.text
    logo = client.put("/api/v1/brand/assets/logo", params=QUERY, content=B_LOGO, headers=headers)
    assert logo.status_code == 200, logo.text
    assert logo.json()["logo_url"].startswith("/api/v1/brand/public/assets/acme-co/")
    assert b_store.get_brand().brand.product_name == "B brand"

    me = client.get("/api/v1/auth/me", params=QUERY, headers=headers).json()
    assert me["tenant"] == "acme-co"
    listed = client.get("/api/v1/graphs", params=QUERY, headers=headers)
    assert [g["graph_id"] for g in listed.json()] == ["probe"]
    runs = client.get("/api/v1/runs", params=QUERY, headers=headers)
    assert runs.json() == []
    for response in (created, deployed, listed, runs):
        assert not leaks(response.text)
    assert snapshot(a_store, aws, TABLE) == before


def test_b_may_reuse_a_s_ids_for_its_own_things(
    client: TestClient, aws: Any, acme: Tenant, acme_co: Tenant, seeded: SeededA
) -> None:
    """Ids are per tenant: B creating ``lead_scoring`` or deploying ``leads`` is no conflict
    (a 409 would reveal that A has them), and each tenant keeps seeing only its own."""
    a_store = _a_store(aws)
    before = snapshot(a_store, aws, TABLE)
    mine = b_graph("lead_scoring", name="B's own lead scoring")
    mine["nodes"][0]["config"]["methods"] = ["POST"]
    created = client.post("/api/v1/graphs", json={"graph": mine}, headers=acme_co.auth)
    assert created.status_code == 201, created.text
    deployed = client.post(
        "/api/v1/deployments",
        json={"slug": "leads", "graph_id": "lead_scoring"},
        headers=acme_co.auth,
    )
    assert deployed.status_code == 201, deployed.text
    b_view = client.get("/api/v1/graphs/lead_scoring", headers=acme_co.auth).json()
    assert b_view["graph"]["name"] == "B's own lead scoring"
    assert [
        v["version"]
        for v in client.get("/api/v1/graphs/lead_scoring/versions", headers=acme_co.auth).json()
    ] == [1]
    b_run = client.post("/t/acme-co/leads", json={"hello": "b"}, headers=acme_co.key)
    assert b_run.status_code == 200
    assert b_run.json()["echo"] == {"hello": "b"}
    assert client.post("/t/acme/leads", json=B_LEAD, headers=acme_co.key).status_code == 404
    a_run = client.post("/t/acme/leads", json=HOT_LEAD, headers=acme.key)
    assert a_run.json()["tier"] == "hot"
    assert (
        client.get(
            f"/api/v1/runs/{b_run.headers['x-auterity-run-id']}", headers=acme.auth
        ).status_code
        == 404
    )
    after = snapshot(a_store, aws, TABLE)
    # A gained exactly its own new run (and its audit event when the run handled classified
    # data), and nothing else changed.
    assert len(after["runs"]) == len(before["runs"]) + 1
    gained = [e for e in after["audit"] if e not in before["audit"]]
    assert {(e["action"], e["details"]["run_id"]) for e in gained} <= {
        ("run.endpoint", a_run.headers["x-auterity-run-id"])
    }
    assert {k: v for k, v in after.items() if k not in ("runs", "raw", "audit")} == {
        k: v for k, v in before.items() if k not in ("runs", "raw", "audit")
    }


# --- forged and tampered credentials -----------------------------------------------------------


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _forged_tokens(b: Tenant) -> dict[str, str]:
    claims = {"tid": "acme", "sub": "admin@example.com", "role": "admin", "exp": 4102444800}
    header, payload, signature = b.token.split(".")
    b_claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return {
        "wrong secret": jwt.encode(claims, "x" * 48, algorithm="HS256"),
        "alg none": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}.",
        "B's signature on A's claims": f"{header}.{_b64({**b_claims, 'tid': 'acme'})}.{signature}",
        "tid as a list": jwt.encode({**claims, "tid": ["acme"]}, "t" * 48, algorithm="HS256"),
    }


def test_forged_credentials_are_refused(
    client: TestClient, acme: Tenant, acme_co: Tenant, seeded: SeededA
) -> None:
    _, key_id, secret = acme_co.api_key[4:].split("_", 2)
    a_key_id = acme.api_key[4:].split("_", 2)[1]
    keys = {
        "B's key relabelled as A's": f"aut_acme_{key_id}_{secret}",
        "A's key id with B's secret": f"aut_acme_{a_key_id}_{secret}",
        "B's key id, empty secret": f"aut_acme-co_{key_id}_",
    }
    attempts = [{"Authorization": f"Bearer {t}"} for t in _forged_tokens(acme_co).values()]
    attempts += [{"X-API-Key": k} for k in keys.values()]
    attempts += [{"Authorization": f"Bearer {k}"} for k in keys.values()]
    for headers in attempts:
        for method, path in (
            ("GET", "/api/v1/graphs"),
            ("GET", "/api/v1/graphs/lead_scoring"),
            ("GET", "/api/v1/auth/me"),
            ("POST", "/t/acme/leads"),
        ):
            response = client.request(method, path, headers=headers, json=B_LEAD)
            assert response.status_code == 401, (headers, path, response.text)
            assert response.json()["error"]["code"] == "unauthorized"
            assert not leaks(response.text)
