"""AWS mode: a deployment with a Schedule trigger gets an EventBridge Scheduler schedule.

The schedule (named as the function, ``auterity-<tenant>-<slug>``, in the default group)
invokes the deployment's function with ``{"scheduled_at": <the slot, UTC>}`` on the node's
cron, in the node's time zone (``ScheduleExpressionTimezone``), so "9:00 on weekdays in
Berlin" follows DST there as it does locally. Deploy and rollback create, update or (to a
version without a Schedule trigger) delete it; undeploy deletes it. Its role may invoke only
that tenant's functions.

Cron: EventBridge has six fields (a year last) and wants ``?`` in one of day-of-month and
day-of-week, and numbers its week days from Sunday = 1. A five-field cron that restricts both
days (which cron reads as "either") has no EventBridge form and is refused at deploy.
"""

from __future__ import annotations

import json
import re
from typing import Any

from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from nodes.triggers.schedule import ScheduleConfig

DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
ASSUME_SCHEDULER = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "scheduler.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
_SPECIAL_DAY = re.compile(r"([0-7]|[A-Z]{3})(L|#[1-5])")
SCHEDULED_TIME = "<aws.scheduler.scheduled-time>"
"""EventBridge Scheduler's context attribute: the slot the invocation is for (UTC)."""


class ScheduleNotSupported(ValueError):
    """The cron has no EventBridge Scheduler form."""


def _day_number(token: str) -> int:
    value = token.upper()
    if value in DAYS:
        return DAYS.index(value)
    if value.isdigit() and 0 <= int(value) <= 7:
        return int(value) % 7
    raise ScheduleNotSupported(f"day of week {token!r} is not 0-7 or SUN-SAT")


def _days(field: str) -> str:
    """A cron day-of-week field as EventBridge's: day names, ranges and steps spelled out."""
    special = _SPECIAL_DAY.fullmatch(field.upper())
    if special:  # "5L" (the last Friday), "1#2" (the second Monday): EventBridge's numbers
        return f"{_day_number(special[1]) + 1}{special[2]}"
    chosen: set[int] = set()
    for item in field.split(","):
        span, _, step = item.partition("/")
        if span == "*":
            low, high = 0, 6
        elif "-" in span:
            first, last = span.split("-", 1)
            low, high = _day_number(first), _day_number(last)
        else:
            low = high = _day_number(span)
        if high < low:  # "FRI-SUN", "5-7": through the week's end
            high += 7
        chosen.update(day % 7 for day in range(low, high + 1, int(step) if step else 1))
    if len(chosen) == 7:
        return "*"
    return ",".join(DAYS[day] for day in sorted(chosen))


def eventbridge_cron(cron: str) -> str:
    """``0 9 * * MON-FRI`` -> ``cron(0 9 ? * MON,TUE,WED,THU,FRI *)``."""
    fields = cron.split()
    if len(fields) != 5:
        raise ScheduleNotSupported("cron needs 5 fields")
    minute, hour, day, month, weekday = fields
    weekdays = _days(weekday)
    if weekdays == "*":
        weekdays = "?"
    elif day != "*":
        raise ScheduleNotSupported(
            "a cron that restricts both day of month and day of week cannot run on EventBridge"
            " Scheduler; use one of them"
        )
    else:
        day = "?"
    minute, hour = _start(minute, "0"), _start(hour, "0")
    day, month = _start(day, "1"), _start(month, "1")
    return f"cron({minute} {hour} {day} {month} {weekdays} *)"


def _start(field: str, first: str) -> str:
    """``*/15`` as EventBridge documents it, ``0/15`` (from the field's first value)."""
    return first + field[1:] if field.startswith("*/") else field


def _missing(exc: ClientError) -> bool:
    code = exc.response.get("Error", {}).get("Code", "")
    return code in ("ResourceNotFoundException", "NoSuchEntity", "NotFoundException")


class EventBridgeSchedules:
    """Creates, updates and deletes deployments' schedules. Clients are injected."""

    def __init__(self, scheduler: Any, iam: Any) -> None:
        self._scheduler = scheduler
        self._iam = iam

    @classmethod
    def from_environment(cls) -> EventBridgeSchedules:
        """Clients from boto3's standard configuration (``AWS_ENDPOINT_URL`` locally)."""
        import boto3  # type: ignore[import-untyped]  # AWS mode only: boto3 with its clients

        return cls(boto3.client("scheduler"), boto3.client("iam"))

    def sync(
        self,
        name: str,
        config: ScheduleConfig | None,
        function_arn: str,
        *,
        tenant_id: str,
        role_name: str,
        machine: bool = False,
    ) -> None:
        """Make the deployment's schedule ``name`` match its version (created, updated, deleted).

        ``config`` None: the version has no Schedule trigger, so the schedule goes. Raises
        ``ScheduleNotSupported`` before changing anything when the cron has no EventBridge form.
        ``machine``: the target is the deployment's state machine (its ``live`` alias), started
        with the slot as its trigger event, not a function.
        """
        if config is None:
            self.remove(name)
            return
        request: dict[str, Any] = {
            "Name": name,
            "ScheduleExpression": eventbridge_cron(config.cron),
            "ScheduleExpressionTimezone": config.timezone,
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "State": "ENABLED",
            "Description": f"Auterity {name}: {config.cron} ({config.timezone})",
            "Target": {
                "Arn": function_arn,
                "RoleArn": self._role_arn(role_name, tenant_id, function_arn),
                "Input": json.dumps(
                    {"trigger": {"scheduled_at": SCHEDULED_TIME}}
                    if machine
                    else {"scheduled_at": SCHEDULED_TIME}
                ),
                "RetryPolicy": {"MaximumRetryAttempts": 0, "MaximumEventAgeInSeconds": 3600},
            },
        }
        try:
            self._scheduler.update_schedule(**request)
        except ClientError as exc:
            if not _missing(exc):
                raise
            self._scheduler.create_schedule(**request)

    def remove(self, name: str) -> None:
        """Delete the schedule, if there is one."""
        try:
            self._scheduler.delete_schedule(Name=name)
        except ClientError as exc:
            if not _missing(exc):
                raise

    def _role_arn(self, name: str, tenant_id: str, target_arn: str) -> str:
        """The tenant's scheduler role: start its own graphs only (created if missing)."""
        try:
            arn: str = self._iam.get_role(RoleName=name)["Role"]["Arn"]
        except ClientError as exc:
            if not _missing(exc):
                raise
            arn = self._iam.create_role(
                RoleName=name,
                AssumeRolePolicyDocument=json.dumps(ASSUME_SCHEDULER),
                Description=f"Starts scheduled graphs of tenant {tenant_id}.",
            )["Role"]["Arn"]
        functions = target_arn.split(":")[:5]  # arn:aws:<service>:<region>:<account>
        lambdas = ":".join([*functions[:2], "lambda", *functions[3:]])
        states = ":".join([*functions[:2], "states", *functions[3:]])
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "lambda:InvokeFunction",
                    "Resource": f"{lambdas}:function:auterity-{tenant_id}-*",
                },
                {
                    "Effect": "Allow",
                    "Action": "states:StartExecution",
                    "Resource": f"{states}:stateMachine:auterity-{tenant_id}_graph-*",
                },
            ],
        }
        self._iam.put_role_policy(
            RoleName=name, PolicyName="invoke-own-functions", PolicyDocument=json.dumps(policy)
        )
        return arn
