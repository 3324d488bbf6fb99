"""The IAM documents of AWS mode's roles: each reaches its own tenant's things only."""

from __future__ import annotations

from typing import Any


def trust(service: str) -> dict[str, Any]:
    """A role's trust policy: ``service`` (``lambda.amazonaws.com``...) may assume it."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
        ],
    }


ASSUME_LAMBDA = trust("lambda.amazonaws.com")
ASSUME_STATES = trust("states.amazonaws.com")
ASSUME_APIGATEWAY = trust("apigateway.amazonaws.com")
WRITE_LOGS = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": "arn:aws:logs:*:*:log-group:/aws/lambda/auterity-*",
        }
    ],
}
"""Every function writes its own logs; a graph's function also reaches its tenant's items."""


def _own_items(actions: list[str], table_arn: str, tenant_id: str) -> dict[str, Any]:
    # The trailing '#' keeps acme's functions off acme-co's items.
    return {
        "Effect": "Allow",
        "Action": actions,
        "Resource": table_arn,
        "Condition": {
            "ForAllValues:StringLike": {"dynamodb:LeadingKeys": [f"TENANT#{tenant_id}#*"]}
        },
    }


def runner_policy(
    table_arn: str, tenant_id: str, extra: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A graph's function: read its tenant's settings, write AI usage and the month's spend.

    ``extra``: a step handler's offloaded values (``offload_statement``).
    """
    actions = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
    return {
        "Version": "2012-10-17",
        "Statement": [
            _own_items(actions, table_arn, tenant_id),
            WRITE_LOGS["Statement"][0],
            *(extra or []),
        ],
    }


def authorizer_policy(table_arn: str, tenant_id: str) -> dict[str, Any]:
    """Read access to one tenant's items only (``dynamodb:LeadingKeys`` on the prefix)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            _own_items(["dynamodb:GetItem"], table_arn, tenant_id),
            WRITE_LOGS["Statement"][0],
        ],
    }


def offload_statement(bucket: str, tenant_id: str) -> dict[str, Any]:
    """A step handler's offloaded values: its tenant's ``STATES#`` prefix of the bucket only."""
    # The trailing '#' keeps acme's handlers off acme-co's objects.
    return {
        "Effect": "Allow",
        "Action": ["s3:GetObject", "s3:PutObject"],
        "Resource": f"arn:aws:s3:::{bucket}/TENANT#{tenant_id}#STATES#*",
    }


def tenant_machines(region: str, tenant_id: str) -> str:
    """Every state machine of one tenant, its versions and aliases: what its endpoints start."""
    return f"arn:aws:states:{region}:*:stateMachine:auterity-{tenant_id}_graph-*"


def invoke_policy(function_arn: str) -> dict[str, Any]:
    """A machine's role: invoke its own step handler (any published version of it), nothing else."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "lambda:InvokeFunction",
                "Resource": [function_arn, f"{function_arn}:*"],
            }
        ],
    }


def start_policy(region: str, tenant_id: str) -> dict[str, Any]:
    """API Gateway's role for one tenant's endpoints: start its machines' executions only."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["states:StartExecution", "states:StartSyncExecution"],
                "Resource": tenant_machines(region, tenant_id),
            }
        ],
    }
