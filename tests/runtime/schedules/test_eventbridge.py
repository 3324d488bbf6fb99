"""AWS mode: deploy, re-deploy, rollback and undeploy keep an EventBridge schedule in step."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3  # type: ignore[import-untyped]  # boto3 ships no types
import pytest
from fastapi.testclient import TestClient

from runtime.schedules.eventbridge import ScheduleNotSupported, eventbridge_cron
from runtime.service.app import create_app
from runtime.service.config import ServiceConfig
from runtime.store import Directory
from tests.runtime.schedules.support import schedule_graph

NAME = "auterity-acme-tick"


@pytest.mark.parametrize(
    ("cron", "expression"),
    [
        ("* * * * *", "cron(* * * * ? *)"),
        ("0 9 * * MON-FRI", "cron(0 9 ? * MON,TUE,WED,THU,FRI *)"),
        ("30 2 1 * *", "cron(30 2 1 * ? *)"),
        ("0 0 * * 5-7", "cron(0 0 ? * SUN,FRI,SAT *)"),
        ("*/15 */2 * * 0,7", "cron(0/15 0/2 ? * SUN *)"),
        ("0 9 * * 5L", "cron(0 9 ? * 6L *)"),
        ("0 9 * * 1#2", "cron(0 9 ? * 2#2 *)"),
    ],
)
def test_five_field_crons_become_eventbridge_expressions(cron: str, expression: str) -> None:
    assert eventbridge_cron(cron) == expression


def test_a_cron_restricting_both_days_has_no_eventbridge_form() -> None:
    with pytest.raises(ScheduleNotSupported, match="day of month and day of week"):
        eventbridge_cron("0 9 1 * MON")


@pytest.fixture
def aws_mode(aws: Any) -> Iterator[tuple[TestClient, dict[str, str], Any]]:
    """The service deploying to (moto's) Lambda, with an admin key of tenant acme."""
    directory = Directory(aws, "auterity")
    directory.create_tenant("acme", "Acme")
    _, key = directory.tenant("acme").create_api_key("ci", "admin")
    config = ServiceConfig(token_secret="t" * 48, deploy_target="lambda")
    with TestClient(create_app(config, aws)) as client:
        yield client, {"X-API-Key": key}, boto3.client("scheduler", region_name="us-east-1")


def _save(client: TestClient, headers: dict[str, str], graph: dict[str, Any], base: int) -> int:
    if base == 0:
        answer = client.post("/api/v1/graphs", json={"graph": graph}, headers=headers)
    else:
        body = {"graph": graph, "base_version": base}
        answer = client.put(f"/api/v1/graphs/{graph['id']}", json=body, headers=headers)
    assert answer.is_success, answer.text
    version: int = answer.json()["version"]["version"]
    return version


def _deploy(client: TestClient, headers: dict[str, str], version: int) -> dict[str, Any]:
    body = {"slug": "tick", "graph_id": "tick", "version": version}
    answer = client.post("/api/v1/deployments", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    view: dict[str, Any] = answer.json()
    return view


def _schedule(scheduler: Any) -> dict[str, Any] | None:
    try:
        found: dict[str, Any] = scheduler.get_schedule(Name=NAME)
    except scheduler.exceptions.ResourceNotFoundException:
        return None
    return found


def test_deploy_creates_the_schedule_in_its_zone_and_redeploy_updates_it(
    aws_mode: tuple[TestClient, dict[str, str], Any],
) -> None:
    client, headers, scheduler = aws_mode
    deployed = _deploy(client, headers, _save(client, headers, schedule_graph(), 0))
    created = _schedule(scheduler)
    assert created is not None
    assert created["ScheduleExpression"] == "cron(* * * * ? *)"
    assert created["ScheduleExpressionTimezone"] == "Europe/Berlin"
    # The graph is a state machine in AWS mode: the schedule starts its live alias.
    assert created["Target"]["Arn"] == deployed["aws"]["alias_arn"]
    assert json.loads(created["Target"]["Input"]) == {
        "trigger": {"scheduled_at": "<aws.scheduler.scheduled-time>"}
    }
    role = created["Target"]["RoleArn"].rsplit("/", 1)[-1]
    policy = boto3.client("iam").get_role_policy(RoleName=role, PolicyName="invoke-own-functions")
    invoke, start = policy["PolicyDocument"]["Statement"]
    assert invoke["Resource"].endswith(":function:auterity-acme-*")  # its tenant's only
    assert start["Action"] == "states:StartExecution"
    assert start["Resource"].endswith(":stateMachine:auterity-acme_graph-*")
    _deploy(client, headers, _save(client, headers, schedule_graph("0 9 * * MON-FRI"), 1))
    updated = _schedule(scheduler)
    assert updated is not None
    assert updated["ScheduleExpression"] == "cron(0 9 ? * MON,TUE,WED,THU,FRI *)"


def test_rollback_to_a_version_without_a_schedule_removes_it_and_undeploy_too(
    aws_mode: tuple[TestClient, dict[str, str], Any],
) -> None:
    client, headers, scheduler = aws_mode
    manual = schedule_graph()
    manual["nodes"][0] = {"id": "clock", "type": "trigger.manual", "config": {}}
    v1 = _save(client, headers, manual, 0)
    v2 = _save(client, headers, schedule_graph(), v1)
    _deploy(client, headers, v2)
    assert _schedule(scheduler) is not None
    back = client.post("/api/v1/deployments/tick/rollback", json={"version": v1}, headers=headers)
    assert back.status_code == 200, back.text
    assert _schedule(scheduler) is None
    _deploy(client, headers, v2)
    assert _schedule(scheduler) is not None
    assert client.delete("/api/v1/deployments/tick", headers=headers).status_code == 204
    assert _schedule(scheduler) is None


def test_a_cron_eventbridge_cannot_express_is_refused_before_anything_ships(
    aws_mode: tuple[TestClient, dict[str, str], Any],
) -> None:
    client, headers, scheduler = aws_mode
    version = _save(client, headers, schedule_graph("0 9 1 * MON"), 0)
    body = {"slug": "tick", "graph_id": "tick", "version": version}
    refused = client.post("/api/v1/deployments", json=body, headers=headers)
    assert refused.status_code == 422
    assert refused.json()["error"]["message"].startswith("cron:")
    assert _schedule(scheduler) is None
    assert boto3.client("lambda", region_name="us-east-1").list_functions()["Functions"] == []
