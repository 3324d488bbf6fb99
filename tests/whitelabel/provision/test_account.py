"""The tenant's account on the platform, set up by a provisioning job and removed by teardown:
the builder of a provisioned tenant works at once, in its brand, with its industry's templates,
and its first admin must choose a password at first login."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any, cast

import boto3  # type: ignore[import-untyped]  # boto3 ships no types
import pytest
from moto import mock_aws

from runtime.local.moto_cfn import register
from runtime.store import Directory, NotFound, create_table
from runtime.store.assets import create_bucket
from tests.infra.support import cached_synthesizer, config
from tests.whitelabel.provision.test_lifecycle import package
from whitelabel.provision import AwsClients, Options, provision, teardown, update
from whitelabel.provision.account import PlatformAccount

PLATFORM_TABLE, BUCKET = "auterity", "auterity-brand-assets"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[AwsClients]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    with mock_aws():
        register()
        yield AwsClients.from_session(boto3.Session(region_name="us-east-1"))


@pytest.fixture
def account(aws: AwsClients) -> PlatformAccount:
    create_table(aws.dynamodb, PLATFORM_TABLE)
    s3 = boto3.client("s3", region_name="us-east-1")
    create_bucket(s3, BUCKET)
    directory = Directory(aws.dynamodb, PLATFORM_TABLE)
    return PlatformAccount(directory, s3, BUCKET, "owner@acme.example", "given-once-123")


def test_provision_sets_up_the_account_and_teardown_removes_it(
    aws: AwsClients, account: PlatformAccount
) -> None:
    options = Options(clients=aws, synthesizer=cached_synthesizer, account=account)
    brand = package()
    job = provision(config(brand=brand.brand), brand, options)
    assert job.status == "succeeded"
    assert [s.name for s in job.steps][-2:] == ["validate", "account"]
    assert job.steps[-1].messages[-1] == "tenant acme is active"

    tenant = account.directory.get_tenant("acme")
    assert (tenant.name, tenant.industry) == ("Snapshot Flow", "automotive")
    store = account.directory.tenant("acme")
    admin = store.get_user("owner@acme.example")
    assert (admin.role, admin.must_change_password) == ("admin", True)
    assert store.authenticate("owner@acme.example", "given-once-123") is not None
    stored = store.get_brand().brand
    assert stored == brand.brand
    assert stored.logo is not None
    files = store.asset_files(account.s3, BUCKET)
    assert files.get(stored.logo.file_name) == brand.files[stored.logo.file_name]
    assert "Dealership lead triage (AI)" in {head.name for head in store.list_graphs()}

    # An update with a new colour re-brands the builder; the admin is left as it is.
    recoloured = package(primary_color="#7c2d12")
    updated = update(
        "acme",
        package=recoloured,
        options=replace(options, account=replace(account, admin_email=None)),
    )
    assert updated.status == "succeeded"
    assert store.get_brand().brand.primary_color == "#7c2d12"
    assert store.get_brand().revision == 2
    assert store.get_user("owner@acme.example").must_change_password is True

    gone = teardown("acme", options=options)
    assert gone.status == "succeeded"
    assert "account" in [s.name for s in gone.steps]
    with pytest.raises(NotFound):
        account.directory.get_tenant("acme")
    assert list(store.export_lines()) == []
    s3 = cast(Any, account.s3)  # a boto3 client; S3Client lists only the calls the store makes
    assert s3.list_objects_v2(Bucket=BUCKET).get("KeyCount", 0) == 0


def test_provisioning_twice_keeps_the_first_admins_password(
    aws: AwsClients, account: PlatformAccount
) -> None:
    options = Options(clients=aws, synthesizer=cached_synthesizer, account=account)
    brand = package()
    provision(config(brand=brand.brand), brand, options)
    again = replace(account, admin_password="another-one-456")
    job = provision(config(brand=brand.brand), brand, replace(options, account=again))
    assert job.status == "succeeded"
    assert any("already exists" in m for m in job.steps[-1].messages)
    store = account.directory.tenant("acme")
    assert store.authenticate("owner@acme.example", "given-once-123") is not None
    assert store.authenticate("owner@acme.example", "another-one-456") is None
