"""LocalAws: state survives kill -9 (twice, without double-applying), torn lines, busy ports."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from runtime.local.aws import LocalAws
from runtime.local.processes import port_is_free, stop_process_group, wait_for_http
from runtime.local.server_file import ServerFile
from runtime.store.endpoint import LocalAwsError, configured_port
from tests.local.conftest import free_port, gone, recorded_lines

# Several server starts per test; each is slow on a shared, loaded machine.
pytestmark = pytest.mark.timeout(600)

MakeAws = Callable[[], LocalAws]
MakeClient = Callable[[str], Any]


def create_table(client: Any) -> None:
    client.create_table(
        TableName="things",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def bump(client: Any, times: int) -> None:
    for _ in range(times):
        client.update_item(
            TableName="things",
            Key={"pk": {"S": "counter"}},
            UpdateExpression="ADD n :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
        )


def counter(client: Any) -> int:
    return int(client.get_item(TableName="things", Key={"pk": {"S": "counter"}})["Item"]["n"]["N"])


def hard_kill(aws: LocalAws) -> None:
    """kill -9 the server the way a crash would, then reap it."""
    pid = aws.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    aws.stop()
    assert gone(pid)


def test_state_survives_two_hard_kills_without_double_applying(
    local_aws: MakeAws, dynamodb: MakeClient
) -> None:
    aws = local_aws()
    client = dynamodb(aws.endpoint_url)
    create_table(client)
    for name in ("a", "b", "c"):
        client.put_item(TableName="things", Item={"pk": {"S": name}, "v": {"S": name * 3}})
    bump(client, 5)
    recording = aws.recording_path
    lines = recorded_lines(recording)
    assert lines == 1 + 3 + 5
    hard_kill(aws)

    first = local_aws()
    assert first.replayed == lines
    # Compacted on start to one table line and one line of items; the replay not re-recorded.
    assert recorded_lines(recording) == 2
    assert counter(client) == 5
    assert client.get_item(TableName="things", Key={"pk": {"S": "b"}})["Item"]["v"]["S"] == "bbb"
    bump(client, 2)
    hard_kill(first)

    second = local_aws()
    assert counter(client) == 7
    assert client.scan(TableName="things", Select="COUNT")["Count"] == 4
    assert client.list_tables()["TableNames"] == ["things"]
    second.stop()
    assert port_is_free(second.port)
    assert not second.server_file.exists()


def test_torn_last_line_is_cut_off_before_replay(
    local_aws: MakeAws, dynamodb: MakeClient, messages: list[str]
) -> None:
    aws = local_aws()
    client = dynamodb(aws.endpoint_url)
    create_table(client)
    bump(client, 3)
    hard_kill(aws)
    with aws.recording_path.open("a") as recording:
        recording.write('{"headers": {"Host": "127.0.0.1:1", "X-Amz-Tar')  # cut by kill -9

    again = local_aws()
    assert again.repair is not None
    assert again.repair.torn_tail_bytes > 0
    assert any("torn last line" in message for message in messages)
    assert aws.recording_path.read_bytes().endswith(b"\n")
    assert counter(client) == 3
    bump(client, 1)  # recording still works after the repair
    hard_kill(again)
    local_aws()
    assert counter(client) == 4


def test_a_recording_with_interleaved_requests_still_replays(
    local_aws: MakeAws, dynamodb: MakeClient
) -> None:
    aws = local_aws()
    client = dynamodb(aws.endpoint_url)
    create_table(client)
    bump(client, 2)
    hard_kill(aws)
    # What concurrent >8 KiB requests do to moto's file: two objects glued, then a blank line.
    create, first, second = aws.recording_path.read_bytes().splitlines()
    aws.recording_path.write_bytes(create + b"\n" + first + second + b"\n\n")

    local_aws()
    assert counter(client) == 2


class _NotMoto(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def other_server(port: int) -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", port), _NotMoto)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield port
    server.shutdown()
    server.server_close()
    thread.join()


def test_a_port_taken_by_another_program_fails_with_one_clear_line(
    other_server: int, local_aws: MakeAws
) -> None:
    with pytest.raises(LocalAwsError) as raised:
        local_aws()
    message = str(raised.value)
    assert "\n" not in message
    assert f"port {other_server}" in message
    assert "another program" in message
    assert "AUTERITY_AWS_PORT" in message


def test_a_moto_not_started_by_us_is_refused(port: int, local_aws: MakeAws) -> None:
    moto = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        process_group=0,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/moto-api/recorder/ready", 20, process=moto)
        with pytest.raises(LocalAwsError, match="moto server that was not started for"):
            local_aws()
    finally:
        stop_process_group(moto)


def test_a_second_run_reuses_a_live_server_and_replaces_an_orphan(
    local_aws: MakeAws, dynamodb: MakeClient
) -> None:
    first = local_aws()
    client = dynamodb(first.endpoint_url)
    create_table(client)
    bump(client, 1)

    second = local_aws()  # its owner (this process) is alive: share it
    assert not second.owned
    assert second.process is None
    assert second.pid == first.pid
    second.stop()
    assert first.pid is not None
    assert not gone(first.pid), "stopping a reused server must leave it running"

    # Pretend first's `make run` was kill -9'd: its owner pid no longer exists.
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    info = ServerFile.read(first.server_file)
    assert info is not None
    ServerFile(info.pid, info.port, finished.pid, info.recording, info.ready).write(
        first.server_file
    )
    third = local_aws()
    assert third.owned
    assert third.pid != first.pid
    assert gone(first.pid)
    assert counter(client) == 1
    first.stop()  # reaps the orphan's process object


def test_port_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AUTERITY_AWS_PORT", raising=False)
    assert configured_port() == 4566
    monkeypatch.setenv("AUTERITY_AWS_PORT", "4999")
    assert configured_port() == 4999
    assert configured_port(5001) == 5001
    monkeypatch.setenv("AUTERITY_AWS_PORT", "nope")
    with pytest.raises(LocalAwsError, match="AUTERITY_AWS_PORT='nope'"):
        configured_port()


def test_client_env_points_boto3_at_loopback(tmp_path: Path, port: int) -> None:
    env = LocalAws(port=port, state_dir=tmp_path).client_env()
    assert env["AWS_ENDPOINT_URL"] == f"http://127.0.0.1:{port}"
    assert "127.0.0.1" in env["NO_PROXY"].split(",")


def test_the_same_state_served_on_another_port_is_refused(
    local_aws: MakeAws, tmp_path: Path, messages: list[str]
) -> None:
    first = local_aws()
    other = LocalAws(port=free_port(), state_dir=tmp_path / "state", log=messages.append)
    with pytest.raises(
        LocalAwsError, match=f"in use by the local AWS endpoint on port {first.port}"
    ):
        other.start()
    assert other.process is None


def test_a_stale_server_file_is_ignored(local_aws: MakeAws, dynamodb: MakeClient) -> None:
    aws = local_aws()
    create_table(dynamodb(aws.endpoint_url))
    info = ServerFile.read(aws.server_file)
    hard_kill(aws)
    assert info is not None
    info.write(aws.server_file)  # as if the whole machine had been killed
    again = local_aws()
    assert again.owned
    assert again.replayed == 1
