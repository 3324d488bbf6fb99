"""The cold-import floor for any DynamoDB-backed Lambda: ``bare_lambda`` plus a boto3 client.

Not the target's baseline; it shows how much of the handler's import a boto3 DynamoDB client
alone costs (the handler builds one at import, as AWS recommends, to reuse across calls).
"""

from __future__ import annotations

import boto3  # type: ignore[import-untyped]

from bench.servers.bare_lambda import app, handler

dynamodb = boto3.client("dynamodb")

__all__ = ["app", "dynamodb", "handler"]
