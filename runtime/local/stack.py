"""``make run``: the whole product on local defaults, state kept across restarts.

Starts the local AWS endpoint (state replayed from ``.auterity/local``), creates the tables and
the brand assets bucket, seeds a ``demo`` tenant with an admin user and an API key, saves and
deploys the example graphs, starts the service and the browser builder, and prints how to use
them. Running it again reuses everything; Ctrl-C stops every process it started. A child that
crashes is restarted with backoff (``runtime.local.processes.Supervisor``); leftovers of a
``kill -9``-ed run are stopped only when their pid files prove this stack started them
(``runtime.local.ownership``). Everything under ``.auterity/local`` is private (0700/0600).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import sys
from pathlib import Path
from typing import Any

from runtime.core.load import load_graph_file
from runtime.local.aws import LocalAws
from runtime.local.ownership import TOKEN_ENV, new_token, record, stop_leftover
from runtime.local.private import private_dir, write_private_text
from runtime.local.processes import Supervisor, log_to_stderr, port_is_free, wait_for_http
from runtime.service.config import ServiceConfig
from runtime.service.gate import gate_of
from runtime.service.server import ensure_bucket, ensure_tables
from runtime.store import Conflict, Directory, NotFound, TenantStore, bucket_name, make_client
from runtime.store.endpoint import LocalAwsError
from runtime.store.gatepass import GateRefused

STATE_DIR = Path(".auterity/local")
CREDENTIALS = STATE_DIR / "credentials.json"
SERVICE_PIDFILE = STATE_DIR / "service.pid"
BUILDER_PIDFILE = STATE_DIR / "builder.pid"
TENANT = "demo"
ADMIN = "admin@demo.local"
EXAMPLES = Path("examples")
LEAD = {
    "lead": {
        "email": "ada@example.com",
        "name": "Ada",
        "budget": 45000,
        "timeline": "this_month",
        "source": "web",
    }
}


def _credentials() -> dict[str, str]:
    if CREDENTIALS.exists():
        loaded: dict[str, str] = json.loads(CREDENTIALS.read_text())
        return loaded
    return {}


def _save_credentials(values: dict[str, str]) -> None:
    private_dir(CREDENTIALS.parent)
    write_private_text(CREDENTIALS, json.dumps(values, indent=2))


def seed(directory: Directory) -> tuple[TenantStore, dict[str, str]]:
    """The demo tenant, its admin and API key: created once, then found again."""
    creds = _credentials()
    try:
        store = directory.tenant(TENANT)
    except NotFound:
        directory.create_tenant(TENANT, "Demo Motors", "automotive")
        store = directory.tenant(TENANT)
        creds = {}
    if "password" not in creds:
        creds["password"] = secrets.token_urlsafe(12)
        with contextlib.suppress(NotFound):
            store.delete_user(ADMIN)
        store.create_user(ADMIN, creds["password"], "admin")
    if "api_key" not in creds or store.verify_api_key(creds["api_key"]) is None:
        _, creds["api_key"] = store.create_api_key("local make run", "admin")
    creds.setdefault("token_secret", secrets.token_urlsafe(48))
    _save_credentials(creds)
    return store, creds


def deploy_examples(store: TenantStore) -> list[str]:
    """Save each example (a new version only when the file changed); deploy webhook ones.

    Deploying passes the same gate as the API's deploy (``runtime.service.gate``).
    """
    slugs = []
    for path in sorted(EXAMPLES.glob("*.graph.json")):
        graph = load_graph_file(path)
        try:
            head = store.get_graph(graph.id)
        except NotFound:
            saved = store.create_graph(graph, author="make run", message=f"from {path}")
        else:
            saved = head
            if head.graph != graph:
                saved = store.save_graph(
                    graph, base_version=head.version, author="make run", message=f"from {path}"
                )
        if not any(n.type == "trigger.webhook" for n in graph.nodes):
            continue  # saved, but only webhook graphs are endpoints; the rest run on demand
        slug = graph.id.replace("_", "-")
        try:
            current = store.get_deployment(slug).version
        except NotFound:
            current = None
        if current != saved.version:
            try:  # the deploy gate holds here too: a refused example is saved, not served
                passed = gate_of(store)(graph.id, saved.version)
            except GateRefused as refused:
                print(f"not deployed: {slug}: {refused}", file=sys.stderr)
                continue
            # Conflict: another make run deployed it a moment ago, which is just as good.
            with contextlib.suppress(Conflict):
                store.deploy(slug, passed, by="make run")
        slugs.append(slug)
    return slugs


def banner(
    base: str, builder: str | None, aws: LocalAws, creds: dict[str, str], slugs: list[str]
) -> str:
    body = json.dumps(LEAD)
    lines = [
        "",
        "Auterity is running.",
        f"  builder    {builder}   (log in with the tenant and login below)"
        if builder
        else "  builder    not started (AUTERITY_BUILDER=0)",
        f"  API        {base}/api/v1   (docs: {base}/docs, schema: {base}/openapi.json)",
        f"  AWS        {aws.endpoint_url}   (local DynamoDB; state in {aws.state_dir})",
        f"  tenant     {TENANT}",
        f"  login      {ADMIN} / {creds['password']}",
        f"  API key    {creds['api_key']}",
        "  endpoints  " + ", ".join(f"{base}/t/{TENANT}/{s}" for s in slugs),
        "",
        "Score a lead:",
        f"  curl -s -X POST {base}/t/{TENANT}/lead-scoring \\",
        f"    -H 'X-API-Key: {creds['api_key']}' -H 'content-type: application/json' \\",
        f"    -d '{body}'",
        "",
        "Ctrl-C stops everything; the next `make run` finds your graphs and runs again.",
        "",
    ]
    return "\n".join(lines)


def builder_argv(port: int) -> list[str]:
    """The builder as it ships: a production build served on one loopback port.

    (Reflex's dev mode starts Vite with ``--host``, which listens on every interface.)
    """
    reflex = str(Path(sys.executable).with_name("reflex"))
    return [
        reflex, "run", "--env", "prod", "--single-port", "--backend-host", "127.0.0.1",
        "--frontend-port", str(port), "--backend-port", str(port),
    ]  # fmt: skip


def main() -> int:
    port = int(os.environ.get("AUTERITY_PORT", "8000"))
    builder_port = int(os.environ.get("AUTERITY_BUILDER_PORT", "3000"))
    with_builder = os.environ.get("AUTERITY_BUILDER", "1") != "0"
    private_dir(STATE_DIR)
    stop_leftover(SERVICE_PIDFILE, STATE_DIR, log_to_stderr)
    stop_leftover(BUILDER_PIDFILE, STATE_DIR, log_to_stderr)
    token = new_token()
    wanted = [(port, "AUTERITY_PORT")]
    if with_builder:
        wanted.append((builder_port, "AUTERITY_BUILDER_PORT"))
    for number, variable in wanted:
        if not port_is_free(number):
            print(
                f"error: port {number} is busy; stop what uses it or set {variable}",
                file=sys.stderr,
            )
            return 2
    base = f"http://127.0.0.1:{port}"
    builder_url = f"http://127.0.0.1:{builder_port}" if with_builder else None
    for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE"):  # never a developer's real account
        os.environ.pop(name, None)
    with Supervisor() as supervisor:
        try:
            aws = LocalAws(state_dir=STATE_DIR).start()
        except LocalAwsError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        if aws.process is not None:
            supervisor.watch(
                "local AWS", aws.process, restart=aws.relaunch, last_lines=aws.last_lines
            )
        elif aws.pid is not None:
            supervisor.watch_pid("local AWS", aws.pid)  # another make run's server
        os.environ.update(aws.client_env())
        client = make_client(endpoint_url=aws.endpoint_url)
        config = ServiceConfig(token_secret=secrets.token_urlsafe(48), assets_bucket=bucket_name())
        ensure_tables(client, config)
        ensure_bucket(config, endpoint_url=aws.endpoint_url)
        store, creds = seed(Directory(client))
        slugs = deploy_examples(store)
        env: dict[str, Any] = {
            **os.environ,
            "AUTERITY_TOKEN_SECRET": creds["token_secret"],
            "AUTERITY_PUBLIC_URL": base,
            TOKEN_ENV: token,
        }
        service = supervisor.start(
            "service",
            [sys.executable, "-m", "runtime.cli", "serve", "--port", str(port)],
            env=env,
            log_path=STATE_DIR / "service.log",
            on_start=lambda child: record(SERVICE_PIDFILE, child.pid, STATE_DIR, token),
        )
        if builder_url is not None:
            builder = supervisor.start(
                "builder",
                builder_argv(builder_port),
                env={**env, "AUTERITY_API_URL": base},
                log_path=STATE_DIR / "builder.log",
                on_start=lambda child: record(BUILDER_PIDFILE, child.pid, STATE_DIR, token),
            )
        wait_for_http(f"{base}/healthz", timeout=60, process=service)
        if builder_url is not None:
            print("building the browser builder (about 15 s the first time) ...", flush=True)
            wait_for_http(builder_url + "/", timeout=300, process=builder)
        print(banner(base, builder_url, aws, creds, slugs), flush=True)
        return supervisor.run()


if __name__ == "__main__":
    sys.exit(main())
