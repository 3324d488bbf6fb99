"""A deployed 6-node graph over HTTP vs a hand-written FastAPI endpoint doing the same work.

Both are served by uvicorn (one worker, ``--no-access-log``) in their own process, over the
same local DynamoDB (moto's server, started by ``runtime.local.aws.LocalAws`` with recording
switched off so no file append is charged per call). The product serves
``bench/graphs/six-nodes.graph.json`` deployed at ``POST /t/bench/qualify-lead`` behind the
tenant's API key; the baseline (``bench.servers.baseline_app``) checks a key, scores the lead
in plain Python and makes the one PutItem of a comparable run record that the product also
makes per request. Both must give identical answers before anything is timed.

The load generator is httpx in this process with ``CONNECTIONS`` concurrent keep-alive
connections per server: ``WARMUP`` requests once, then ``ROUNDS`` rounds of up to ``REQUESTS``
timed requests (a round stops early after ``ROUND_BUDGET_S``), the two servers taking turns;
each keeps its best round by req/s, and its p50 and p99 over every timed request. The target
holds for throughput and both latencies, a latency ratio being baseline / product so that
higher is better everywhere. The load generator and moto share the machine's cores with the
server under test, so absolute numbers are low and only the ratio means much.

The diagnostic rows say where a request's time goes: CPU per request in the server and in moto
(from ``/proc``), and the DynamoDB calls one endpoint request makes, counted and timed with
botocore hooks on the same app run in this process, one request at a time.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]
import httpx

from bench.report import INFO, Row, verdict
from runtime.core.graph import Graph
from runtime.local.aws import LocalAws
from runtime.local.processes import http_request, stop_process_group, wait_for_http
from runtime.service.app import create_app
from runtime.service.config import ServiceConfig
from runtime.service.gate import pass_gate
from runtime.service.idempotency import create_idempotency_table
from runtime.store import Directory, create_table

ROOT = Path(__file__).resolve().parent.parent
GRAPH_FILE = Path(__file__).parent / "graphs" / "six-nodes.graph.json"
PRODUCT_APP, BASELINE_APP = "bench.servers.product_app", "bench.servers.baseline_app"
TENANT, SLUG = "bench", "qualify-lead"
PATH = f"/t/{TENANT}/{SLUG}"
TABLE, IDEMPOTENCY_TABLE = "auterity", "auterity-idempotency"
REGION = "us-east-1"
TOKEN_SECRET = "bench-token-secret-" + "x" * 40

TARGET_RATIO = 0.8
CONNECTIONS = 16
WARMUP = 200
REQUESTS = 2_000
ROUNDS = 3
WARMUP_BUDGET_S = 4.0
ROUND_BUDGET_S = 6.0
"""Timed seconds per round before it stops early (the row then says how many requests ran)."""
START_TIMEOUT_S = 30.0
PROFILED_REQUESTS = 20

LEADS = [
    {
        "email": "ada@example.com",
        "name": "Ada",
        "budget": 45000,
        "timeline": "this_month",
        "source": "web",
    },
    {
        "email": "grace@example.com",
        "name": "Grace",
        "budget": 18000,
        "timeline": "this_quarter",
        "source": "referral",
    },
    {"email": "linus@example.com", "budget": 32000, "timeline": "next_year", "source": "referral"},
    {
        "email": "ken@example.com",
        "name": "",
        "budget": 15000,
        "timeline": "this_month",
        "source": "ad",
    },
]
"""All qualify (score 40+), so every request runs all six nodes; they differ in tier and name."""
BODIES = [json.dumps({"lead": lead}).encode() for lead in LEADS]


@dataclass(frozen=True, slots=True)
class Server:
    name: str
    url: str
    pid: int


@dataclass(frozen=True, slots=True)
class Load:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    server_cpu_s: float | None
    moto_cpu_s: float | None

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def cpu_ms(self) -> str:
        if self.server_cpu_s is None or self.moto_cpu_s is None:
            return "n/a (no /proc)"
        server, moto = (s / self.requests * 1e3 for s in (self.server_cpu_s, self.moto_cpu_s))
        return f"{server:.1f} ms server + {moto:.1f} ms moto"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds a process has used so far (Linux ``/proc`` only)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _quiet(message: str) -> None:
    del message


@contextmanager
def _local_aws(state_dir: Path) -> Iterator[LocalAws]:
    """moto's server on a free loopback port, not recording."""
    with LocalAws(_free_port(), state_dir, log=_quiet) as aws:
        url = aws.endpoint_url + "/moto-api/recorder/stop-recording"
        if http_request(url, method="POST").status != 200:
            raise RuntimeError("moto refused to stop recording")
        yield aws


def _dynamodb(endpoint_url: str) -> Any:
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint_url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def _seed(client: Any) -> str:
    """Tables, tenant, API key, the graph and its deployment; returns the key's secret."""
    create_table(client, TABLE)
    create_idempotency_table(client, IDEMPOTENCY_TABLE)
    directory = Directory(client, TABLE)
    directory.create_tenant(TENANT, "Benchmark dealership")
    store = directory.tenant(TENANT)
    _, secret = store.create_api_key("bench", "editor")
    graph = Graph.model_validate(json.loads(GRAPH_FILE.read_text()))
    stored = store.create_graph(graph, author="bench")
    store.deploy(SLUG, pass_gate(store, graph.id, stored.version), by="bench")
    return secret


