"""The IAM documents of AWS mode's roles: each reaches its own tenant's things only."""

from __future__ import annotations

from typing import Any

ASSUME_LAMBDA = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
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
