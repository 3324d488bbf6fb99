"""Does the stack answer? Before a tenant is active, and after teardown, what is left.

After a deploy every output is asked for by the API that owns it (a table that describes, a
bucket that exists, the REST API and the function); on AWS the API's health route must also
answer 200 through API Gateway, which proves the function runs. After a teardown the same
resources must be gone (a KMS key cannot be deleted at once: pending deletion counts).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from whitelabel.provision.clients import AwsClients
from whitelabel.provision.errors import ProvisionError
from whitelabel.provision.jobs import StepLog, Target

GONE_CODES = {
    "ResourceNotFoundException",
    "NotFoundException",
    "NoSuchEntity",
    "NoSuchBucket",
    "NotFound",
    "404",
}


def _probes(clients: AwsClients) -> dict[str, Callable[[str], Any]]:
    """Output name -> a call that fails when the resource it names does not exist."""
    return {
        "TableName": lambda v: clients.dynamodb.describe_table(TableName=v),
        "IdempotencyTableName": lambda v: clients.dynamodb.describe_table(TableName=v),
        "BucketName": lambda v: clients.s3.head_bucket(Bucket=v),
        "FunctionName": lambda v: clients.lambda_.get_function(FunctionName=v),
        "RestApiId": lambda v: clients.apigateway.get_rest_api(restApiId=v),
        "KeyArn": lambda v: _live_key(clients, v),
        "RoleName": lambda v: clients.iam.get_role(RoleName=v),
        "LogGroupName": lambda v: _log_group(clients, v),
    }


def _live_key(clients: AwsClients, key_id: str) -> None:
    state = clients.kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"]
    if state in ("PendingDeletion", "PendingReplicaDeletion"):
        raise _gone(f"key {key_id} is {state}")


def _log_group(clients: AwsClients, name: str) -> None:
    found = clients.logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    if not any(group["logGroupName"] == name for group in found):
        raise _gone(f"log group {name}")


def _gone(what: str) -> ClientError:
    return ClientError({"Error": {"Code": "NotFound", "Message": what}}, "probe")


def _exists(probe: Callable[[str], Any], value: str) -> bool:
    try:
        probe(value)
    except ClientError as error:
        if str(error.response.get("Error", {}).get("Code", "")) in GONE_CODES:
            return False
        raise
    return True


def validate(
    clients: AwsClients,
    outputs: dict[str, str],
    target: Target,
    log: StepLog,
    *,
    http_get: Callable[[str], int] | None = None,
) -> None:
    """Raise naming every output that does not answer; on AWS, GET the health route too."""
    dead = []
    for name, probe in _probes(clients).items():
        if name not in outputs:
            continue
        if _exists(probe, outputs[name]):
            log.note(f"{name} {outputs[name]} answers")
        else:
            dead.append(f"{name} {outputs[name]}")
    if dead:
        raise ProvisionError("the stack's outputs do not answer: " + ", ".join(dead))
    if target == "aws" and "HealthUrl" in outputs:
        url = outputs["HealthUrl"]
        status = (http_get or _get)(url)
        if status != 200:
            raise ProvisionError(f"GET {url} answered HTTP {status}, not 200")
        log.note(f"GET {url}: 200")


def _get(url: str) -> int:
    return httpx.get(url, timeout=30, follow_redirects=False).status_code


def leftovers(clients: AwsClients, outputs: dict[str, str]) -> list[str]:
    """Outputs whose resources still exist (after the stack was deleted)."""
    return [
        f"{name} {outputs[name]}"
        for name, probe in _probes(clients).items()
        if name in outputs and _exists(probe, outputs[name])
    ]