@contextmanager
def _server(module: str, env: dict[str, str], log_dir: Path) -> Iterator[Server]:
    """``module:app`` under uvicorn, one worker, on a free loopback port."""
    port = _free_port()
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        f"{module}:app",
        "--workers",
        "1",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    log_path = log_dir / f"{module.rsplit('.', 1)[-1]}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            argv,
            env=env,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            process_group=0,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        try:
            wait_for_http(url + "/healthz", START_TIMEOUT_S, process=process)
        except (RuntimeError, TimeoutError) as exc:
            tail = log_path.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{module} did not start: {exc}\n{tail}") from None
        yield Server(module, url, process.pid)
    finally:
        stop_process_group(process, grace=5.0)


def _percentile(sorted_ms: list[float], q: float) -> float:
    return sorted_ms[min(len(sorted_ms) - 1, int(q * len(sorted_ms)))]


async def _expected(client: httpx.AsyncClient) -> list[Any]:
    answers = [await client.post(PATH, content=body) for body in BODIES]
    for answer in answers:
        if answer.status_code != 200:
            raise RuntimeError(f"{client.base_url} answered {answer.status_code}: {answer.text}")
    return [answer.json() for answer in answers]


async def _load(
    client: httpx.AsyncClient, total: int, budget_s: float, expected: list[Any]
) -> tuple[list[float], float, int]:
    """Up to ``total`` requests over ``CONNECTIONS`` workers: latencies (ms), seconds, errors."""
    latencies: list[float] = []
    errors = sent = 0
    t0 = time.perf_counter()
    deadline = t0 + budget_s

    async def worker() -> None:
        nonlocal sent, errors
        while sent < total and time.perf_counter() < deadline:
            i, sent = sent, sent + 1
            start = time.perf_counter()
            response = await client.post(PATH, content=BODIES[i % len(BODIES)])
            latencies.append((time.perf_counter() - start) * 1e3)
            if response.status_code != 200 or response.json() != expected[i % len(BODIES)]:
                errors += 1

    await asyncio.gather(*(worker() for _ in range(CONNECTIONS)))
    return latencies, time.perf_counter() - t0, errors


async def _round(
    server: Server, client: httpx.AsyncClient, moto_pid: int, expected: list[Any]
) -> tuple[Load, list[float]]:
    cpu_before = _cpu_seconds(server.pid), _cpu_seconds(moto_pid)
    latencies, seconds, errors = await _load(client, REQUESTS, ROUND_BUDGET_S, expected)
    cpu_after = _cpu_seconds(server.pid), _cpu_seconds(moto_pid)
    server_cpu, moto_cpu = (
        None if a is None or b is None else a - b
        for a, b in zip(cpu_after, cpu_before, strict=True)
    )
    latencies.sort()
    p50, p99 = _percentile(latencies, 0.5), _percentile(latencies, 0.99)
    return Load(len(latencies), seconds, p50, p99, errors, server_cpu, moto_cpu), latencies


async def _compare(
    servers: list[Server], headers: dict[str, str], moto_pid: int
) -> dict[str, Load]:
    limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
    async with (
        httpx.AsyncClient(
            base_url=servers[0].url,
            limits=limits,
            headers=headers,
            timeout=30.0,
            trust_env=False,
        ) as first,
        httpx.AsyncClient(
            base_url=servers[1].url,
            limits=limits,
            headers=headers,
            timeout=30.0,
            trust_env=False,
        ) as second,
    ):
        clients = {servers[0].name: first, servers[1].name: second}
        expected = await _expected(first)
        if await _expected(second) != expected:
            raise RuntimeError("the baseline must answer exactly as the deployed graph does")
        for client in clients.values():
            await _load(client, WARMUP, WARMUP_BUDGET_S, expected)
        best: dict[str, Load] = {}
        pooled: dict[str, list[float]] = {server.name: [] for server in servers}
        for round_ in range(ROUNDS):
            for server in servers if round_ % 2 == 0 else servers[::-1]:
                load, latencies = await _round(server, clients[server.name], moto_pid, expected)
                pooled[server.name] += latencies
                if server.name not in best or load.rps > best[server.name].rps:
                    best[server.name] = load
        # Latency percentiles over every timed request: a p99 from one round's ~2,000 is
        # decided by its 20 slowest, and one stall of a core shared with moto and the load
        # generator moves it more than the server does.
        for name, latencies in pooled.items():
            latencies.sort()
            best[name] = replace(
                best[name],
                p50_ms=_percentile(latencies, 0.5),
                p99_ms=_percentile(latencies, 0.99),
            )
        return best


@dataclass(frozen=True, slots=True)
class Calls:
    ops: Counter[str]
    call_s: float
    total_s: float


