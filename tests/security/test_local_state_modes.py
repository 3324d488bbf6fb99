"""Issue 13.7: local state and logs hold password hashes, key hashes and run records.

``.auterity/local`` must be a 0700 folder and every file in it 0600, whatever the umask, and
files left world-readable by an older version are tightened on the next start.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import boto3  # type: ignore[import-untyped]
import pytest

from runtime.local.aws import LocalAws
from tests.local.conftest import free_port


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask() -> Iterator[None]:
    previous = os.umask(0o022)  # the usual default: files 0644, folders 0755
    yield
    os.umask(previous)


def test_recording_logs_and_state_files_are_private(tmp_path: Path, loose_umask: None) -> None:
    state = tmp_path / "local"
    with LocalAws(port=free_port(), state_dir=state, log=lambda _: None) as aws:
        client = boto3.client(
            "dynamodb",
            endpoint_url=aws.endpoint_url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        client.create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        client.put_item(TableName="t", Item={"pk": {"S": "USER#ada"}, "hash": {"S": "scrypt$"}})
        client.close()
        assert aws.recording_path.exists()
        files = sorted(path for path in state.rglob("*") if path.is_file())
        assert files, "the state folder holds the recording, the server log and its pid file"
        assert mode(state) == 0o700
        assert {path.name: oct(mode(path)) for path in files} == {
            path.name: oct(0o600) for path in files
        }


def test_files_left_world_readable_are_tightened_on_start(
    tmp_path: Path, loose_umask: None
) -> None:
    state = tmp_path / "local"
    state.mkdir(mode=0o755)
    recording = state / "aws-recording.log"
    recording.write_text("")
    recording.chmod(0o644)
    old_log = state / "service.log"
    old_log.write_text("uvicorn says hello\n")
    old_log.chmod(0o644)
    with LocalAws(port=free_port(), state_dir=state, log=lambda _: None):
        assert mode(state) == 0o700
        assert mode(recording) == 0o600
        assert mode(old_log) == 0o600
