"""What an endpoint request may read from a few seconds ago, and what it may not.

A change made through this service is seen by its very next request; a change made elsewhere
(another Lambda instance, written straight to the table here) is seen once ``cache_seconds``
has passed. An entry never answers for another tenant or another secret.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from runtime.service.app import create_app
from runtime.service.config import ServiceConfig
from runtime.store import Directory
from tests.service.conftest import Tenant, _tenant
from tests.service.test_endpoints import HOT, _deploy

TTL = 0.3


@pytest.fixture
def config() -> ServiceConfig:
    return ServiceConfig(token_secret="t" * 48, max_run_seconds=5, cache_seconds=TTL)


def _calls(aws: Any) -> list[str]:
    """The DynamoDB operations the app makes from now on, but for the audit trail's (each
    endpoint run appends an event, and appending reads the chain's head, never a cache)."""
    seen: list[str] = []

    def record(model: Any, params: dict[str, Any], **_: Any) -> None:
        item = params.get("Item") or params.get("Key") or {}
        pk = item.get("PK", {}).get("S", "") if isinstance(item, dict) else ""
        values = params.get("ExpressionAttributeValues", {})
        pk = pk or values.get(":PK", {}).get("S", "")
        if not pk.endswith(("#AUDIT", "#AUDITQ")):
            seen.append(model.name)

    aws.meta.events.register("before-parameter-build.dynamodb.*", record)
    return seen


def test_repeated_requests_read_key_deployment_and_settings_once(
    client: TestClient, aws: Any, acme: Tenant
) -> None:
    _deploy(client, acme, "lead-scoring", "leads")
    assert client.post("/t/acme/leads", json=HOT, headers=acme.key).status_code == 200
    calls = _calls(aws)
    for _ in range(5):
        assert client.post("/t/acme/leads", json=HOT, headers=acme.key).status_code == 200
    assert calls == ["PutItem"] * 5  # one run record each, nothing read


def test_a_key_revoked_through_the_api_stops_working_at_once(
    client: TestClient, acme: Tenant
) -> None:
    _deploy(client, acme, "lead-scoring", "leads")
    created = client.post(
        "/api/v1/api-keys", json={"name": "partner", "role": "editor"}, headers=acme.auth
    ).json()
    partner = {"X-API-Key": created["secret"]}
    assert client.post("/t/acme/leads", json=HOT, headers=partner).status_code == 200
    revoked = client.delete(f"/api/v1/api-keys/{created['key']['key_id']}", headers=acme.auth)
    assert revoked.status_code == 204
    refused = client.post("/t/acme/leads", json=HOT, headers=partner)
    assert refused.status_code == 401


def test_a_key_revoked_elsewhere_stops_working_within_the_ttl(
    client: TestClient, aws: Any, acme: Tenant
) -> None:
    _deploy(client, acme, "lead-scoring", "leads")
    store = Directory(aws, "auterity").tenant("acme")
    key, secret = store.create_api_key("partner", "editor")
    partner = {"X-API-Key": secret}
    assert client.post("/t/acme/leads", json=HOT, headers=partner).status_code == 200
    store.revoke_api_key(key.key_id)  # another instance did it: this one cannot know yet
    deadline = time.monotonic() + TTL + 2.0
    while client.post("/t/acme/leads", json=HOT, headers=partner).status_code == 200:
        assert time.monotonic() < deadline, "a revoked key kept working past the cache TTL"
        time.sleep(0.05)
    assert client.post("/t/acme/leads", json=HOT, headers=partner).status_code == 401


def test_redeploy_and_rollback_are_served_by_the_next_request(
    client: TestClient, acme: Tenant
) -> None:
    _deploy(client, acme, "http-echo", "echo")
    first = client.post("/t/acme/echo", json={"n": 1}, headers=acme.key)
    assert first.status_code == 200
    graph = client.get("/api/v1/graphs/http_echo", headers=acme.auth).json()
    saved = client.put(
        "/api/v1/graphs/http_echo",
        json={"graph": graph["graph"], "base_version": 1, "message": "again"},
        headers=acme.auth,
    )
    assert saved.status_code == 200
    client.post(
        "/api/v1/deployments", json={"slug": "echo", "graph_id": "http_echo"}, headers=acme.auth
    )
    run_of: Callable[[Any], Any] = lambda r: client.get(  # noqa: E731
        f"/api/v1/runs/{r.headers['x-auterity-run-id']}", headers=acme.auth
    ).json()["version"]
    assert run_of(client.post("/t/acme/echo", json={}, headers=acme.key)) == 2
    client.post("/api/v1/deployments/echo/rollback", json={"version": 1}, headers=acme.auth)
    assert run_of(client.post("/t/acme/echo", json={}, headers=acme.key)) == 1
    assert client.delete("/api/v1/deployments/echo", headers=acme.auth).status_code == 204
    assert client.post("/t/acme/echo", json={}, headers=acme.key).status_code == 404


