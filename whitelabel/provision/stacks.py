"""CloudFormation: create or update a stack, wait for it with its events, check it whole.

moto's CloudFormation reports a stack complete even when it skipped resource types it does
not know (it only logs a warning), so after every create or update the template's logical ids
are compared with the stack's resources and any missing one fails the job by name.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from whitelabel.provision.errors import ProvisionError, SkippedResources, StackNotFound
from whitelabel.provision.jobs import StepLog, Target

POLL_SECONDS = 2.0
TIMEOUT_SECONDS = 3600.0
TEMPLATE_BODY_LIMIT = 51_200
"""CloudFormation's limit for an inline template; larger ones go through S3."""
DONE = {
    "CREATE_COMPLETE",
    "UPDATE_COMPLETE",
    "DELETE_COMPLETE",
    "IMPORT_COMPLETE",
}
FAILED_SUFFIXES = ("_FAILED", "ROLLBACK_COMPLETE")


def prepared(template: dict[str, Any], target: Target) -> dict[str, Any]:
    """The template as ``target`` takes it.

    AWS gets it unchanged (its ``BootstrapVersion`` rule checks the real bootstrap). The local
    endpoint cannot evaluate ``Rules`` nor the SSM-typed parameter, so both go there, and
    nothing else: every resource stays, so a skipped one is still noticed.
    """
    if target == "aws":
        return template
    copy: dict[str, Any] = json.loads(json.dumps(template))
    copy.pop("Rules", None)
    parameters = copy.get("Parameters", {})
    parameters.pop("BootstrapVersion", None)
    if not parameters:
        copy.pop("Parameters", None)
    return copy


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _message(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Message", ""))


def describe(cfn: Any, name: str) -> dict[str, Any] | None:
    """The stack, or None when there is none (a deleted one counts as none)."""
    try:
        stacks = cfn.describe_stacks(StackName=name)["Stacks"]
    except ClientError as error:
        if _code(error) == "ValidationError" and "does not exist" in _message(error):
            return None
        raise
    live: list[dict[str, Any]] = [s for s in stacks if s["StackStatus"] != "DELETE_COMPLETE"]
    return live[0] if live else None


def outputs_of(stack: dict[str, Any]) -> dict[str, str]:
    return {o["OutputKey"]: str(o["OutputValue"]) for o in stack.get("Outputs", [])}


def deploy(
    cfn: Any,
    name: str,
    template: dict[str, Any],
    tags: dict[str, str],
    log: StepLog,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, str]:
    """Create the stack, or update it; return its outputs. A no-op update is not an error."""
    body = json.dumps(template, separators=(",", ":"), sort_keys=True)
    if len(body) > TEMPLATE_BODY_LIMIT:
        raise ProvisionError(f"template of {name} is {len(body)} bytes (> {TEMPLATE_BODY_LIMIT})")
    request = {
        "StackName": name,
        "TemplateBody": body,
        "Capabilities": ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"],
        "Tags": [{"Key": k, "Value": v} for k, v in sorted(tags.items())],
    }
    existing = describe(cfn, name)
    if existing is not None and existing["StackStatus"] == "ROLLBACK_COMPLETE":
        # A failed first create can only be deleted; do that and create again.
        log.note(f"{name} is ROLLBACK_COMPLETE from a failed create: deleting it first")
        delete(cfn, name, log, sleep=sleep)
        existing = None
    since = _started()
    seen = set() if existing is None else _event_ids(cfn, existing["StackId"])
    if existing is None:
        log.note(f"creating stack {name}")
        cfn.create_stack(**request, OnFailure="ROLLBACK")
        final = wait(cfn, name, log, since, sleep=sleep)
        if final != "CREATE_COMPLETE":
            raise ProvisionError(f"stack {name} ended {final}")
    else:
        log.note(f"updating stack {name} ({existing['StackStatus']})")
        try:
            cfn.update_stack(**request)
        except ClientError as error:
            if "No updates are to be performed" not in _message(error):
                raise
            log.note("no changes: the stack already matches")
        else:
            final = wait(cfn, name, log, since, sleep=sleep, seen=seen)
            if final != "UPDATE_COMPLETE":
                raise ProvisionError(f"stack {name} ended {final}")
    check_complete(cfn, name, template)
    stack = describe(cfn, name)
    if stack is None:
        raise StackNotFound(f"stack {name} vanished after deploying")
    return outputs_of(stack)


def wait(
    cfn: Any,
    name: str,
    log: StepLog,
    since: datetime,
    *,
    sleep: Callable[[float], None] = time.sleep,
    seen: set[str] | None = None,
) -> str:
    """Poll until the stack settles, noting each new event; the final status.

    ``seen``: ids of events from before this operation (not shown again).
    """
    seen = set(seen or ())
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while True:
        stack = describe(cfn, name)
        status = "DELETE_COMPLETE" if stack is None else str(stack["StackStatus"])
        if stack is not None:
            _note_events(cfn, stack["StackId"], log, since, seen)
        if status in DONE or status.endswith(FAILED_SUFFIXES):
            return status
        if time.monotonic() > deadline:
            raise ProvisionError(f"stack {name} still {status} after {TIMEOUT_SECONDS:.0f} s")
        sleep(POLL_SECONDS)


def _event_ids(cfn: Any, stack_id: str) -> set[str]:
    try:
        return {e["EventId"] for e in cfn.describe_stack_events(StackName=stack_id)["StackEvents"]}
    except ClientError:
        return set()


def _note_events(cfn: Any, stack_id: str, log: StepLog, since: datetime, seen: set[str]) -> None:
    try:
        events = cfn.describe_stack_events(StackName=stack_id)["StackEvents"]
    except ClientError:
        return
    for event in reversed(events):  # oldest first
        if event["EventId"] in seen or event["Timestamp"] < since:
            continue
        seen.add(event["EventId"])
        reason = f": {event['ResourceStatusReason']}" if event.get("ResourceStatusReason") else ""
        log.note(
            f"{event['LogicalResourceId']} ({event['ResourceType']}) "
            f"{event['ResourceStatus']}{reason}"
        )


def _started() -> datetime:
    """When an operation starts, less a second (event timestamps may be rounded down)."""
    return datetime.now().astimezone() - timedelta(seconds=1)


def expected_resources(template: dict[str, Any]) -> dict[str, str]:
    """Logical id -> type of every resource the template declares."""
    return {
        logical: str(resource["Type"])
        for logical, resource in template.get("Resources", {}).items()
    }


def stack_resources(cfn: Any, name: str) -> dict[str, dict[str, Any]]:
    """Logical id -> summary, for every resource the endpoint says the stack has."""
    found: dict[str, dict[str, Any]] = {}
    for page in cfn.get_paginator("list_stack_resources").paginate(StackName=name):
        for summary in page["StackResourceSummaries"]:
            found[summary["LogicalResourceId"]] = summary
    return found


def check_complete(cfn: Any, name: str, template: dict[str, Any]) -> None:
    """Raise :class:`SkippedResources` naming every declared resource the stack lacks.

    A skipped type is simply absent from moto's list (moto leaves some created resources'
    physical ids empty, e.g. methods and permissions, so presence is what counts).
    """
    have = stack_resources(cfn, name)
    missing = {
        logical: kind
        for logical, kind in expected_resources(template).items()
        if logical not in have or have[logical].get("ResourceStatus", "").endswith("_FAILED")
    }
    if missing:
        raise SkippedResources(name, missing)


def delete(
    cfn: Any, name: str, log: StepLog, *, sleep: Callable[[float], None] = time.sleep
) -> None:
    """Delete the stack and wait until it is gone."""
    stack = describe(cfn, name)
    if stack is None:
        raise StackNotFound(f"there is no stack {name}")
    since = _started()
    seen = _event_ids(cfn, stack["StackId"])
    cfn.delete_stack(StackName=name)
    final = wait(cfn, stack["StackId"], log, since, sleep=sleep, seen=seen)
    if final != "DELETE_COMPLETE":
        raise ProvisionError(f"deleting stack {name} ended {final}")
