"""The tenant's API-key authorizer (AWS mode), run in-process on API Gateway's event shape."""

from __future__ import annotations

from typing import Any

import pytest

import runtime.authorizer as authorizer
from runtime.store import Directory

METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/live/POST/leads"


@pytest.fixture
def keys(aws: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    directory = Directory(aws, "auterity")
    for tenant in ("acme", "acme-co"):
        directory.create_tenant(tenant, tenant.title())
    acme = directory.tenant("acme")
    key, secret = acme.create_api_key("partner", "editor")
    _, other = directory.tenant("acme-co").create_api_key("theirs", "admin")
    monkeypatch.setenv("AUTERITY_TENANT", "acme")
    monkeypatch.setattr(authorizer, "_directory", directory)
    return {"store": acme, "key": key, "secret": secret, "other": other}


def _event(**headers: str) -> dict[str, Any]:
    return {"type": "REQUEST", "methodArn": METHOD_ARN, "headers": headers}


def test_a_valid_key_is_allowed_on_the_whole_stage(keys: dict[str, Any]) -> None:
    answer = authorizer.authorize(_event(**{"X-API-Key": keys["secret"]}))
    statement = answer["policyDocument"]["Statement"][0]
    assert statement["Effect"] == "Allow"
    assert statement["Resource"] == "arn:aws:execute-api:us-east-1:123456789012:abc123/live/*"
    assert answer["principalId"] == f"key:{keys['key'].key_id}"
    assert answer["context"] == {
        "tenant_id": "acme",
        "key_id": keys["key"].key_id,
        "role": "editor",
    }
    bearer = authorizer.authorize(_event(authorization=f"Bearer {keys['secret']}"))
    assert bearer["principalId"] == answer["principalId"]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-API-Key": ""},
        {"X-API-Key": "aut_acme_000000000000_guess"},
        {"X-API-Key": "not-a-key"},
        {"authorization": "Basic abc"},
    ],
)
def test_missing_or_forged_keys_are_unauthorized(
    keys: dict[str, Any], headers: dict[str, str]
) -> None:
    with pytest.raises(authorizer.Unauthorized, match=r"^Unauthorized$"):
        authorizer.authorize(_event(**headers))


def test_another_tenants_key_and_a_revoked_key_are_unauthorized(keys: dict[str, Any]) -> None:
    with pytest.raises(authorizer.Unauthorized):
        authorizer.authorize(_event(**{"X-API-Key": keys["other"]}))
    keys["store"].revoke_api_key(keys["key"].key_id)
    with pytest.raises(authorizer.Unauthorized):
        authorizer.authorize(_event(**{"X-API-Key": keys["secret"]}))
