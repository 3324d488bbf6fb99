"""``auterity``: validate, run, compile and inspect graphs from a terminal.

Every failure a user can cause prints one line starting with ``error:`` and exits non-zero;
a traceback here would be a bug.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from nodes.registry import default_registry
from runtime.ai.session import close_default_session
from runtime.cli.assistant import generate
from runtime.cli.compiling import compile_
from runtime.cli.console import CliError, diagnostics_table, err, out
from runtime.core.egress import EgressPlatform
from runtime.core.errors import AuterityError, CompileError, GraphLoadError
from runtime.core.graph import Graph
from runtime.core.load import load_graph_file, parse_json
from runtime.core.options import RunOptions
from runtime.core.schema import graph_json_schema
from runtime.engine.compile import plan_from_analysis
from runtime.engine.executor import Executor
from runtime.engine.trace import RunResult
from runtime.engine.validate import analyze

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Auterity: visual workflows with a serverless runtime.",
)
FileArg = Annotated[Path, typer.Argument(help="A *.graph.json file.", show_default=False)]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


def _load(path: Path) -> Graph:
    return load_graph_file(path)


@app.command()
def validate(file: FileArg, as_json: JsonFlag = False) -> None:
    """Check a graph and list what is wrong with it, node by node."""
    graph = _load(file)
    diagnostics = analyze(graph).diagnostics
    errors = sum(d.severity == "error" for d in diagnostics)
    if as_json:
        out.print_json(json.dumps([d.model_dump(exclude_defaults=True) for d in diagnostics]))
    elif diagnostics:
        out.print(diagnostics_table(diagnostics))
    warnings = len(diagnostics) - errors
    summary = f"{file}: {errors} error(s), {warnings} warning(s)"
    (err if as_json else out).print(
        f"[red]{summary}[/]" if errors else f"[green]{summary}[/]", highlight=False
    )
    raise typer.Exit(1 if errors else 0)


def _read_value(text: str | None, option: str) -> Any:
    if text is None:
        return None
    if text.startswith("@"):
        path = Path(text[1:])
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise CliError(f"cannot read {path}: {exc.strerror}") from None
    try:
        return parse_json(text, source=option)
    except GraphLoadError as exc:
        raise CliError(str(exc)) from None


def _trace_table(result: RunResult) -> Table:
    """One line per node; the data column is cut to the terminal (``--json`` has it all)."""
    table = Table(title=f"run {result.run_id}")
    rows = []
    for t in result.trace:
        node = t.node + (f" [{','.join(map(str, t.iteration))}]" if t.iteration else "")
        detail = t.error.message if t.error else json.dumps(t.outputs, default=str)
        rows.append((node, t.status, str(t.attempts), f"{t.duration_ms:.2f}", detail))
    node_width = max((len(r[0]) for r in rows), default=4)
    budget = max(24, out.width - node_width - 9 - 8 - 8 - 16)
    for column in ("node", "status", "attempts", "ms", "output / error"):
        table.add_column(column, no_wrap=True)
    colors = {"ok": "green", "failed": "red", "skipped": "dim"}
    for node, status, attempts, ms, detail in rows:
        shown = detail if len(detail) <= budget else detail[: budget - 1] + "…"
        color = colors.get(status, "yellow")
        table.add_row(node, f"[{color}]{status}[/]", attempts, ms, shown)
    return table


@app.command()
def run(
    file: FileArg,
    input_: Annotated[
        str | None,
        typer.Option(
            "--input", "-i", help="Payload as JSON or @file. Webhook graphs get it as the body."
        ),
    ] = None,
    event: Annotated[
        str | None, typer.Option("--event", help="The raw trigger event as JSON or @file.")
    ] = None,
    as_json: JsonFlag = False,
    timeout: Annotated[
        float | None, typer.Option(help="Stop the run after this many seconds.")
    ] = None,
    allow: Annotated[
        list[str] | None,
        typer.Option(
            "--allow",
            help="Host or CIDR outbound HTTP may reach although private (opened and allowed;"
            " metadata and AWS_ENDPOINT_URL* endpoints stay closed).",
        ),
    ] = None,
) -> None:
    """Run a graph in-process and print its result and the per-node trace."""
    graph = _load(file)
    analysis = analyze(graph)
    if not analysis.ok:
        raise CompileError(analysis.diagnostics)
    plan = plan_from_analysis(analysis)
    if timeout is not None and timeout <= 0:
        raise CliError(f"--timeout must be more than 0 seconds, got {timeout:g}")
    trigger_event = _read_value(event, "--event")
    payload = _read_value(input_, "--input")
    if event is None:
        trigger_event = _event_for(plan.steps[plan.trigger].type, payload)
    try:  # whoever runs the CLI is the operator: ``--allow`` opens what it allows
        egress = EgressPlatform.from_env().opening(allow or ())
    except ValueError as exc:
        raise CliError(str(exc)) from None
    options = RunOptions(
        run_timeout_seconds=timeout, egress_allow=tuple(allow or ()), egress=egress
    )
    result = asyncio.run(_run_closing(Executor(plan), trigger_event, options))
    if as_json:
        out.print_json(result.model_dump_json())
    else:
        out.print(_trace_table(result))
        if result.status == "succeeded":
            out.print("[bold]output[/]")
            out.print_json(json.dumps(result.output, default=str))
        else:
            assert result.error is not None
            out.print(
                f"[red]run {result.status}: node {result.error.node}: {result.error.message}[/]"
            )
    raise typer.Exit(0 if result.status == "succeeded" else 1)


async def _run_closing(executor: Executor, event: Any, options: RunOptions) -> RunResult:
    """Run, then close the model clients AI nodes opened on this loop (it ends with us)."""
    try:
        return await executor.run(event, options=options)
    finally:
        await close_default_session()


app.command("compile")(compile_)


@app.command()
def nodes(as_json: JsonFlag = False) -> None:
    """List the node types (with --json: each one's ports and config JSON Schema)."""
    registry = default_registry()
    types = registry.latest()
    if as_json:
        out.print_json(json.dumps([registry.describe(t).model_dump(mode="json") for t in types]))
        return
    table = Table(title=f"{len(types)} node types")
    table.add_column("type", no_wrap=True)
    for column in ("title", "category", "inputs", "outputs", "description"):
        table.add_column(column)
    for t in types:
        described = registry.describe(t)
        table.add_row(
            t.type,
            t.title,
            t.category,
            ", ".join(p.name for p in described.inputs) or "-",
            ", ".join(p.name for p in described.outputs) or "-",
            t.description,
        )
    out.print(table)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the *.graph.json format."""
    out.print_json(json.dumps(graph_json_schema()))


@app.command()
def migrate(file: FileArg) -> None:
    """Rewrite a graph file written by an older release in the current schema version."""
    graph = _load(file)
    file.write_text(graph.to_json(), encoding="utf-8")
    out.print(f"{file}: now schema_version {graph.schema_version}", highlight=False)


def _event_for(plan_trigger_type: str, payload: Any) -> Any:
    trigger_type = default_registry().get(plan_trigger_type)
    if trigger_type is not None and trigger_type.needs_response:
        return {"method": "POST", "path": "/", "headers": {}, "query": {}, "body": payload}
    return payload


@app.command()
def demo(
    folder: Annotated[Path, typer.Argument(help="Folder of *.graph.json files.")] = Path(
        "examples"
    ),
) -> None:
    """Validate and run every example graph with its sample input; show how to go further."""
    files = sorted(folder.glob("*.graph.json"))
    if not files:
        raise CliError(f"no *.graph.json files in {folder}")
    count = len(default_registry().latest())
    out.print(f"[bold]Auterity[/] · {count} node types · {len(files)} example graphs\n")
    failed = 0
    for path in files:
        graph = _load(path)
        analysis = analyze(graph)
        errors = [d for d in analysis.diagnostics if d.severity == "error"]
        if errors:
            failed += 1
            out.print(f"[red]✗[/] {path.name}: {len(errors)} error(s); first: {errors[0].render()}")
            continue
        plan = plan_from_analysis(analysis)
        payload = graph.metadata.get("sample_input")
        result = asyncio.run(Executor(plan).run(_event_for(plan.steps[plan.trigger].type, payload)))
        ok = result.status == "succeeded"
        failed += not ok
        mark = "[green]✓[/]" if ok else "[red]✗[/]"
        out.print(
            f"{mark} {path.name}: {len(graph.nodes)} nodes, valid, run {result.status}"
            f" in {result.duration_ms:.1f} ms",
            highlight=False,
        )
        shown = json.dumps(
            result.output if ok else result.error and result.error.message, default=str
        )
        out.print(f"    → {shown[:110]}{'…' if len(shown) > 110 else ''}", highlight=False)
    first = files[0]
    sample = """'{"lead": {"email": "a@b.co", "budget": 45000}}'"""
    out.print(
        "\n[bold]Next[/]\n"
        f"  auterity validate {first}            diagnostics per node\n"
        f"  auterity run {folder}/lead-scoring.graph.json -i {sample}\n"
        f"  auterity compile {first} -o bundle.zip   a Lambda-ready zip\n"
        "  auterity nodes [--json]                      node catalog and config schemas\n"
        "  (the CLI is .venv/bin/auterity; `source .venv/bin/activate` puts it on PATH)",
        highlight=False,
    )
    raise typer.Exit(1 if failed else 0)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    header_timeout: Annotated[
        float,
        typer.Option(
            min=0.1,
            envvar="AUTERITY_HEADER_TIMEOUT_SECONDS",
            help="Seconds a client may take to send a request's headers (then 408).",
        ),
    ] = 5.0,
    max_connections_per_client: Annotated[
        int,
        typer.Option(
            min=0,
            envvar="AUTERITY_MAX_CONNECTIONS_PER_CLIENT",
            help="Open connections per client address (then 503); 0 is no cap.",
        ),
    ] = 64,  # header_timeout and this default to ConnectionLimits' defaults
) -> None:
    """Start the HTTP service (management API and deployed endpoints)."""
    try:  # the 'service' extra may be missing: say which, not a traceback
        from runtime.service.connection_limits import ConnectionLimits
        from runtime.service.server import serve as run_server
    except ImportError as exc:
        raise CliError(
            f"the service needs the 'service' extra: pip install -e '.[service]' ({exc})"
        ) from None
    run_server(host, port, ConnectionLimits(header_timeout, max_connections_per_client))


app.command("generate")(generate)

# Commands whose dependencies live in extras appear only when those are installed.
try:  # the store's commands need boto3 (the 'service' extra)
    from runtime.cli.store import audit_app, data_app, gdpr_app
except ImportError:  # pragma: no cover - the test environment has every extra
    pass
else:
    app.add_typer(data_app, name="data")
    app.add_typer(audit_app, name="audit")
    app.add_typer(gdpr_app, name="gdpr")
    try:  # provisioning also needs the CDK's configuration models
        from runtime.cli.whitelabel import tenant_app
    except ImportError:  # pragma: no cover
        pass
    else:
        app.add_typer(tenant_app, name="tenant")


def main() -> None:
    try:
        code = app(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except CompileError as exc:
        err.print(f"[red]error:[/] {exc}", highlight=False)
        sys.exit(1)
    except (AuterityError, CliError) as exc:
        err.print(f"[red]error:[/] {exc}", highlight=False)
        sys.exit(2)
    except (typer.Abort, KeyboardInterrupt):
        err.print("aborted")
        sys.exit(130)
    except Exception as exc:  # click usage errors and anything unforeseen: still one line
        # Usage errors come from typer's vendored click; they know how to say themselves.
        format_message = getattr(exc, "format_message", None)
        message = format_message() if callable(format_message) else str(exc)
        err.print(f"[red]error:[/] {message}", highlight=False)
        sys.exit(2)


if __name__ == "__main__":
    main()
