"""Snapshot moto's DynamoDB and S3 state as recording lines, and apply such lines again.

Runs inside the local endpoint's process (``runtime.local.moto_server``), reading moto's
in-memory backends while no request is being handled. A snapshot holds one line per table
and one per object, and items in batches, so replaying it costs O(live data): items go
straight into moto's table (0.1 ms each) instead of through its HTTP layer (5-10 ms each).

Only moto's default account is snapshotted (the local endpoint is used with fake
credentials, which all map to it); if state exists in any other account, ``take`` refuses
and the recording is left uncompacted rather than lose that state.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends
from moto.s3.models import FakeDeleteMarker, s3_backends

SNAPSHOT_KEY = "snapshot"
ITEMS_PER_LINE = 500
# Sends one synthesized request into the app in-process: (method, path, headers, body) -> status.
Send = Callable[[str, str, dict[str, str], bytes], int]


class SnapshotRefused(RuntimeError):
    """The state cannot be snapshotted faithfully; keep the recording as it is."""


def _auth(service: str, region: str) -> str:
    scope = f"testing/20200101/{region}/{service}/aws4_request"
    return f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host, Signature=0"


def _check_single_account() -> None:
    for backends, name in ((dynamodb_backends, "DynamoDB"), (s3_backends, "S3")):
        for account_id, regions in backends.items():
            if account_id == DEFAULT_ACCOUNT_ID:
                continue
            for backend in regions.values():
                if getattr(backend, "tables", None) or getattr(backend, "buckets", None):
                    raise SnapshotRefused(f"{name} state exists in account {account_id}")


def _create_table_request(described: dict[str, Any]) -> dict[str, Any]:
    """CreateTable parameters that rebuild a table moto describes."""
    request: dict[str, Any] = {
        "TableName": described["TableName"],
        "KeySchema": described["KeySchema"],
        "AttributeDefinitions": described["AttributeDefinitions"],
        "BillingMode": described.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED"),
    }
    throughput = {
        "ReadCapacityUnits": described["ProvisionedThroughput"].get("ReadCapacityUnits", 0),
        "WriteCapacityUnits": described["ProvisionedThroughput"].get("WriteCapacityUnits", 0),
    }
    provisioned = request["BillingMode"] == "PROVISIONED"
    if provisioned:
        request["ProvisionedThroughput"] = throughput
    for field in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        indexes = []
        for index in described.get(field) or []:
            kept = {k: index[k] for k in ("IndexName", "KeySchema", "Projection") if k in index}
            if provisioned and "ProvisionedThroughput" in index:
                kept["ProvisionedThroughput"] = {
                    "ReadCapacityUnits": index["ProvisionedThroughput"].get("ReadCapacityUnits", 1),
                    "WriteCapacityUnits": index["ProvisionedThroughput"].get(
                        "WriteCapacityUnits", 1
                    ),
                }
            indexes.append(kept)
        if indexes:
            request[field] = indexes
    if described.get("StreamSpecification", {}).get("StreamEnabled"):
        request["StreamSpecification"] = described["StreamSpecification"]
    if described.get("DeletionProtectionEnabled"):
        request["DeletionProtectionEnabled"] = True
    return request


def _dynamodb_lines() -> Iterator[dict[str, Any]]:
    for region, backend in dynamodb_backends.get(DEFAULT_ACCOUNT_ID, {}).items():
        for name, table in list(backend.tables.items()):
            described = table.describe()["TableDescription"]
            ttl = table.ttl if table.ttl.get("TimeToLiveStatus") == "ENABLED" else None
            yield {
                SNAPSHOT_KEY: "dynamodb-table",
                "region": region,
                "create": _create_table_request(described),
                "ttl": {"Enabled": True, "AttributeName": ttl["AttributeName"]} if ttl else None,
                "tags": list(table.tags or []),
            }
            batch: list[dict[str, Any]] = []
            for item in table.all_items():
                batch.append(item.to_json()["Attributes"])
                if len(batch) == ITEMS_PER_LINE:
                    yield {SNAPSHOT_KEY: "dynamodb-items", "region": region, "table": name,
                           "items": batch}  # fmt: skip
                    batch = []
            if batch:
                yield {SNAPSHOT_KEY: "dynamodb-items", "region": region, "table": name,
                       "items": batch}  # fmt: skip


def _s3_backend() -> Any:
    regions: Any = s3_backends.get(DEFAULT_ACCOUNT_ID, {})
    return regions.get("aws") if regions else None


def _s3_bucket_lines() -> Iterator[dict[str, Any]]:
    backend = _s3_backend()
    for bucket in list(backend.buckets.values()) if backend else []:
        yield {SNAPSHOT_KEY: "s3-bucket", "name": bucket.name, "region": bucket.region_name}


def _s3_object_lines() -> Iterator[dict[str, Any]]:
    backend = _s3_backend()
    for bucket in list(backend.buckets.values()) if backend else []:
        for name in list(bucket.keys.keys()):
            key = bucket.keys[name]
            if isinstance(key, FakeDeleteMarker):
                continue
            yield {
                SNAPSHOT_KEY: "s3-object",
                "bucket": bucket.name,
                "key": name,
                "body": base64.b64encode(key.value).decode("ascii"),
                "headers": {str(k): str(v) for k, v in key.metadata.items()},
            }


def take(verbatim_other: list[bytes], verbatim_bucket_settings: list[bytes]) -> Iterator[bytes]:
    """The compacted recording, line by line (each ends with a newline).

    Order matters for replay: other services first (a CloudFormation stack may create a
    table the snapshot then fills), then tables and items, buckets, bucket settings, objects.
    """
    _check_single_account()
    for line in verbatim_other:
        yield line + b"\n"
    for entry in _dynamodb_lines():
        yield _line(entry)
    for entry in _s3_bucket_lines():
        yield _line(entry)
    for line in verbatim_bucket_settings:
        yield line + b"\n"
    for entry in _s3_object_lines():
        yield _line(entry)


def _bytes_as_base64(value: Any) -> str:
    """Moto keeps some binary values (B inside sets and maps) as bytes; the wire uses base64."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"{type(value).__name__} in a snapshot")


