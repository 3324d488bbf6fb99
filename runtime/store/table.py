"""The DynamoDB client and the table's shape.

The client is always injected into the store; ``make_client`` is the one place that decides how
it retries.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Protocol, cast

from botocore.exceptions import (  # type: ignore[import-untyped]
    BotoCoreError,
    ClientError,
    HTTPClientError,
)
from botocore.exceptions import ConnectionError as EndpointUnreachable

from runtime.store import codec
from runtime.store.errors import InvalidInput, StoreError, Throttled
from runtime.store.keys import (
    RUN_GRAPH,
    RUN_GRAPH_STATUS,
    RUN_STATUS,
    RUNS,
    run_index_values,
)

TABLE_NAME_DEFAULT = "auterity"
TTL_ATTRIBUTE = "expires_at"
INDEX_WAIT_ROUNDS = 900
"""Two-second polls for a new index to be built: half an hour covers a large table."""
MAX_RETRIES = 3
"""Retries after the first call (botocore's ``max_attempts`` in ``retries`` counts retries).
Standard mode backs off with jitter, at most 1 + 2 + 4 s here, before the store gives up with
``Throttled``: past that, an API caller is better served by a quick 503 than a timeout."""

RUN_INDEXES: dict[str, str] = {
    "runs_by_graph": RUN_GRAPH,
    "runs_by_status": RUN_STATUS,
    "runs_by_graph_status": RUN_GRAPH_STATUS,
}
"""Global secondary indexes (name -> partition key attribute; the sort key is the table's
``SK``): a graph's runs, and runs by status, are read through their own keys, so a listing
costs what it returns, not the tenant's whole run history. Every value starts with the
tenant's prefix (``keys.run_index_values``), so ``dynamodb:LeadingKeys`` fences them too."""

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
    def transact_write_items(self, **kwargs: Any) -> dict[str, Any]: ...
    def create_table(self, **kwargs: Any) -> dict[str, Any]: ...
    def describe_table(self, **kwargs: Any) -> dict[str, Any]: ...
    def update_table(self, **kwargs: Any) -> dict[str, Any]: ...
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


def _index(name: str, pk_attr: str) -> dict[str, Any]:
    return {
        "IndexName": name,
        "KeySchema": [
            {"AttributeName": pk_attr, "KeyType": "HASH"},
            {"AttributeName": "SK", "KeyType": "RANGE"},
        ],
        "Projection": {"ProjectionType": "ALL"},
    }


def _attribute(name: str) -> dict[str, str]:
    return {"AttributeName": name, "AttributeType": "S"}


def create_table(client: DynamoDBClient, table_name: str = TABLE_NAME_DEFAULT) -> None:
    """Create the table if it is missing, with its indexes and TTL; safe to call every start.

    A table made by an older release gets the indexes it lacks (and its runs their index
    keys), so an upgrade needs no separate step.
    """
    try:
        client.create_table(
            TableName=table_name,
            KeySchema=[
                {"AttributeName": "PK", "KeyType": "HASH"},
                {"AttributeName": "SK", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[_attribute("PK"), _attribute("SK")]
            + [_attribute(attr) for attr in RUN_INDEXES.values()],
            GlobalSecondaryIndexes=[_index(n, attr) for n, attr in RUN_INDEXES.items()],
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
        added = _add_missing_indexes(client, table_name)
        if added:
            _backfill_run_indexes(client, table_name)
    except (ClientError, BotoCoreError) as exc:
        raise translate(exc, table_name) from exc


def _add_missing_indexes(client: DynamoDBClient, table_name: str) -> bool:
    """DynamoDB takes one new index per ``UpdateTable``; returns whether any was added."""
    described = client.describe_table(TableName=table_name)["Table"]
    present = {i["IndexName"] for i in described.get("GlobalSecondaryIndexes") or []}
    missing = [(n, attr) for n, attr in RUN_INDEXES.items() if n not in present]
    for name, attr in missing:
        client.update_table(
            TableName=table_name,
            AttributeDefinitions=[_attribute("SK"), _attribute(attr)],
            GlobalSecondaryIndexUpdates=[{"Create": _index(name, attr)}],
        )
        _wait_for_index(client, table_name, name)
    return bool(missing)


def _wait_for_index(client: DynamoDBClient, table_name: str, name: str) -> None:
    """The next index may only be added once this one is built (and backfilled by DynamoDB)."""
    for _ in range(INDEX_WAIT_ROUNDS):
        described = client.describe_table(TableName=table_name)["Table"]
        states = {
            i["IndexName"]: i.get("IndexStatus", "ACTIVE")
            for i in described.get("GlobalSecondaryIndexes") or []
        }
        if states.get(name) == "ACTIVE":
            return
        time.sleep(2)
    raise StoreError(f"index {name!r} of table {table_name!r} is still not active; retry")


def _backfill_run_indexes(client: DynamoDBClient, table_name: str) -> None:
    """Give runs written before the indexes existed their index keys (once, when added)."""
    args: dict[str, Any] = {
        "TableName": table_name,
        "FilterExpression": "begins_with(SK, :run) AND attribute_not_exists(RUN_GRAPH)",
        "ExpressionAttributeValues": {":run": {"S": RUNS}},
    }
    while True:
        page = client.scan(**args)
        for item in page.get("Items", []):
            fields = codec.from_item(item)
            index = run_index_values(fields["PK"], fields["graph_id"], fields["status"])
            try:
                client.update_item(
                    TableName=table_name,
                    Key={"PK": item["PK"], "SK": item["SK"]},
                    UpdateExpression="SET " + ", ".join(f"{a} = :{a}" for a in index),
                    ConditionExpression="attribute_exists(PK) AND #status = :status",
                    ExpressionAttributeNames={"#status": "status"},
                    ExpressionAttributeValues={
                        ":status": item["status"],
                        **{f":{a}": {"S": v} for a, v in index.items()},
                    },
                )
            except ClientError as exc:  # moved on (or gone): its writer set the keys itself
                if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                    raise
        if not page.get("LastEvaluatedKey"):
            return
        args["ExclusiveStartKey"] = page["LastEvaluatedKey"]


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
