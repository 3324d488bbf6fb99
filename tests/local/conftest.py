"""Shared helpers for the local-runtime tests: free ports, DynamoDB clients, dead-pid checks."""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]  # boto3 ships no types
import pytest

from runtime.local.aws import LocalAws
from runtime.local.processes import port_is_free

REGION = "us-east-1"


def free_port() -> int:
    """A free loopback port below Linux's ephemeral range (32768-60999), never 4566.

    A port handed out by ``bind(0)`` is ephemeral: any outgoing connection on the machine
    may take it before the server binds it (seen here: "Address already in use").
    """
    for _ in range(200):
        port = random.randrange(20000, 32000)
        if port != 4566 and port_is_free(port):
            return port
    raise RuntimeError("no free loopback port found in 20000-32000")


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
