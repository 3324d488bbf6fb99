"""moto's ASL interpreter for the tests that execute compiled state machines."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.asl_harness import LocalStepFunctions, local_step_functions

AWS_ENV = ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_LAMBDA", "AWS_ENDPOINT_URL_SFN", "AWS_PROFILE")


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials, and no endpoint that would send boto3 past moto."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for name in AWS_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def cloud(aws_env: None) -> Iterator[LocalStepFunctions]:
    with local_step_functions() as local:
        yield local
