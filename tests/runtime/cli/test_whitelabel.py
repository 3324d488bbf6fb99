"""``auterity tenant`` through Typer's CliRunner, against the local AWS endpoint.

The endpoint is ``make run``'s (``LocalAws``: ``runtime.local.moto_server`` in its own
process, its requests recorded), on a loopback port of its own; the CLI reaches it as the
``local`` target does, through ``AWS_ENDPOINT_URL``. Restarting it in the middle proves a
provisioned tenant survives the replay of the recorded state.
"""

from __future__ import annotations

import random
import socket
from collections.abc import Iterator
from pathlib import Path

import boto3  # type: ignore[import-untyped]  # boto3 ships no types
import pytest
from typer.testing import CliRunner

from runtime.cli import app
from runtime.local.aws import LocalAws

REPO = Path(__file__).resolve().parents[3]
ACME = REPO / "examples" / "brands" / "acme.yaml"
BRANDS = REPO / "tests" / "fixtures" / "brands"


def _port() -> int:
    for _ in range(50):
        port = random.randint(20000, 32000)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 20000-32000")


@pytest.fixture
def endpoint(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[LocalAws]:
    aws = LocalAws(port=_port(), state_dir=tmp_path / "state", log=lambda _: None)
    aws.start()
    for name, value in aws.client_env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    try:
        yield aws
    finally:
        aws.stop()


def test_provision_status_teardown_on_the_local_endpoint(endpoint: LocalAws) -> None:
    runner = CliRunner()
    made = runner.invoke(
        app, ["tenant", "provision", "acme", "--brand", str(ACME), "--no-platform"]
    )
    assert made.exit_code == 0, made.output + str(made.exception)
    assert "auterity-tenant-acme (local)" in made.stdout
    assert "BrandPrimaryColor" in made.stdout
    assert "#b91c1c" in made.stdout
    for step in ("synth", "assets", "deploy", "brand", "validate"):
        assert f"✓ {step}" in made.stderr

    endpoint.stop()  # the state comes back from the recording
    endpoint.start()
    assert endpoint.replayed > 0

    shown = runner.invoke(app, ["tenant", "status", "acme"])
    assert shown.exit_code == 0, shown.output
    assert "auterity-tenant-acme: CREATE_COMPLETE" in shown.stdout
    assert "AWS::Lambda::Function" in shown.stdout

    changed = runner.invoke(
        app, ["tenant", "update", "acme", "--log-retention-days", "90", "--no-platform"]
    )
    assert changed.exit_code == 0, changed.output + str(changed.exception)
    assert "✓ deploy" in changed.stderr
    logs = boto3.client("logs", endpoint_url=endpoint.endpoint_url, region_name="us-east-1")
    (group,) = logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/auterity-acme")["logGroups"]
    assert group["retentionInDays"] == 90

    refused = runner.invoke(
        app, ["tenant", "update", "acme", "--log-retention-days", "31", "--no-platform"]
    )
    assert refused.exit_code == 2
    assert "log_retention_days" in refused.stderr

    gone = runner.invoke(app, ["tenant", "teardown", "acme", "--yes", "--no-platform"])
    assert gone.exit_code == 0, gone.output
    assert "tenant acme's stack is deleted" in gone.stdout

    missing = runner.invoke(app, ["tenant", "status", "acme"])
    assert missing.exit_code == 1
    assert "tenant acme has no stack" in missing.stderr


@pytest.mark.parametrize(
    ("brand", "field", "says"),
    [
        ("pale.yaml", "primary_color", "too light"),
        ("wrong-type.yaml", "logo", "the file is"),
        ("broken.yaml", "file", "is not valid YAML"),
    ],
)
def test_a_bad_brand_file_lists_its_problems_and_exits_2(brand: str, field: str, says: str) -> None:
    result = CliRunner().invoke(
        app, ["tenant", "provision", "acme", "--brand", str(BRANDS / brand)]
    )
    assert result.exit_code == 2
    assert "cannot be used" in result.stderr
    assert f"  {field}: " in result.stderr
    assert says in result.stderr


def test_update_of_a_tenant_without_a_stack_fails_clearly(endpoint: LocalAws) -> None:
    result = CliRunner().invoke(app, ["tenant", "update", "nobody"])
    assert result.exit_code == 1
    assert "tenant nobody has no stack" in result.stderr


def test_unknown_target_is_refused() -> None:
    result = CliRunner().invoke(
        app, ["tenant", "provision", "acme", "--brand", str(ACME), "--target", "mars"]
    )
    assert result.exit_code == 2


def test_an_unreachable_local_endpoint_says_how_to_start_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{_port()}")
    result = CliRunner().invoke(app, ["tenant", "status", "acme"])
    assert result.exit_code == 1
    assert "make run" in result.stderr