def _profile_calls(client: Any, secret: str) -> Calls:
    """DynamoDB operations per endpoint request and the time they take, one request at a time.

    The same ``create_app`` in this process (through httpx's ASGI transport) with botocore
    hooks around every DynamoDB call; the first request also compiles and caches the
    executor, so it is not counted.
    """
    ops: Counter[str] = Counter()
    started: dict[int, float] = {}
    spent = 0.0

    def before(event_name: str, **_: Any) -> None:
        ops[event_name.rsplit(".", 1)[-1]] += 1
        started[threading.get_ident()] = time.perf_counter()

    def after(**_: Any) -> None:
        nonlocal spent
        spent += time.perf_counter() - started.pop(threading.get_ident())

    app = create_app(ServiceConfig(token_secret=TOKEN_SECRET), client)

    async def post_all() -> float:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://bench", headers={"x-api-key": secret}
        ) as http:
            first = await http.post(PATH, content=BODIES[0])
            assert first.status_code == 200, first.text
            client.meta.events.register("before-call.dynamodb", before)
            client.meta.events.register("after-call.dynamodb", after)
            t0 = time.perf_counter()
            for i in range(PROFILED_REQUESTS):
                response = await http.post(PATH, content=BODIES[i % len(BODIES)])
                assert response.status_code == 200, response.text
            return time.perf_counter() - t0

    try:
        total = asyncio.run(post_all())
    finally:
        client.meta.events.unregister("before-call.dynamodb", before)
        client.meta.events.unregister("after-call.dynamodb", after)
    return Calls(ops, spent, total)


def _label(load: Load) -> str:
    errors = f", {load.errors} ERRORS" if load.errors else ""
    short = f" ({load.requests} req in {load.seconds:.0f} s)" if load.requests < REQUESTS else ""
    latency = f"p50 {load.p50_ms:.0f} ms, p99 {load.p99_ms:.0f} ms"
    return f"{load.rps:.0f} req/s, {latency}{short}{errors}"


def run() -> list[Row]:
    with (
        tempfile.TemporaryDirectory(prefix="auterity-bench-") as tmp_dir,
        _local_aws(Path(tmp_dir) / "aws") as aws,
    ):
        assert aws.pid is not None
        client = _dynamodb(aws.endpoint_url)
        secret = _seed(client)
        env = {
            **os.environ,
            **aws.client_env(),
            "AUTERITY_TABLE": TABLE,
            "AUTERITY_IDEMPOTENCY_TABLE": IDEMPOTENCY_TABLE,
            "AUTERITY_TOKEN_SECRET": TOKEN_SECRET,
            "BENCH_API_KEY": secret,
        }
        for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL_DYNAMODB", "AUTERITY_DEPLOY_TARGET"):
            env.pop(name, None)
        with ExitStack() as servers:
            started = [
                servers.enter_context(_server(module, env, Path(tmp_dir)))
                for module in (PRODUCT_APP, BASELINE_APP)
            ]
            headers = {"x-api-key": secret, "content-type": "application/json"}
            best = asyncio.run(_compare(started, headers, aws.pid))
        # After the servers are gone, so the in-process profile has the cores to itself.
        calls = _profile_calls(client, secret)
    product, baseline = best[PRODUCT_APP], best[BASELINE_APP]
    # Higher is better for all three: latencies compare as baseline / product.
    ratios = {
        "req/s": product.rps / baseline.rps,
        "p50": baseline.p50_ms / product.p50_ms,
        "p99": baseline.p99_ms / product.p99_ms,
    }
    per_request = sum(calls.ops.values()) / PROFILED_REQUESTS
    ops = ", ".join(f"{n / PROFILED_REQUESTS:g} {op}" for op, n in calls.ops.most_common())
    call_ms, total_ms = (s / PROFILED_REQUESTS * 1e3 for s in (calls.call_s, calls.total_s))
    return [
        Row(
            benchmark=(
                f"HTTP: deployed 6-node graph, uvicorn 1 worker, {CONNECTIONS} conns"
                f" [req/s: best of {ROUNDS} rounds, latency: all of them; load generator and moto"
                f" share the cores]"
            ),
            measured=_label(product),
            baseline=_label(baseline) + "; hand-written FastAPI + 1 PutItem run record",
            ratio=", ".join(f"{r:.2f}x {name}" for name, r in ratios.items()),
            target=f"≥ {TARGET_RATIO:g}x each",
            verdict=verdict(
                min(ratios.values()) >= TARGET_RATIO and not product.errors and not baseline.errors
            ),
        ),
        Row(
            benchmark="  diag: CPU per request under load",
            measured=product.cpu_ms(),
            baseline=baseline.cpu_ms(),
            ratio="-",
            target="-",
            verdict=INFO,
        ),
        Row(
            benchmark="  diag: DynamoDB calls per endpoint request (one at a time, in-process)",
            measured=f"{per_request:g} calls ({ops}) = {call_ms:.1f} of {total_ms:.1f} ms/req",
            baseline="1 call (PutItem)",
            ratio=f"{call_ms / total_ms:.0%} of the request in DynamoDB calls",
            target="-",
            verdict=INFO,
        ),
    ]
