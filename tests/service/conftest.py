"""A real app over moto's DynamoDB: a seeded tenant ``acme`` and a second tenant ``acme-co``
(whose id starts with the first's) to prove nothing crosses between them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]  # boto3 ships no types
import pytest
from fastapi.testclient import TestClient
from moto import mock_aws

from runtime.service.app import create_app
from runtime.service.config import ServiceConfig
from runtime.service.idempotency import create_idempotency_table
from runtime.store import Directory, create_bucket, create_table

EXAMPLES = Path(__file__).parent.parent.parent / "examples"
PASSWORD = "correct horse battery"


@dataclass
class Tenant:
    id: str
    token: str
    api_key: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def key(self) -> dict[str, str]:
        return {"X-API-Key": self.api_key}


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_table(client, "auterity")
        create_idempotency_table(client, "auterity-idempotency")
        create_bucket(boto3.client("s3", region_name="us-east-1"), "auterity-brand-assets")
        yield client


@pytest.fixture
def config() -> ServiceConfig:
    return ServiceConfig(token_secret="t" * 48, max_run_seconds=5)


@pytest.fixture
def client(aws: Any, config: ServiceConfig) -> Iterator[TestClient]:
    with TestClient(create_app(config, aws)) as test_client:
        yield test_client


def _tenant(client: TestClient, aws: Any, tenant_id: str) -> Tenant:
    directory = Directory(aws, "auterity")
    directory.create_tenant(tenant_id, tenant_id.title())
    store = directory.tenant(tenant_id)
    store.create_user("admin@example.com", PASSWORD, "admin")
    _, secret = store.create_api_key("ci", "admin")
    login = client.post(
        "/api/v1/auth/login",
        json={"tenant": tenant_id, "email": "admin@example.com", "password": PASSWORD},
    )
    assert login.status_code == 200, login.text
    return Tenant(tenant_id, login.json()["token"], secret)


@pytest.fixture
def acme(client: TestClient, aws: Any) -> Tenant:
    return _tenant(client, aws, "acme")


@pytest.fixture
def acme_co(client: TestClient, aws: Any) -> Tenant:
    return _tenant(client, aws, "acme-co")


def example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / f"{name}.graph.json").read_text())
    return data


def approve(client: TestClient, aws: Any, tenant: Tenant, graph_id: str, version: int) -> None:
    """SOC2 four eyes: the tenant's admin asks, a second principal (an editor key) approves."""
    asked = client.post(
        "/api/v1/approvals", json={"graph_id": graph_id, "version": version}, headers=tenant.auth
    )
    assert asked.status_code == 201, asked.text
    _, second = Directory(aws, "auterity").tenant(tenant.id).create_api_key("reviewer", "editor")
    approved = client.post(
        f"/api/v1/approvals/{graph_id}/{version}/approve", headers={"X-API-Key": second}
    )
    assert approved.status_code == 200, approved.text