def test_cached_entries_never_answer_for_another_tenant(
    client: TestClient, aws: Any, acme: Tenant
) -> None:
    _deploy(client, acme, "lead-scoring", "leads")
    assert client.post("/t/acme/leads", json=HOT, headers=acme.key).status_code == 200
    other = _tenant(client, aws, "acme-co")
    # acme's deployment and key are cached; acme-co has neither deployment nor acme's key.
    assert client.post("/t/acme-co/leads", json=HOT, headers=other.key).status_code == 404
    assert client.post("/t/acme-co/leads", json=HOT, headers=acme.key).status_code == 404
    assert client.post("/t/acme/leads", json=HOT, headers=other.key).status_code == 404


@pytest.fixture
def uncached(aws: Any) -> Iterator[TestClient]:
    config = ServiceConfig(token_secret="t" * 48, max_run_seconds=5, cache_seconds=0)
    with TestClient(create_app(config, aws)) as test_client:
        yield test_client


def test_cache_seconds_zero_reads_every_time(uncached: TestClient, aws: Any) -> None:
    acme = _tenant(uncached, aws, "acme")
    _deploy(uncached, acme, "lead-scoring", "leads")
    store = Directory(aws, "auterity").tenant("acme")
    key, secret = store.create_api_key("partner", "editor")
    partner = {"X-API-Key": secret}
    assert uncached.post("/t/acme/leads", json=HOT, headers=partner).status_code == 200
    store.revoke_api_key(key.key_id)
    assert uncached.post("/t/acme/leads", json=HOT, headers=partner).status_code == 401


def test_warm_requests_are_resolved_without_a_worker_thread(
    client: TestClient, acme: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A warm request resolves its key, deployment and executor from memory on the event loop;
    only the run record's write goes to a worker thread."""
    from starlette.concurrency import run_in_threadpool  # the function both modules import

    from runtime.service import run_recording
    from runtime.service.routes import endpoints

    _deploy(client, acme, "lead-scoring", "leads")
    assert client.post("/t/acme/leads", json=HOT, headers=acme.key).status_code == 200
    hops: list[str] = []

    def counting(real: Any) -> Any:
        async def hop(fn: Any, *args: Any, **kwargs: Any) -> Any:
            hops.append(getattr(fn, "__name__", repr(fn)))
            return await real(fn, *args, **kwargs)

        return hop

    monkeypatch.setattr(endpoints, "run_in_threadpool", counting(run_in_threadpool))
    monkeypatch.setattr(run_recording, "run_in_threadpool", counting(run_in_threadpool))
    answer = client.post("/t/acme/leads", json=HOT, headers=acme.key)
    assert answer.status_code == 200
    assert hops == ["put_run"]  # lead-scoring's PII is not audited per run (AUDITED_CLASSES)


def test_a_cold_cache_still_resolves_through_a_worker_thread(
    client: TestClient, acme: Tenant
) -> None:
    _deploy(client, acme, "lead-scoring", "leads")
    state = client.app.state.auterity  # type: ignore[attr-defined]
    state.lookups.forget("acme")
    state.executors.clear()
    answer = client.post("/t/acme/leads", json=HOT, headers=acme.key)
    assert answer.status_code == 200
    assert answer.json()["tier"] == "hot"


def test_requests_that_miss_together_share_one_read() -> None:
    """An entry expiring under load: every request in flight misses, only one reads."""
    import threading

    from runtime.service.lookups import Lookups

    lookups, reads, started = Lookups(60), [], threading.Event()
    store: Any = type("Store", (), {"tenant_id": "acme"})()

    def slow_read() -> Any:
        reads.append(1)
        started.set()
        time.sleep(0.2)
        return {"revision": 1}

    store.get_settings = slow_read
    answers: list[Any] = []
    threads = [
        threading.Thread(target=lambda: answers.append(lookups.settings(store))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(reads) == 1
    assert answers == [{"revision": 1}] * 8


def test_a_read_that_began_before_forget_is_not_cached_after_it() -> None:
    """Otherwise a revoke made meanwhile would be undone for a whole TTL by the older read."""
    import threading

    from runtime.service.lookups import Lookups

    lookups, reading, resume = Lookups(60), threading.Event(), threading.Event()
    values = iter([{"revision": 1}, {"revision": 2}])
    store: Any = type("Store", (), {"tenant_id": "acme"})()

    def read() -> Any:
        reading.set()
        resume.wait(5)
        return next(values)

    store.get_settings = read
    first: list[Any] = []
    reader = threading.Thread(target=lambda: first.append(lookups.settings(store)))
    reader.start()
    reading.wait(5)
    lookups.forget("acme")  # the settings changed while the old value was on its way
    resume.set()
    reader.join()
    assert first == [{"revision": 1}]  # that request got what it read...
    kept: Any = lookups.settings(store)  # the stand-in store's settings are plain dicts
    assert kept == {"revision": 2}  # ...but it was not kept
