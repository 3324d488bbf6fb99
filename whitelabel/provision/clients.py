"""The AWS clients provisioning uses, made once per target, injected everywhere else.

There is one code path: boto3 resolves the endpoint itself (``AWS_ENDPOINT_URL`` and the
per-service variables), so the ``local`` target is real AWS's API on another address. When
``local`` is asked for and no endpoint is configured, the local endpoint of ``make run`` is
meant (``127.0.0.1:$AUTERITY_AWS_PORT``), never AWS.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from runtime.store.endpoint import local_endpoint
from whitelabel.provision.jobs import Target

SERVICES = (
    "cloudformation",
    "s3",
    "ssm",
    "sts",
    "dynamodb",
    "lambda",
    "apigateway",
    "kms",
    "logs",
    "iam",
)


@dataclass(frozen=True)
class AwsClients:
    region: str
    cloudformation: Any
    s3: Any
    ssm: Any
    sts: Any
    dynamodb: Any
    lambda_: Any
    apigateway: Any
    kms: Any
    logs: Any
    iam: Any

    @classmethod
    def from_session(cls, session: Any, endpoint_url: str | None = None) -> AwsClients:
        kwargs = {"endpoint_url": endpoint_url} if endpoint_url else {}
        made = {name: session.client(name, **kwargs) for name in SERVICES}
        return cls(region=session.region_name, lambda_=made.pop("lambda"), **made)


def clients_for(target: Target, region: str) -> AwsClients:
    """Clients for ``target``: ``aws`` as boto3 resolves it, ``local`` at the local endpoint."""
    import boto3  # type: ignore[import-untyped]

    if target == "aws":
        return AwsClients.from_session(boto3.Session(region_name=region))
    # Local: moto takes any credentials; fake ones keep real keys out of local requests.
    fake = "local"  # not a secret: moto accepts anything
    session = boto3.Session(region_name=region, aws_access_key_id=fake, aws_secret_access_key=fake)
    return AwsClients.from_session(session, local_endpoint())
