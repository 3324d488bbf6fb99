"""API Gateway's authorizer for one tenant's private endpoints in AWS mode.

The API keys stay ours (only a hash in DynamoDB, shown once, revocable, with a role) rather
than being copied into API Gateway usage plans, where a revoked key would live on. The
function is deployed per tenant with ``AUTERITY_TENANT`` set, and its IAM role may read only
items whose partition key starts with that tenant's prefix: even a bug here could not let one
tenant's key open another tenant's endpoints.
"""

from __future__ import annotations

import os
from typing import Any

from runtime.store import Directory, make_client

_directory: Directory | None = None


class Unauthorized(Exception):
    def __init__(self) -> None:
        super().__init__("Unauthorized")


def _store_directory() -> Directory:
    global _directory  # one client per container, reused across invocations
    if _directory is None:
        _directory = Directory(make_client(), os.environ.get("AUTERITY_TABLE", "auterity"))
    return _directory


def _secret(event: dict[str, Any]) -> str | None:
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    if headers.get("x-api-key"):
        return headers["x-api-key"].strip()
    scheme, _, value = headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def stage_resource(method_arn: str) -> str:
    """Every method of the stage the request came through.

    API Gateway caches an authorizer's answer per key for a few seconds and reuses it for the
    other routes of the API; a policy naming only the first route would refuse the others.
    """
    api, _, rest = method_arn.partition("/")
    stage = rest.split("/", 1)[0]
    return f"{api}/{stage}/*"


def authorize(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """A REQUEST authorizer: allow the tenant's valid, unrevoked API keys, nothing else."""
    del context
    tenant_id = os.environ["AUTERITY_TENANT"]
    secret = _secret(event)
    if not secret:
        raise Unauthorized
    store = _store_directory().tenant_of_key(tenant_id)
    key = store.verify_api_key(secret) if store is not None else None
    if key is None:
        raise Unauthorized
    return {
        "principalId": f"key:{key.key_id}",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Action": "execute-api:Invoke",
                    "Effect": "Allow",
                    "Resource": stage_resource(str(event["methodArn"])),
                }
            ],
        },
        "context": {"tenant_id": tenant_id, "key_id": key.key_id, "role": key.role},
    }
