"""Shared helpers for the local-runtime tests: free ports, DynamoDB clients, dead-pid checks."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from runtime.local.aws import LocalAws

REGION = "us-east-1"


def free_port() -> int:
    """An ephemeral loopback port nobody listens on (never the default 4566)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    assert port != 4566
    return port


def gone(pid: int) -> bool:
    """True when pid no longer runs (a zombie waiting for init to reap it counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[0] == "Z"


def recorded_lines(path: Path) -> int:
    return len(path.read_bytes().splitlines())


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def messages() -> list[str]:
    return []


@pytest.fixture
def local_aws(tmp_path: Path, port: int, messages: list[str]) -> Iterator[Callable[[], LocalAws]]:
    """Factory for LocalAws on one port and state dir; every instance is stopped afterwards."""
    started: list[LocalAws] = []

    def make() -> LocalAws:
        aws = LocalAws(port=port, state_dir=tmp_path / "state", log=messages.append)
        started.append(aws)
        return aws.start()

    yield make
    for aws in reversed(started):
        aws.stop()


@pytest.fixture
def dynamodb() -> Iterator[Callable[[str], Any]]:
    """Factory for boto3 DynamoDB clients on an endpoint, closed afterwards."""
    clients: list[Any] = []

    def make(endpoint_url: str) -> Any:
        client = boto3.client(
            "dynamodb",
            endpoint_url=endpoint_url,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
