"""Restart cost follows live data, not history: reads unrecorded, the recording compacted.

Issue 14.5: after ~50 minutes of traffic the recording held 176,000 requests (reads too) and a
restart replayed all of them, slower than the fixed replay timeout. These tests drive the real
local endpoint (moto's server in its own process) through boto3.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from typing import Any

import boto3  # type: ignore[import-untyped]
import pytest

from runtime.local.aws import LocalAws
from runtime.local.snapshot import ITEMS_PER_LINE
from tests.local.conftest import REGION, recorded_lines
from tests.local.test_aws import create_table, hard_kill

# Several server starts per test; each is slow on a shared, loaded machine.
pytestmark = pytest.mark.timeout(600)

MakeAws = Callable[[], LocalAws]
MakeClient = Callable[[str], Any]


def s3_client(endpoint_url: str) -> Any:
    from botocore.config import Config  # type: ignore[import-untyped]

    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(
            s3={"addressing_style": "path"}, request_checksum_calculation="when_required"
        ),
    )


def test_reads_are_not_recorded(local_aws: MakeAws, dynamodb: MakeClient) -> None:
    aws = local_aws()
    client = dynamodb(aws.endpoint_url)
    create_table(client)
    client.put_item(TableName="things", Item={"pk": {"S": "a"}})
    for _ in range(5):
        client.get_item(TableName="things", Key={"pk": {"S": "a"}})
        client.query(
            TableName="things",
            KeyConditionExpression="pk = :a",
            ExpressionAttributeValues={":a": {"S": "a"}},
        )
        client.scan(TableName="things")
        client.batch_get_item(RequestItems={"things": {"Keys": [{"pk": {"S": "a"}}]}})
        client.transact_get_items(
            TransactItems=[{"Get": {"TableName": "things", "Key": {"pk": {"S": "a"}}}}]
        )
        client.describe_table(TableName="things")
        client.list_tables()
    s3 = s3_client(aws.endpoint_url)
    s3.create_bucket(Bucket="assets")
    s3.put_object(Bucket="assets", Key="logo.png", Body=b"png")
    for _ in range(5):
        s3.get_object(Bucket="assets", Key="logo.png")
        s3.head_object(Bucket="assets", Key="logo.png")
        s3.list_objects_v2(Bucket="assets")
    # CreateTable, PutItem, CreateBucket, PutObject: the four writes, nothing else.
    assert recorded_lines(aws.recording_path) == 4


def _overwrite(client: Any, keys: int, rounds: int) -> None:
    for n in range(rounds):
        for key in range(keys):
            client.put_item(TableName="things", Item={"pk": {"S": f"k{key}"}, "n": {"N": str(n)}})


def _items(client: Any, table: str = "things") -> dict[str, Any]:
    pages = client.get_paginator("scan").paginate(TableName=table)
    found: dict[str, Any] = {}
    for page in pages:
        for item in page["Items"]:
            found[
                repr(sorted((k, repr(v)) for k, v in item.items() if k in ("pk", "PK", "SK")))
            ] = item
    return found


def test_a_restart_compacts_overwrites_to_one_entry_per_live_item(
    local_aws: MakeAws, dynamodb: MakeClient
) -> None:
    aws = local_aws()
    client = dynamodb(aws.endpoint_url)
    create_table(client)
    _overwrite(client, keys=10, rounds=20)
    client.delete_item(TableName="things", Key={"pk": {"S": "k3"}})
    client.update_item(
        TableName="things",
        Key={"pk": {"S": "k4"}},
        UpdateExpression="ADD n :one",
        ExpressionAttributeValues={":one": {"N": "100"}},
    )
    before = _items(client)
    assert len(before) == 9
    hard_kill(aws)

    again = local_aws()
    assert _items(client) == before
    # 1 table + 9 live items (in batches), not the 200+ writes of history.
    assert recorded_lines(again.recording_path) <= 3
    hard_kill(again)
    third = local_aws()  # replays the compacted file, and compacts it again to the same
    assert _items(client) == before
    assert recorded_lines(third.recording_path) <= 3
    assert client.get_item(TableName="things", Key={"pk": {"S": "k4"}})["Item"]["n"]["N"] == "119"


def _full_state(client: Any, s3: Any) -> dict[str, Any]:
    tables: dict[str, Any] = {}
    for name in client.list_tables()["TableNames"]:
        described = client.describe_table(TableName=name)["Table"]
        ttl = client.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        gsis = sorted(
            (g["IndexName"], repr(g["KeySchema"]), repr(g["Projection"]))
            for g in described.get("GlobalSecondaryIndexes", [])
        )
        tables[name] = {
            "keys": described["KeySchema"],
            "attrs": sorted(a["AttributeName"] for a in described["AttributeDefinitions"]),
            "billing": described.get("BillingModeSummary", {}).get("BillingMode"),
            "gsis": gsis,
            "ttl": (ttl.get("TimeToLiveStatus"), ttl.get("AttributeName")),
            "items": sorted(repr(sorted(item.items())) for item in _scan_all(client, name)),
        }
    buckets: dict[str, Any] = {}
    for bucket in s3.list_buckets()["Buckets"]:
        objects = {}
        for listed in s3.list_objects_v2(Bucket=bucket["Name"]).get("Contents", []):
            got = s3.get_object(Bucket=bucket["Name"], Key=listed["Key"])
            objects[listed["Key"]] = (got["Body"].read(), got["ContentType"], got["Metadata"])
        buckets[bucket["Name"]] = objects
    return {"tables": tables, "buckets": buckets}


def _scan_all(client: Any, table: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in client.get_paginator("scan").paginate(TableName=table):
        items.extend(page["Items"])
    return items


def test_state_after_compaction_equals_state_before(
    local_aws: MakeAws, dynamodb: MakeClient
) -> None:
    aws = local_aws()
    client = dynamodb(aws.endpoint_url)
    client.create_table(
        TableName="main",
        KeySchema=[
            {"AttributeName": "PK", "KeyType": "HASH"},
            {"AttributeName": "SK", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "PK", "AttributeType": "S"},
            {"AttributeName": "SK", "AttributeType": "S"},
            {"AttributeName": "G", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "byG",
                "KeySchema": [{"AttributeName": "G", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    client.update_time_to_live(
        TableName="main", TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"}
    )
    create_table(client)
    client.create_table(
        TableName="gone",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    client.delete_table(TableName="gone")
    every_type = {
        "PK": {"S": "TENANT#demo"},
        "SK": {"S": "USER#ada"},
        "G": {"S": "g1"},
        "n": {"N": "12.5"},
        "b": {"B": b"\x00\xffbinary"},
        "ss": {"SS": ["x", "y"]},
        "ns": {"NS": ["1", "2"]},
        "bs": {"BS": [b"\x01", b"\x02"]},
        "m": {"M": {"inner": {"L": [{"S": "deep"}, {"N": "3"}, {"BOOL": True}]}}},
        "nul": {"NULL": True},
        "ttl": {"N": "4102444800"},
    }
    client.put_item(TableName="main", Item=every_type)
    for n in range(60):
        client.put_item(
            TableName="main",
            Item={"PK": {"S": f"TENANT#t{n % 3}"}, "SK": {"S": f"RUN#{n}"}, "v": {"N": str(n)}},
        )
    client.put_item(TableName="things", Item={"pk": {"S": "plain"}})
    s3 = s3_client(aws.endpoint_url)
    s3.create_bucket(Bucket="assets")
    s3.create_bucket(Bucket="dropped")
    s3.delete_bucket(Bucket="dropped")
    s3.put_object(
        Bucket="assets", Key="tenant/demo/logo.png", Body=bytes(range(256)),
        ContentType="image/png", Metadata={"sha": "abc"},
    )  # fmt: skip
    s3.put_object(Bucket="assets", Key="old.txt", Body=b"old")
    s3.put_object(Bucket="assets", Key="old.txt", Body=b"new")
    s3.put_object(Bucket="assets", Key="deleted.txt", Body=b"bye")
    s3.delete_object(Bucket="assets", Key="deleted.txt")
    before = _full_state(client, s3)
    assert base64.b64encode(before["buckets"]["assets"]["old.txt"][0]) == base64.b64encode(b"new")
    hard_kill(aws)

    compacted = local_aws()
    assert _full_state(client, s3) == before
    hard_kill(compacted)
    local_aws()  # a compacted file replays to the same state again
    assert _full_state(client, s3) == before


def test_steady_traffic_keeps_the_recording_bounded(
    tmp_path: Any, port: int, messages: list[str], dynamodb: MakeClient
) -> None:
    aws = LocalAws(port=port, state_dir=tmp_path / "state", log=messages.append, compact_after=100)
    with aws:
        client = dynamodb(aws.endpoint_url)
        create_table(client)
        _overwrite(client, keys=20, rounds=30)  # 600 writes of history, 20 live items
        deadline = time.monotonic() + 10
        while recorded_lines(aws.recording_path) > 150 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert recorded_lines(aws.recording_path) <= 150
        before = _items(client)
    with LocalAws(port=port, state_dir=tmp_path / "state", log=messages.append) as again:
        assert _items(dynamodb(again.endpoint_url)) == before


def test_a_large_live_state_restarts_within_a_bound(
    local_aws: MakeAws, dynamodb: MakeClient
) -> None:
    aws = local_aws()
    client = dynamodb(aws.endpoint_url)
    create_table(client)
    for batch in range(200):  # 5,000 live items
        client.batch_write_item(
            RequestItems={
                "things": [
                    {"PutRequest": {"Item": {"pk": {"S": f"{batch}-{n}"}, "v": {"S": "x" * 100}}}}
                    for n in range(25)
                ]
            }
        )
    hard_kill(aws)
    hard_kill(local_aws())  # the first restart compacts the history
    again = local_aws()
    assert client.scan(TableName="things", Select="COUNT")["Count"] == 5000
    assert again.replayed == 1 + 5000 // ITEMS_PER_LINE  # the table, then items in batches
    # The server's own measure: the interpreter's start-up on a loaded machine is not restore.
    assert again.restore_seconds < 15, f"restoring 5,000 items took {again.restore_seconds} s"
