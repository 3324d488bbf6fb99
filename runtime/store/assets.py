"""Brand asset files in S3, bound to one tenant's key prefix.

The object key comes from ``TenantKeys.asset_object``, so a tenant's asset store can only name
objects under its own ``TENANT#<id>#`` prefix, whatever file name a caller passes. Names are
content hashes (``runtime.tenant.assets.Asset.file_name``): an object never changes once written.
"""

from __future__ import annotations

import os
from typing import Any, Protocol, cast

from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]

from runtime.store.errors import NotFound, StoreError, Throttled
from runtime.store.keys import TenantKeys
from runtime.tenant.assets import Asset

BUCKET_ENV = "AUTERITY_ASSETS_BUCKET"
BUCKET_DEFAULT = "auterity-brand-assets"
_MISSING = frozenset({"NoSuchKey", "404", "NotFound"})
_BUSY = frozenset({"SlowDown", "ThrottlingException", "RequestLimitExceeded", "503"})


class S3Client(Protocol):
    """The ``boto3.client("s3")`` calls made here (boto3 ships no types)."""

    meta: Any

    def put_object(self, **kwargs: Any) -> dict[str, Any]: ...
    def get_object(self, **kwargs: Any) -> dict[str, Any]: ...
    def delete_object(self, **kwargs: Any) -> dict[str, Any]: ...
    def create_bucket(self, **kwargs: Any) -> dict[str, Any]: ...


def bucket_name() -> str:
    return os.environ.get(BUCKET_ENV) or BUCKET_DEFAULT


def make_s3_client(endpoint_url: str | None = None, region: str | None = None) -> S3Client:
    """Like ``table.make_client``: boto3 resolves ``AWS_ENDPOINT_URL(_S3)`` itself.

    Path-style addressing, so a local endpoint on ``127.0.0.1`` works without bucket DNS names.
    """
    import boto3  # type: ignore[import-untyped]
    from botocore.config import Config  # type: ignore[import-untyped]

    config = Config(
        retries={"mode": "standard", "max_attempts": 3},
        connect_timeout=5,
        read_timeout=15,
        s3={"addressing_style": "path"},
        # Plain bodies (no aws-chunked trailers): what a local endpoint records and replays.
        request_checksum_calculation="when_required",
    )
    kwargs: dict[str, Any] = {"config": config}
    if endpoint_url is not None:
        kwargs["endpoint_url"] = endpoint_url
    if region is not None:
        kwargs["region_name"] = region
    return cast(S3Client, boto3.client("s3", **kwargs))


def _translate(exc: ClientError | BotoCoreError, what: str) -> StoreError:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        if code in _MISSING:
            return NotFound(what)
        if code in _BUSY:
            return Throttled("S3 is throttling requests; retry shortly")
        if code == "NoSuchBucket":
            return StoreError("the brand asset bucket does not exist; create it with create_bucket")
        return StoreError(f"S3 refused the request: {code}: {error.get('Message', '')}")
    return Throttled(f"S3 is unreachable or slow; retry shortly ({exc})")


def create_bucket(client: S3Client, bucket: str) -> None:
    """Create the bucket if it is missing; safe to call on every start."""
    region = getattr(client.meta, "region_name", None) or "us-east-1"
    kwargs: dict[str, Any] = {"Bucket": bucket}
    if region != "us-east-1":
        kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
    try:
        client.create_bucket(**kwargs)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        if code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
            raise _translate(exc, f"bucket {bucket!r}") from exc
    except BotoCoreError as exc:
        raise _translate(exc, f"bucket {bucket!r}") from exc


class AssetFiles:
    """One tenant's asset objects; made by ``TenantStore.asset_files``."""

    def __init__(self, client: S3Client, bucket: str, keys: TenantKeys) -> None:
        self._client = client
        self._bucket = bucket
        self._keys = keys

    def put(self, asset: Asset, data: bytes) -> None:
        key = self._keys.asset_object(asset.file_name)
        try:
            self._client.put_object(
                Bucket=self._bucket,
                Key=key,
                Body=data,
                ContentType=asset.media_type,
                CacheControl="public, max-age=31536000, immutable",
            )
        except (ClientError, BotoCoreError) as exc:
            raise _translate(exc, f"asset {asset.file_name!r}") from exc

    def get(self, file_name: str) -> bytes:
        key = self._keys.asset_object(file_name)
        try:
            answer = self._client.get_object(Bucket=self._bucket, Key=key)
            data: bytes = answer["Body"].read()
        except (ClientError, BotoCoreError) as exc:
            raise _translate(exc, f"asset {file_name!r}") from exc
        return data

    def delete(self, file_name: str) -> None:
        """Remove an object (no error if it is already gone)."""
        key = self._keys.asset_object(file_name)
        try:
            self._client.delete_object(Bucket=self._bucket, Key=key)
        except (ClientError, BotoCoreError) as exc:
            raise _translate(exc, f"asset {file_name!r}") from exc
