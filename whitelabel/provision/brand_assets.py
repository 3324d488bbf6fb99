"""The brand in the stack's bucket: the brand document, its asset files, the stack's config.

Layout: ``brand/brand-<digest>.json`` (the checked :class:`Brand`; a new key per change, so a
cached old one is never served for a new one), ``assets/<content-hashed file name>`` and
``tenant-config.json`` (the :class:`TenantConfig` the stack was last built from, which
``update`` and ``status`` read back).
"""

from __future__ import annotations

from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from infra.cdk.config import TenantConfig
from runtime.tenant.assets import SUFFIX
from runtime.tenant.brand import BrandPackage
from whitelabel.provision.clients import AwsClients
from whitelabel.provision.errors import ProvisionError
from whitelabel.provision.jobs import StepLog

CONFIG_KEY = "tenant-config.json"
ASSETS = "assets/"
_MEDIA = {suffix: media for media, suffix in SUFFIX.items()}


def upload_brand(
    clients: AwsClients, bucket: str, config: TenantConfig, package: BrandPackage, log: StepLog
) -> None:
    """Put the brand, its files and the config into the bucket (server-side encrypted)."""
    for name, data in sorted(package.files.items()):
        media = _MEDIA.get(name.rsplit(".", 1)[-1], "application/octet-stream")
        clients.s3.put_object(Bucket=bucket, Key=ASSETS + name, Body=data, ContentType=media)
        log.note(f"uploaded {ASSETS}{name} ({len(data)} bytes)")
    brand = package.brand.model_dump_json(indent=2).encode()
    clients.s3.put_object(
        Bucket=bucket, Key=config.brand_key, Body=brand, ContentType="application/json"
    )
    log.note(f"uploaded {config.brand_key}")
    clients.s3.put_object(
        Bucket=bucket,
        Key=CONFIG_KEY,
        Body=config.model_dump_json(indent=2).encode(),
        ContentType="application/json",
    )
    log.note(f"uploaded {CONFIG_KEY}")


def read_config(clients: AwsClients, bucket: str) -> TenantConfig:
    """The config the stack was last provisioned or updated with."""
    try:
        body = clients.s3.get_object(Bucket=bucket, Key=CONFIG_KEY)["Body"].read()
    except ClientError as error:
        raise ProvisionError(f"s3://{bucket}/{CONFIG_KEY} cannot be read: {error}") from None
    return TenantConfig.model_validate_json(body)


def read_files(clients: AwsClients, bucket: str, config: TenantConfig) -> dict[str, bytes]:
    """The brand's asset files as stored (what an update without a new brand file keeps)."""
    files: dict[str, bytes] = {}
    for asset in (config.brand.logo, config.brand.favicon):
        if asset is not None:
            key = ASSETS + asset.file_name
            files[asset.file_name] = clients.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    return files


def empty_bucket(clients: AwsClients, bucket: str, log: StepLog) -> int:
    """Delete every object version and delete marker (a versioned bucket must be empty)."""
    removed = 0
    paginator = clients.s3.get_paginator("list_object_versions")
    for page in paginator.paginate(Bucket=bucket):
        doomed = [
            {"Key": item["Key"], "VersionId": item["VersionId"]}
            for item in page.get("Versions", []) + page.get("DeleteMarkers", [])
        ]
        for start in range(0, len(doomed), 1000):
            chunk = doomed[start : start + 1000]
            clients.s3.delete_objects(Bucket=bucket, Delete={"Objects": chunk, "Quiet": True})
            removed += len(chunk)
    log.note(f"emptied s3://{bucket} ({removed} object versions)")
    return removed
