"""The DynamoDB client and the table's shape.

The client is always injected into the store; ``make_client`` is the one place that decides how
it retries.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Protocol, cast

from botocore.exceptions import (  # type: ignore[import-untyped]
    BotoCoreError,
    ClientError,
    HTTPClientError,
)
from botocore.exceptions import ConnectionError as EndpointUnreachable

from runtime.store.errors import InvalidInput, StoreError, Throttled

TABLE_NAME_DEFAULT = "auterity"
TTL_ATTRIBUTE = "expires_at"
MAX_RETRIES = 3
"""Retries after the first call (botocore's ``max_attempts`` in ``retries`` counts retries).
Standard mode backs off with jitter, at most 1 + 2 + 4 s here, before the store gives up with
``Throttled``: past that, an API caller is better served by a quick 503 than a timeout."""

THROTTLE_CODES = frozenset(
    {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"}
)


class DynamoDBClient(Protocol):
    """The low-level ``boto3.client("dynamodb")`` calls the store makes (boto3 ships no types)."""

    meta: Any

    def get_item(self, **kwargs: Any) -> dict[str, Any]: ...
    def put_item(self, **kwargs: Any) -> dict[str, Any]: ...
    def update_item(self, **kwargs: Any) -> dict[str, Any]: ...
    def delete_item(self, **kwargs: Any) -> dict[str, Any]: ...
    def query(self, **kwargs: Any) -> dict[str, Any]: ...
    def scan(self, **kwargs: Any) -> dict[str, Any]: ...
    def create_table(self, **kwargs: Any) -> dict[str, Any]: ...
    def describe_time_to_live(self, **kwargs: Any) -> dict[str, Any]: ...
    def update_time_to_live(self, **kwargs: Any) -> dict[str, Any]: ...
    def get_waiter(self, waiter_name: str) -> Any: ...
    def close(self) -> None: ...


def make_client(endpoint_url: str | None = None, region: str | None = None) -> DynamoDBClient:
    """A client that retries throttling with backoff before the store gives up.

    Without arguments boto3 resolves region, credentials and endpoint itself (including
    ``AWS_ENDPOINT_URL_DYNAMODB`` / ``AWS_ENDPOINT_URL``), which is how a local server replaces
    DynamoDB without a code change.
    """
    # Imported here: boto3 and botocore.config take ~120 ms to import, which a Lambda cold
    # start should not pay before it knows it needs a client (see ``LazyClient``).
    import boto3  # type: ignore[import-untyped]
    from botocore.config import Config  # type: ignore[import-untyped]

    config = Config(
        retries={"mode": "standard", "max_attempts": MAX_RETRIES},
        connect_timeout=5,
        read_timeout=15,
    )
    kwargs: dict[str, Any] = {"config": config}
    if endpoint_url is not None:
        kwargs["endpoint_url"] = endpoint_url
    if region is not None:
        kwargs["region_name"] = region
    return cast(DynamoDBClient, boto3.client("dynamodb", **kwargs))


class LazyClient:
    """A client made on its first use, so importing the Lambda handler does not make it.

    boto3 builds a client from its JSON service model (~0.3 s with the import); behind a
    Lambda's init, that is paid by the first request that touches DynamoDB instead of by every
    cold start, including the ones that only answer a 401.
    """

    def __init__(self, factory: Callable[[], Any]) -> None:
        self._factory = factory
        self._client: Any = None
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        client = self._client
        if client is None:
            with self._lock:
                if self._client is None:
                    self._client = self._factory()
                client = self._client
        return getattr(client, name)


def translate(exc: ClientError | BotoCoreError, table_name: str) -> StoreError:
    """A botocore failure as the store error the API maps to a status code."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        if code in THROTTLE_CODES:
            return Throttled("DynamoDB is throttling requests; retry shortly")
        if code == "ValidationException" and "size" in str(error.get("Message", "")):
            return InvalidInput(f"too large for one DynamoDB item: {error.get('Message', '')}")
        if code == "ResourceNotFoundException":
            return StoreError(f"table {table_name!r} does not exist; create it with create_table")
        return StoreError(f"DynamoDB refused the request: {code}: {error.get('Message', '')}")
    if isinstance(exc, EndpointUnreachable | HTTPClientError):  # after the client's retries
        return Throttled(f"DynamoDB is unreachable or slow; retry shortly ({exc})")
    return StoreError(f"DynamoDB client error: {exc}")


def create_table(client: DynamoDBClient, table_name: str = TABLE_NAME_DEFAULT) -> None:
    """Create the table if it is missing and make sure TTL is on; safe to call every start."""
    try:
        client.create_table(
            TableName=table_name,
            KeySchema=[
                {"AttributeName": "PK", "KeyType": "HASH"},
                {"AttributeName": "SK", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "PK", "AttributeType": "S"},
                {"AttributeName": "SK", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "ResourceInUseException":
            raise translate(exc, table_name) from exc
    except BotoCoreError as exc:
        raise translate(exc, table_name) from exc
    try:
        client.get_waiter("table_exists").wait(
            TableName=table_name, WaiterConfig={"Delay": 2, "MaxAttempts": 90}
        )
        _enable_ttl(client, table_name)
    except (ClientError, BotoCoreError) as exc:
        raise translate(exc, table_name) from exc


def _enable_ttl(client: DynamoDBClient, table_name: str) -> None:
    described = client.describe_time_to_live(TableName=table_name)["TimeToLiveDescription"]
    status = described.get("TimeToLiveStatus")
    if status in ("ENABLED", "ENABLING"):
        if described.get("AttributeName") != TTL_ATTRIBUTE:
            raise StoreError(
                f"table {table_name!r} expires items by {described.get('AttributeName')!r}, "
                f"not {TTL_ATTRIBUTE!r}"
            )
        return
    try:
        client.update_time_to_live(
            TableName=table_name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
        )
    except ClientError as exc:  # another process enabled it between our two calls
        if "already enabled" not in str(exc):
            raise
