"""DynamoDB throttling: retried by the client, then a 503 with Retry-After, never a torn write.

The app under test gets the production client (``make_client``: botocore "standard" retries,
3 after the first attempt). A ``before-send`` hook on that client answers chosen requests with
``ProvisionedThroughputExceededException`` instead of sending them, so botocore's own retry
logic sees a real throttling answer and retries it (back-off is set to zero to keep this fast).
The rest of the test reads and repairs state through an unthrottled app on the same data.

This needs moto's HTTP server, not ``mock_aws``: botocore calls *every* ``before-send``
handler, so under ``mock_aws`` moto's in-process stub would still apply a request that the
hook answered as throttled.

"Torn write" is checked by throttling the n-th write of an operation (all its attempts), for
every n from the first write to one past the last: the state read back must be either the old
state or the state a clean retry converges to, and a retry must converge.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import botocore.retries.standard  # type: ignore[import-untyped]  # botocore ships no types
import pytest
from botocore.awsrequest import (  # type: ignore[import-untyped]  # botocore ships no types
    AWSPreparedRequest,
    AWSResponse,
)
from fastapi.testclient import TestClient
from httpx2 import Response  # what TestClient answers with

from runtime.service.app import create_app
from runtime.store.table import MAX_RETRIES
from tests.service.attacks.conftest import Backend, b_graph, make_tenant
from tests.service.conftest import Tenant

WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem"})
THROTTLE_BODY = json.dumps(
    {
        "__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
        "message": "The level of configured provisioned throughput for the table was exceeded.",
    }
).encode()


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


@dataclass
class Attempt:
    operation: str
    invocation: str
    table: str
    pk: str
    throttled: bool


@dataclass
class Throttle:
    """Decides per logical call (botocore's ``amz-sdk-invocation-id``) whether to throttle it.

    ``rule(operation, table, pk, write_ordinal)`` is asked once per call; every attempt of a
    throttled call is throttled, so botocore retries and then gives up.
    """

    rule: Callable[[str, str, str, int], bool] | None = None
    first_attempts: int = 0
    """Throttle only this many attempts of every call (0: use ``rule``)."""
    attempts: list[Attempt] = field(default_factory=list)
    _decided: dict[str, bool] = field(default_factory=dict)
    _writes: int = 0

    def arm(self, rule: Callable[[str, str, str, int], bool]) -> None:
        self.rule, self.first_attempts, self._writes = rule, 0, 0
        self._decided.clear()
        self.attempts.clear()

    def disarm(self) -> None:
        self.rule, self.first_attempts = None, 0

    def __call__(self, request: AWSPreparedRequest, event_name: str, **_: Any) -> Any:
        operation = event_name.rsplit(".", 1)[-1]
        invocation = request.headers.get("amz-sdk-invocation-id", b"")
        invocation = invocation.decode() if isinstance(invocation, bytes) else str(invocation)
        payload = json.loads(request.body or b"{}")
        table = payload.get("TableName", "")
        item = payload.get("Item") or payload.get("Key") or {}
        pk = item.get("PK", {}).get("S", "") if isinstance(item, dict) else ""
        if self.first_attempts:
            seen = sum(1 for a in self.attempts if a.invocation == invocation)
            throttled = seen < self.first_attempts
        elif self.rule is None:
            throttled = False
        else:
            if invocation not in self._decided:
                if operation in WRITES:
                    self._writes += 1
                ordinal = self._writes if operation in WRITES else 0
                self._decided[invocation] = self.rule(operation, table, pk, ordinal)
            throttled = self._decided[invocation]
        self.attempts.append(Attempt(operation, invocation, table, pk, throttled))
        if not throttled:
            return None
        headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "throttle"}
        return AWSResponse(request.url, 400, headers, _Raw(THROTTLE_BODY))

    @property
    def throttled_calls(self) -> int:
        return len({a.invocation for a in self.attempts if a.throttled})


@pytest.fixture
def throttle(monkeypatch: pytest.MonkeyPatch) -> Throttle:
    monkeypatch.setattr(
        botocore.retries.standard.ExponentialBackoff, "delay_amount", lambda self, ctx: 0
    )
    return Throttle()


@pytest.fixture
def client(backend: Backend) -> Iterator[TestClient]:
    """The app over an ordinary client: for setting up, reading back and retrying."""
    with TestClient(create_app(backend.config, backend.dynamodb)) as http:
        yield http


@pytest.fixture
def acme(client: TestClient, backend: Backend) -> Tenant:
    return make_tenant(client, backend.directory, "acme")


@pytest.fixture
def throttled(backend: Backend, throttle: Throttle) -> Iterator[TestClient]:
    """The app over a production-configured client whose requests ``throttle`` may refuse."""
    dynamodb = backend.new_client()
    dynamodb.meta.events.register_first("before-send.dynamodb", throttle)
    try:
        app = create_app(backend.config, dynamodb)
        with TestClient(app, raise_server_exceptions=False) as http:
            yield http
    finally:
        dynamodb.close()


def assert_unavailable(response: Response) -> None:
    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "unavailable", response.text
    retry_after = response.headers.get("retry-after")
    assert retry_after is not None, f"503 without Retry-After: {dict(response.headers)}"
    assert retry_after.isdigit(), retry_after
    assert int(retry_after) >= 1, retry_after


def _always(*_: Any) -> bool:
    return True


# --- retried, then 503 -----------------------------------------------------------------------


def test_persistent_throttling_is_retried_then_a_503(
    throttled: TestClient, throttle: Throttle, acme: Tenant
) -> None:
    throttle.arm(_always)
    response = throttled.get("/api/v1/graphs", headers=acme.auth)
    assert_unavailable(response)
    first = throttle.attempts[0].invocation
    tries = [a for a in throttle.attempts if a.invocation == first]
    assert len(tries) == 1 + MAX_RETRIES, "the client should retry a throttled call"
    assert throttle.throttled_calls == 1, "the store should give up after the client's retries"


@pytest.mark.parametrize(
    ("method", "path", "body", "credential"),
    [
        ("GET", "/api/v1/graphs/nope", None, "auth"),
        ("POST", "/api/v1/graphs", {"graph": b_graph("g")}, "auth"),
        ("GET", "/api/v1/runs", None, "key"),
        ("PUT", "/api/v1/settings", {"egress_allow": []}, "auth"),
        ("POST", "/api/v1/auth/login", "login", None),
        ("POST", "/t/acme/anything", {"x": 1}, "key"),
        ("POST", "/t/acme/anything", {"x": 1}, None),
    ],
)
def test_every_kind_of_request_maps_throttling_to_a_503(
    throttled: TestClient,
    throttle: Throttle,
    acme: Tenant,
    method: str,
    path: str,
    body: Any,
    credential: str | None,
) -> None:
    if body == "login":
        body = {"tenant": "acme", "email": "admin@example.com", "password": "whatever1"}
    headers = {"auth": acme.auth, "key": acme.key}.get(credential or "", {})
    throttle.arm(_always)
    assert_unavailable(throttled.request(method, path, json=body, headers=headers))


def test_brief_throttling_is_absorbed_by_the_retries(
    client: TestClient, throttled: TestClient, throttle: Throttle, acme: Tenant
) -> None:
    throttle.first_attempts = 2  # every call is refused twice, then served
    created = throttled.post("/api/v1/graphs", json={"graph": b_graph("g")}, headers=acme.auth)
    assert created.status_code == 201, created.text
    saved = throttled.put(
        "/api/v1/graphs/g", json={"graph": b_graph("g", "v2"), "base_version": 1},
        headers=acme.auth,
    )  # fmt: skip
    assert saved.status_code == 200, saved.text
    assert sum(a.throttled for a in throttle.attempts) >= 2 * 5
    assert client.get("/api/v1/graphs/g", headers=acme.auth).json()["version"] == 2


def test_a_throttled_idempotency_store_is_a_503_with_retry_after(
    client: TestClient, throttled: TestClient, throttle: Throttle, acme: Tenant, backend: Backend
) -> None:
    graph = b_graph("hook")
    assert client.post("/api/v1/graphs", json={"graph": graph}, headers=acme.auth).is_success
    assert client.post(
        "/api/v1/deployments", json={"slug": "hook", "graph_id": "hook"}, headers=acme.auth
    ).is_success
    idempotency_table = backend.config.idempotency_table_name
    throttle.arm(lambda op, table, pk, n: table == idempotency_table)
    response = throttled.post(
        "/t/acme/hook", json={"x": 1}, headers={**acme.key, "Idempotency-Key": "k-1"}
    )
    assert throttle.throttled_calls >= 1
    assert_unavailable(response)
    assert client.get("/api/v1/runs", headers=acme.auth).json() == []


# --- never a torn write ----------------------------------------------------------------------


@dataclass
class Op:
    """One state-changing request, how to prepare for it, and how to observe its state."""

    name: str
    setup: Callable[[TestClient, Tenant, str], None]
    request: Callable[[TestClient, Tenant, str], Response]
    observe: Callable[[TestClient, Tenant, str], Any]
    done: frozenset[int]
    """Statuses a repeat of an already-applied request may answer (409 for a create, ...)."""


def _graph_state(http: TestClient, tenant: Tenant, name: str) -> Any:
    """The graph as readers see it, checked for internal consistency on the way."""
    head = http.get(f"/api/v1/graphs/{name}", headers=tenant.auth)
    listed = [g for g in http.get("/api/v1/graphs", headers=tenant.auth).json()
              if g["graph_id"] == name]  # fmt: skip
    if head.status_code == 404:
        assert listed == [], f"{name}: listed but not readable"
        assert http.get(f"/api/v1/graphs/{name}/versions", headers=tenant.auth).status_code == 404
        return None
    assert head.status_code == 200, head.text
    version = head.json()["version"]
    assert [g["version"] for g in listed] == [version], f"{name}: list and head disagree"
    versions = http.get(f"/api/v1/graphs/{name}/versions", headers=tenant.auth).json()
    assert [v["version"] for v in versions] == list(range(version, 0, -1)), versions
    bodies = []
    for info in versions:
        stored = http.get(f"/api/v1/graphs/{name}/versions/{info['version']}", headers=tenant.auth)
        assert stored.status_code == 200, stored.text
        assert stored.json()["hash"] == info["hash"]
        bodies.append(stored.json()["graph"])
    assert bodies[0] == head.json()["graph"]
    return (version, json.dumps(bodies, sort_keys=True))


def _deployment_state(http: TestClient, tenant: Tenant, slug: str) -> Any:
    got = http.get(f"/api/v1/deployments/{slug}", headers=tenant.auth)
    listed = [d["deployment"] for d in http.get("/api/v1/deployments", headers=tenant.auth).json()
              if d["deployment"]["slug"] == slug]  # fmt: skip
    if got.status_code == 404:
        assert listed == []
        return None
    deployment = got.json()["deployment"]
    assert listed == [deployment]
    graph = http.get(
        f"/api/v1/graphs/{deployment['graph_id']}/versions/{deployment['version']}",
        headers=tenant.auth,
    )
    assert graph.status_code == 200, "a deployment of a version that does not exist"
    return (deployment["graph_id"], deployment["version"])


def _create_two_versions(http: TestClient, tenant: Tenant, name: str) -> None:
    assert http.post(
        "/api/v1/graphs", json={"graph": b_graph(name)}, headers=tenant.auth
    ).is_success
    assert http.put(
        f"/api/v1/graphs/{name}", json={"graph": b_graph(name, "second"), "base_version": 1},
        headers=tenant.auth,
    ).is_success  # fmt: skip


def _deploy(http: TestClient, tenant: Tenant, name: str, version: int | None = None) -> Response:
    body: dict[str, Any] = {"slug": _slug(name), "graph_id": name}
    if version is not None:
        body["version"] = version
    return http.post("/api/v1/deployments", json=body, headers=tenant.auth)


def _slug(name: str) -> str:
    return name.replace("_", "-")


def _deployed_at(version: int) -> Callable[[TestClient, Tenant, str], None]:
    def setup(http: TestClient, tenant: Tenant, name: str) -> None:
        _create_two_versions(http, tenant, name)
        assert _deploy(http, tenant, name, version).status_code == 201

    return setup


OPS = [
    Op(
        "create",
        setup=lambda http, t, name: None,
        request=lambda http, t, name: http.post(
            "/api/v1/graphs", json={"graph": b_graph(name, "created")}, headers=t.auth
        ),
        observe=_graph_state,
        done=frozenset({409}),
    ),
    Op(
        "save",
        setup=lambda http, t, name: _create_two_versions(http, t, name),
        request=lambda http, t, name: http.put(
            f"/api/v1/graphs/{name}",
            json={"graph": b_graph(name, "third"), "base_version": 2},
            headers=t.auth,
        ),
        observe=_graph_state,
        done=frozenset({409}),
    ),
    Op(
        "delete",
        setup=lambda http, t, name: _create_two_versions(http, t, name),
        request=lambda http, t, name: http.delete(f"/api/v1/graphs/{name}", headers=t.auth),
        observe=_graph_state,
        done=frozenset({404}),
    ),
    Op(
        "deploy",
        setup=lambda http, t, name: _create_two_versions(http, t, name),
        request=lambda http, t, name: _deploy(http, t, name, 1),
        observe=lambda http, t, name: _deployment_state(http, t, _slug(name)),
        done=frozenset(),
    ),
    Op(
        "redeploy",
        setup=_deployed_at(1),
        request=lambda http, t, name: _deploy(http, t, name, 2),
        observe=lambda http, t, name: _deployment_state(http, t, _slug(name)),
        done=frozenset(),
    ),
    Op(
        "rollback",
        setup=_deployed_at(2),
        request=lambda http, t, name: http.post(
            f"/api/v1/deployments/{_slug(name)}/rollback", json={"version": 1}, headers=t.auth
        ),
        observe=lambda http, t, name: _deployment_state(http, t, _slug(name)),
        done=frozenset({422}),  # already at version 1: "a rollback goes to a version before 1"
    ),
    Op(
        "undeploy",
        setup=_deployed_at(2),
        request=lambda http, t, name: http.delete(
            f"/api/v1/deployments/{_slug(name)}", headers=t.auth
        ),
        observe=lambda http, t, name: _deployment_state(http, t, _slug(name)),
        done=frozenset({404}),
    ),
]

MAX_WRITES = 10
"""More writes than any operation above makes: the last round is never throttled. (An audit
event is queued in one write; the writes that seal it into the chain are best effort: throttled,
they leave it queued for the next writer instead of failing the request.)"""


def _main_table_write(table_name: str, n: int) -> Callable[[str, str, str, int], bool]:
    return lambda op, table, pk, ordinal: table == table_name and ordinal == n


@pytest.mark.parametrize("op", OPS, ids=[op.name for op in OPS])
def test_throttling_any_write_never_tears_state(
    client: TestClient,
    throttled: TestClient,
    throttle: Throttle,
    acme: Tenant,
    backend: Backend,
    op: Op,
) -> None:
    outcomes = {}
    for n in range(1, MAX_WRITES + 1):
        name = f"{op.name}_{n}"
        op.setup(client, acme, name)
        old = op.observe(client, acme, name)
        throttle.arm(_main_table_write(backend.config.table_name, n))
        response = op.request(throttled, acme, name)
        throttle.disarm()
        outcomes[n] = response.status_code
        if response.status_code == 503:
            assert_unavailable(response)
        else:
            assert response.is_success, (n, response.text)
        middle = op.observe(client, acme, name)
        retried = op.request(client, acme, name)
        assert retried.is_success or retried.status_code in op.done, (n, retried.text)
        final = op.observe(client, acme, name)
        assert final != old, f"{op.name}: the operation never took effect"
        assert middle in (old, final), (
            f"{op.name} with write {n} throttled left a third state:\n"
            f"old={old}\nmiddle={middle}\nfinal={final}"
        )
        if response.is_success:
            assert middle == final
    assert 503 in outcomes.values(), f"no write of {op.name} was throttled: {outcomes}"
    assert outcomes[MAX_WRITES] in (200, 201, 204), outcomes


# --- a change that took effect is on the audit trail -------------------------------------------


@pytest.mark.parametrize("op", [op for op in OPS if op.name in ("save", "deploy", "delete")],
                         ids=lambda op: op.name)  # fmt: skip
def test_a_change_that_took_effect_is_audited(
    client: TestClient,
    throttled: TestClient,
    throttle: Throttle,
    acme: Tenant,
    backend: Backend,
    op: Op,
) -> None:
    """Found: routes change state first and append the audit event after, in a second write.

    When only the audit write is throttled the change stays in force (the caller gets a 503
    and may well not retry), and the audit log never learns of it.
    """
    store = backend.directory.tenant("acme")
    name = f"audited_{op.name}"
    op.setup(client, acme, name)
    old = op.observe(client, acme, name)
    before = {e.event_id for e in store.list_audit(1000)}
    throttle.arm(lambda kind, table, pk, n: pk.endswith(("#AUDIT", "#AUDITQ")))
    response = op.request(throttled, acme, name)
    throttle.disarm()
    assert throttle.throttled_calls == 1
    changed = op.observe(client, acme, name) != old
    new_events = [e for e in store.list_audit(1000) if e.event_id not in before]
    assert not changed or new_events, (
        f"{op.name}: answered {response.status_code}, the change took effect, "
        "and the audit log has no event for it"
    )
