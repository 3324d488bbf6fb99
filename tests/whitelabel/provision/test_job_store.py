"""Jobs kept in the store's table under the provisioned tenant's prefix."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from moto import mock_aws

from runtime.store import create_table, make_client
from whitelabel.provision.job_store import StoreJobSink
from whitelabel.provision.jobs import Job, JobRun


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        dynamodb = make_client(region="us-east-1")
        create_table(dynamodb, "auterity")
        yield dynamodb


def test_every_change_is_readable_while_the_job_runs(client: Any) -> None:
    sink = StoreJobSink(client, "auterity")
    run = JobRun(Job(tenant="acme", kind="provision", target="local"), sink)
    with run.step("synth") as log:
        log.note("18 resources")
        during = sink.get("acme", run.job.id)
        assert during is not None
        assert during.steps[0].status == "running"
        assert during.steps[0].messages == ["18 resources"]
    run.finish({"ApiUrl": "https://x/live/"})
    done = sink.get("acme", run.job.id)
    assert done is not None
    assert done.status == "succeeded"
    assert done.outputs == {"ApiUrl": "https://x/live/"}
    assert [j.id for j in sink.list("acme")] == [run.job.id]
    item = client.get_item(
        TableName="auterity",
        Key={"PK": {"S": "TENANT#acme#JOBS"}, "SK": {"S": f"JOB#{run.job.id}"}},
    )["Item"]
    assert item["status"] == {"S": "succeeded"}


def test_other_tenants_jobs_are_not_found(client: Any) -> None:
    sink = StoreJobSink(client, "auterity")
    run = JobRun(Job(tenant="acme", kind="provision", target="local"), sink)
    assert sink.get("globex", run.job.id) is None
    assert sink.list("globex") == []


def test_a_long_event_stream_still_fits_one_item(client: Any) -> None:
    sink = StoreJobSink(client, "auterity")
    run = JobRun(Job(tenant="acme", kind="provision", target="local"), sink)
    for name in ("deploy", "platform", "update"):
        with run.step(name) as log:
            for i in range(40):
                log.note(f"{i:04d} " + "x" * 5000)
    kept = sink.get("acme", run.job.id)
    assert kept is not None
    assert kept.steps[0].messages[-1].startswith("0039")  # the newest kept
    assert len(kept.steps[0].messages) < 40  # the oldest dropped to fit
