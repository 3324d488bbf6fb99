"""``compliance.encrypt``: fields become KMS-wrapped ciphertext bound to the tenant and graph
(Powertools data masking over the AWS Encryption SDK, against moto's KMS); the packs accept it
on the path from PHI to storage or a model, like redaction."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3  # type: ignore[import-untyped]  # boto3 ships no types
import pytest
from moto import mock_aws

from nodes.compliance.encrypt import decrypt
from runtime.core.graph import Graph
from runtime.core.options import RunOptions
from runtime.engine.compile import build_plan
from runtime.engine.executor import Executor

PATIENT = {"name": "Ada Lovelace", "dob": "1815-12-10"}


@pytest.fixture
def key_arn(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield boto3.client("kms", region_name="us-east-1").create_key()["KeyMetadata"]["Arn"]


def _graph(key_arn: str) -> Graph:
    return Graph.model_validate(
        {
            "id": "intake",
            "nodes": [
                {"id": "hook", "type": "trigger.manual"},
                {
                    "id": "lock",
                    "type": "compliance.encrypt",
                    "config": {"key_arn": key_arn, "fields": ["patient"], "classes": ["PHI"]},
                },
            ],
            "edges": [{"source": "hook", "target": "lock"}],
        }
    )


async def _run(key_arn: str, tenant: str = "acme") -> Any:
    result = await Executor(build_plan(_graph(key_arn))).run(
        {"patient": PATIENT, "visit": "refill"}, options=RunOptions(tenant_id=tenant)
    )
    assert result.status == "succeeded", result.error
    return result.output


async def test_fields_are_encrypted_for_the_tenant_and_graph(key_arn: str) -> None:
    out = await _run(key_arn)
    assert out["visit"] == "refill"
    assert isinstance(out["patient"], str)
    assert "Ada Lovelace" not in json.dumps(out)
    context = {"tenant": "acme", "graph": "intake"}
    assert decrypt(key_arn, out["patient"], context) == PATIENT


async def test_another_tenants_context_cannot_decrypt(key_arn: str) -> None:
    out = await _run(key_arn)
    from aws_lambda_powertools.utilities.data_masking.exceptions import (
        DataMaskingContextMismatchError,
    )

    with pytest.raises(DataMaskingContextMismatchError, match="context does not match"):
        decrypt(key_arn, out["patient"], {"tenant": "acme-co", "graph": "intake"})


async def test_an_unusable_key_fails_the_node_with_the_key_named(key_arn: str) -> None:
    missing = key_arn.rsplit("/", 1)[0] + "/00000000-0000-0000-0000-000000000000"
    result = await Executor(build_plan(_graph(missing))).run({"patient": PATIENT})
    assert result.status == "failed"
    assert result.error is not None
    assert "cannot encrypt with" in result.error.message
    assert "Ada" not in result.error.message


def test_a_key_must_be_a_kms_arn() -> None:
    from pydantic import ValidationError

    from nodes.compliance.encrypt import EncryptConfig

    with pytest.raises(ValidationError, match="key_arn"):
        EncryptConfig.model_validate({"key_arn": "not-an-arn", "fields": ["a"]})


async def test_the_palette_example_runs_with_a_real_key(key_arn: str) -> None:
    from nodes.compliance.encrypt import Encrypt
    from tests.nodes.helpers import run_node

    config = {**Encrypt.example, "key_arn": key_arn}
    outputs = await run_node("compliance.encrypt", config, dict(Encrypt.example_input))
    # The plaintext name, not a bare "Ada": three letters turn up in base64 ciphertext by chance.
    assert "Ada Lovelace" not in json.dumps(outputs)
    assert outputs["out"]["visit"] == "refill"
    assert isinstance(outputs["out"]["patient"], str)