def _line(entry: dict[str, Any]) -> bytes:
    return json.dumps(entry, default=_bytes_as_base64).encode() + b"\n"


def is_snapshot(value: Any) -> bool:
    """True for a line ``take`` wrote (as opposed to a recorded request)."""
    return isinstance(value, dict) and isinstance(value.get(SNAPSHOT_KEY), str)


def apply(entry: dict[str, Any], send: Send) -> None:
    """Restore one snapshot line into the running app's backends."""
    kind = entry[SNAPSHOT_KEY]
    if kind == "dynamodb-table":
        region, create = entry["region"], entry["create"]
        if create["TableName"] not in dynamodb_backends[DEFAULT_ACCOUNT_ID][region].tables:
            _dynamodb_call(send, region, "CreateTable", create)  # else a replayed stack made it
        if entry.get("ttl"):
            spec = {"TableName": create["TableName"], "TimeToLiveSpecification": entry["ttl"]}
            _dynamodb_call(send, region, "UpdateTimeToLive", spec)
        if entry.get("tags"):
            table = dynamodb_backends[DEFAULT_ACCOUNT_ID][region].tables[create["TableName"]]
            table.tags = entry["tags"]
    elif kind == "dynamodb-items":
        backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][entry["region"]]
        for item in entry["items"]:
            backend.put_item(entry["table"], item)
    elif kind == "s3-bucket":
        backend = _s3_backend()
        if backend is not None and entry["name"] in backend.buckets:
            return  # a replayed CloudFormation stack created it
        body = b""
        if entry["region"] != "us-east-1":
            body = (
                "<CreateBucketConfiguration><LocationConstraint>"
                f"{entry['region']}</LocationConstraint></CreateBucketConfiguration>"
            ).encode()
        headers = {"Host": "127.0.0.1", "Authorization": _auth("s3", entry["region"])}
        _expect(send("PUT", "/" + quote(entry["name"]), headers, body), entry)
    elif kind == "s3-object":
        headers = {
            **entry["headers"],
            "Host": "127.0.0.1",
            "Authorization": _auth("s3", "us-east-1"),
        }
        path = f"/{quote(entry['bucket'])}/{quote(entry['key'], safe='/~')}"
        _expect(send("PUT", path, headers, base64.b64decode(entry["body"])), entry)
    else:
        raise ValueError(f"unknown snapshot line kind {kind!r}")


def _dynamodb_call(send: Send, region: str, action: str, body: dict[str, Any]) -> None:
    headers = {
        "Host": "127.0.0.1",
        "Authorization": _auth("dynamodb", region),
        "X-Amz-Target": f"DynamoDB_20120810.{action}",
        "Content-Type": "application/x-amz-json-1.0",
    }
    _expect(send("POST", "/", headers, json.dumps(body).encode()), {"action": action, **body})


def _expect(status: int, entry: dict[str, Any]) -> None:
    if status >= 300:
        described = json.dumps(entry)[:200]
        raise RuntimeError(f"restoring a snapshot line failed with HTTP {status}: {described}")
