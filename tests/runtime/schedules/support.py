"""Deploying the every-minute graph and driving schedulers on a clock the test controls."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from runtime.schedules.deployed import ScheduleFinder, parse_time
from runtime.schedules.local import Scheduler
from runtime.schedules.policy import CatchUp
from runtime.service.scheduling import schedule_runner
from runtime.service.state import ServiceState
from runtime.store import Directory, RunRecord, TenantStore
from tests.service.conftest import Tenant

GRAPH = Path(__file__).parents[2] / "fixtures" / "schedules" / "every-minute.graph.json"


def schedule_graph(cron: str | None = None) -> dict[str, Any]:
    graph: dict[str, Any] = json.loads(GRAPH.read_text())
    if cron is not None:
        graph["nodes"][0]["config"]["cron"] = cron
    return graph


def deploy(client: TestClient, tenant: Tenant, slug: str = "tick") -> datetime:
    """Save and deploy the graph; the first slot after it went live (a minute boundary)."""
    graph = schedule_graph()
    saved = client.post("/api/v1/graphs", json={"graph": graph}, headers=tenant.auth)
    assert saved.status_code == 201, saved.text
    deployed = client.post(
        "/api/v1/deployments", json={"slug": slug, "graph_id": graph["id"]}, headers=tenant.auth
    )
    assert deployed.status_code == 201, deployed.text
    since = parse_time(deployed.json()["deployment"]["deployed_at"])
    return since.replace(second=0, microsecond=0) + timedelta(minutes=1)


def state_of(client: TestClient) -> ServiceState:
    state: ServiceState = client.app.state.auterity  # type: ignore[attr-defined]
    return state


def scheduler(
    client: TestClient, owner: str, *, policy: CatchUp = "latest", lease_seconds: int = 60
) -> Scheduler:
    """A scheduler like the service's, that lists the schedules again on every tick."""
    state = state_of(client)
    return Scheduler(
        ScheduleFinder(state.directory),
        schedule_runner(state),
        policy=policy,
        owner=owner,
        lease_seconds=lease_seconds,
        refresh_seconds=0,
    )


def store(aws: Any, tenant: str = "acme") -> TenantStore:
    return Directory(aws, "auterity").tenant(tenant)


def schedule_runs(aws: Any) -> list[RunRecord]:
    """The tick graph's runs, oldest first."""
    return sorted(store(aws).list_runs(graph_id="tick"), key=lambda r: r.started_at)


def ran_for(run: RunRecord) -> datetime:
    """The slot a run says it ran for (its event's ``scheduled_at``), in UTC."""
    return parse_time(run.output["ran_for"]).astimezone(UTC)
