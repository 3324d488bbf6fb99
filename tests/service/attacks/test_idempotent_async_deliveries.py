"""``?async=1`` honours ``Idempotency-Key`` exactly as a synchronous delivery does.

Found (issue 13, item 6): 20 concurrent ``POST /t/<tenant>/<slug>?async=1`` with one key gave
20 x 202 and 20 runs. On the real server, a burst with one key must start one run, every 202
must name it, polling must show its result, and the key must refuse another body (422) as the
synchronous path does. The graph waits 0.3 s, so duplicates arrive while the run is queued or
running.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest

from tests.service.attacks.conftest import Live
from tests.service.attacks.test_idempotent_deliveries import deploy, runs_of, slow_echo

BURST = 20


@dataclass
class Accepted:
    status: int
    body: Any
    location: str | None


def deliver_async(live: Live, key: str | None, body: Any) -> Accepted:
    headers = {**live.a.key, **({"Idempotency-Key": key} if key is not None else {})}
    with live.http() as http:
        response = http.post(f"/t/{live.a.id}/slow?async=1", json=body, headers=headers)
    return Accepted(response.status_code, response.json(), response.headers.get("location"))


def poll_until_done(live: Live, run_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 15
    with live.http() as http:
        while True:
            run = http.get(f"/api/v1/runs/{run_id}", headers=live.a.key)
            assert run.status_code == 200, run.text
            record: dict[str, Any] = run.json()
            if record["status"] not in ("queued", "running"):
                return record
            assert time.monotonic() < deadline, f"run {run_id} never finished: {record}"
            time.sleep(0.05)


def burst(live: Live, key: str, body: Any, count: int = BURST) -> list[Accepted]:
    start = threading.Barrier(count, timeout=30)

    def one(_: int) -> Accepted:
        start.wait()
        return deliver_async(live, key, body)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(one, range(count)))


@pytest.fixture
def slow(live: Live) -> Live:
    with live.http() as http:
        deploy(http, live.a, "slow", slow_echo())
    return live


def test_a_burst_of_async_duplicates_starts_one_run(slow: Live) -> None:
    body = {"order": 6}
    answers = burst(slow, "async-burst", body)
    assert [a.status for a in answers] == [202] * BURST, [(a.status, a.body) for a in answers]
    run_ids = {a.body["run_id"] for a in answers}
    assert len(run_ids) == 1, run_ids
    (run_id,) = run_ids
    assert {a.location for a in answers} == {f"/api/v1/runs/{run_id}"}
    assert {a.body["poll"] for a in answers} == {f"/api/v1/runs/{run_id}"}
    done = poll_until_done(slow, run_id)
    assert done["status"] == "succeeded", done
    assert done["output"]["body"] == {"echo": body}
    assert done["idempotency_key"] == "async-burst"
    assert [r["run_id"] for r in runs_of(slow, slow.a)] == [run_id]
    # A retry long after the run finished: the same run, reported as it is now, no new run.
    again = deliver_async(slow, "async-burst", body)
    assert again.status == 202, again
    assert (again.body["run_id"], again.body["status"]) == (run_id, "succeeded")
    assert len(runs_of(slow, slow.a)) == 1


def test_another_key_starts_another_run(slow: Live) -> None:
    first = deliver_async(slow, "async-1", {"n": 1})
    second = deliver_async(slow, "async-2", {"n": 1})
    unkeyed = deliver_async(slow, None, {"n": 1})
    assert (first.status, second.status, unkeyed.status) == (202, 202, 202)
    ids = {first.body["run_id"], second.body["run_id"], unkeyed.body["run_id"]}
    assert len(ids) == 3
    for run_id in ids:
        assert poll_until_done(slow, run_id)["status"] == "succeeded"
    assert {r["run_id"] for r in runs_of(slow, slow.a)} == ids


def test_the_same_key_with_another_body_is_refused_as_sync_does(slow: Live) -> None:
    first = deliver_async(slow, "async-body", {"amount": 10})
    assert first.status == 202, first
    other = deliver_async(slow, "async-body", {"amount": 99})
    assert other.status == 422, other
    assert other.body["error"]["code"] == "idempotency_mismatch"
    # The key names an asynchronous delivery: a synchronous one with it is another request.
    with slow.http() as http:
        sync = http.post(
            f"/t/{slow.a.id}/slow",
            json={"amount": 10},
            headers={**slow.a.key, "Idempotency-Key": "async-body"},
        )
    assert sync.status_code == 422, sync.text
    assert sync.json()["error"]["code"] == "idempotency_mismatch"
    poll_until_done(slow, first.body["run_id"])
    assert [r["run_id"] for r in runs_of(slow, slow.a)] == [first.body["run_id"]]


def test_bad_async_keys_are_refused_before_running(slow: Live) -> None:
    for key in ("k" * 257, "tab\there"):
        refused = deliver_async(slow, key, {"x": 1})
        assert refused.status == 422, refused
        assert "Idempotency-Key" in refused.body["error"]["message"]
    assert runs_of(slow, slow.a) == []
