"""What ``cdk bootstrap`` would have made, and the upload of a stack's file assets to it.

A CDK template expects its assets in the bootstrap bucket (``cdk-hnb659fds-assets-<account>-
<region>``) and checks the bootstrap version in SSM. On AWS both come from ``cdk bootstrap``
(its roles, its key policy); a missing bootstrap there is an error that says so. Locally they
are made here, the bucket and the version parameter only: nothing else of the bootstrap stack
is used by a deployment that does not go through the CDK CLI.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from infra.cdk.synth import FileAsset
from whitelabel.provision.clients import AwsClients
from whitelabel.provision.errors import ProvisionError
from whitelabel.provision.jobs import StepLog, Target

QUALIFIER = "hnb659fds"
VERSION_PARAMETER = f"/cdk-bootstrap/{QUALIFIER}/version"
BOOTSTRAP_VERSION = "30"
"""What a current ``cdk bootstrap`` writes; CDK templates require at least 6."""


def account_of(clients: AwsClients) -> str:
    account: str = clients.sts.get_caller_identity()["Account"]
    return account


def resolve(text: str, account: str, region: str) -> str:
    """Fill an asset destination's placeholders."""
    return (
        text.replace("${AWS::AccountId}", account)
        .replace("${AWS::Region}", region)
        .replace("${AWS::Partition}", "aws")
    )


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _bucket_exists(clients: AwsClients, bucket: str) -> bool:
    try:
        clients.s3.head_bucket(Bucket=bucket)
    except ClientError as error:
        if _error_code(error) in ("404", "NoSuchBucket", "NotFound"):
            return False
        raise
    return True


def ensure_bootstrap(
    clients: AwsClients, target: Target, bucket: str, account: str, log: StepLog
) -> None:
    """The asset bucket and version parameter exist (made locally, required on AWS)."""
    have_bucket = _bucket_exists(clients, bucket)
    try:
        clients.ssm.get_parameter(Name=VERSION_PARAMETER)
        have_version = True
    except ClientError as error:
        if _error_code(error) != "ParameterNotFound":
            raise
        have_version = False
    if have_bucket and have_version:
        log.note(f"bootstrap found: s3://{bucket}, {VERSION_PARAMETER}")
        return
    if target == "aws":
        raise ProvisionError(
            f"this account and region are not bootstrapped for the CDK (missing "
            f"{'bucket ' + bucket if not have_bucket else VERSION_PARAMETER}): run "
            f"`cdk bootstrap aws://{account}/{clients.region}` once"
        )
    if not have_bucket:
        create: dict[str, object] = {"Bucket": bucket}
        if clients.region != "us-east-1":
            create["CreateBucketConfiguration"] = {"LocationConstraint": clients.region}
        clients.s3.create_bucket(**create)
        clients.s3.put_bucket_versioning(
            Bucket=bucket, VersioningConfiguration={"Status": "Enabled"}
        )
        log.note(f"created the asset bucket s3://{bucket}")
    if not have_version:
        clients.ssm.put_parameter(
            Name=VERSION_PARAMETER, Value=BOOTSTRAP_VERSION, Type="String", Overwrite=True
        )
        log.note(f"created {VERSION_PARAMETER} = {BOOTSTRAP_VERSION}")


def asset_bytes(asset: FileAsset) -> bytes:
    """A file asset as uploaded: the file itself, or a folder zipped deterministically."""
    if asset.packaging == "file":
        return asset.path.read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in Path(asset.path).rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(path.relative_to(asset.path).as_posix(), (1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes(), zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def upload_assets(
    clients: AwsClients, target: Target, assets: tuple[FileAsset, ...], log: StepLog
) -> None:
    """Upload what is not there yet (asset keys are content hashes: present means same)."""
    account = account_of(clients)
    checked: set[str] = set()
    for asset in assets:
        bucket = resolve(asset.bucket_name, account, clients.region)
        key = resolve(asset.object_key, account, clients.region)
        if bucket not in checked:
            ensure_bootstrap(clients, target, bucket, account, log)
            checked.add(bucket)
        try:
            clients.s3.head_object(Bucket=bucket, Key=key)
            log.note(f"asset {key[:16]}… already uploaded")
            continue
        except ClientError as error:
            if _error_code(error) not in ("404", "NoSuchKey", "NotFound"):
                raise
        data = asset_bytes(asset)
        clients.s3.put_object(Bucket=bucket, Key=key, Body=data)
        log.note(f"uploaded asset {key[:16]}… ({len(data) // 1024} KB) to s3://{bucket}")
