"""``auterity tenant``: provision a branded tenant stack, inspect, update and tear it down.

``--target local`` (the default) deploys to the local AWS endpoint (``make run``'s, or
``AWS_ENDPOINT_URL``); ``--target aws`` to whatever account boto3's credentials name. Steps
show as they run; a provision or update ends with the stack's outputs.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any, NoReturn, get_args

import typer
from botocore.exceptions import EndpointConnectionError  # type: ignore[import-untyped]
from pydantic import ValidationError
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from infra.cdk.config import TenantConfig
from runtime.cli.console import err, out
from runtime.store import StoreError
from runtime.tenant.brand import BrandError, BrandPackage, load_brand
from runtime.tenant.industry import Industry
from whitelabel.provision import (
    Options,
    ProvisionError,
    provision,
    status,
    teardown,
    update,
)
from whitelabel.provision.account import PlatformAccount
from whitelabel.provision.jobs import Job, Step, Target

tenant_app = typer.Typer(
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="A tenant's own branded stack (CloudFormation, built with the CDK).",
)

NameArg = Annotated[str, typer.Argument(help="The tenant id, e.g. acme.", show_default=False)]
TargetOpt = Annotated[str, typer.Option("--target", help="local (the local AWS endpoint) or aws.")]
RegionOpt = Annotated[str, typer.Option("--region", help="The stack's AWS region.")]
BrandOpt = Annotated[
    Path, typer.Option("--brand", help="A brand file (YAML or JSON).", show_default=False)
]


def _target(value: str) -> Target:
    if value not in get_args(Target):
        raise typer.BadParameter(f"--target is local or aws, not {value!r}")
    return value  # type: ignore[return-value]


def _brand(path: Path) -> BrandPackage:
    """The checked brand, or exit 2 with one line per field that is wrong."""
    try:
        return load_brand(path)
    except BrandError as error:
        err.print(f"[red]error:[/] the brand file {path} cannot be used:", highlight=False)
        for field, why in error.problems.items():
            err.print(f"  {field}: {why}", highlight=False, markup=False)
        raise typer.Exit(2) from None


class StepDisplay:
    """A live line per step (spinner, latest message, elapsed time); every message if verbose."""

    def __init__(self, console: Console, *, verbose: bool = False) -> None:
        self.progress = Progress(
            SpinnerColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=console,
        )
        self._console = console
        self._verbose = verbose
        self._tasks: dict[int, TaskID] = {}
        self._shown: dict[int, int] = {}

    def __enter__(self) -> StepDisplay:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def __call__(self, job: Job, step: Step | None) -> None:
        if step is None:
            return
        index = next(i for i, s in enumerate(job.steps) if s is step)
        if index not in self._tasks:
            self._tasks[index] = self.progress.add_task(step.name, total=1)
            self._shown[index] = 0
        if self._verbose:
            for message in step.messages[self._shown[index] :]:
                self.progress.console.print(
                    f"  [dim]{step.name}[/] {message}", markup=True, highlight=False
                )
        self._shown[index] = len(step.messages)
        last = step.messages[-1] if step.messages else ""
        mark = {"succeeded": "[green]✓[/]", "failed": "[red]✗[/]", "skipped": "[dim]-[/]"}
        prefix = mark.get(step.status, "")
        text = f"{prefix} [bold]{step.name}[/]" + (f"  [dim]{_escape(last)}[/]" if last else "")
        done = step.status in mark
        self.progress.update(
            self._tasks[index], description=text.strip(), completed=1 if done else 0
        )


def _escape(text: str) -> str:
    short = text if len(text) <= 90 else text[:89] + "…"
    return short.replace("[", r"\[")


def _config_problems(error: Any) -> NoReturn:
    problems = "; ".join(
        f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()
    )
    err.print(f"[red]error:[/] {problems}", highlight=False, markup=False)
    raise typer.Exit(2)


def _outputs_table(outputs: dict[str, str], title: str) -> Table:
    table = Table(title=title, show_lines=False)
    table.add_column("output", no_wrap=True)
    table.add_column("value", overflow="fold")
    for key, value in sorted(outputs.items()):
        table.add_row(key, value)
    return table


def _run(verbose: bool, work: Any) -> Job:
    with StepDisplay(err, verbose=verbose) as display:
        try:
            job: Job = work(display)
        except ProvisionError as error:
            display.progress.stop()
            err.print(f"[red]error:[/] {error}", highlight=False)
            raise typer.Exit(1) from None
        except EndpointConnectionError as error:
            display.progress.stop()
            _unreachable(error)
        except StoreError as error:  # the platform's table or bucket (the account step)
            display.progress.stop()
            err.print(
                f"[red]error:[/] the platform: {error} (start `make run`, or --no-platform)",
                highlight=False,
            )
            raise typer.Exit(1) from None
    return job


def _unreachable(error: Exception) -> NoReturn:
    err.print(
        f"[red]error:[/] {error}; for --target local, start the local endpoint "
        f"(`make run`) or set AWS_ENDPOINT_URL",
        highlight=False,
    )
    raise typer.Exit(1)


VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Show every message.")]
PlatformOpt = Annotated[
    bool,
    typer.Option(
        "--platform/--no-platform",
        help="Also set up (or remove) the tenant's account on this platform's service.",
    ),
]


@tenant_app.command("provision")
def provision_command(
    name: NameArg,
    brand: BrandOpt,
    target: TargetOpt = "local",
    industry: Annotated[str, typer.Option(help="The tenant's industry.")] = "general",
    region: RegionOpt = "us-east-1",
    table_mode: Annotated[
        str, typer.Option("--table-mode", help="dedicated (own table) or pooled.")
    ] = "dedicated",
    reserved_concurrency: Annotated[
        int | None, typer.Option(help="Reserve this many concurrent executions.")
    ] = None,
    log_retention_days: Annotated[int, typer.Option(help="Days to keep logs.")] = 30,
    domain: Annotated[
        str | None,
        typer.Option(help="The API's own host name (needs --certificate-arn; AWS only)."),
    ] = None,
    certificate_arn: Annotated[
        str | None, typer.Option(help="ACM certificate for --domain, in the stack's region.")
    ] = None,
    layer: Annotated[
        list[str] | None,
        typer.Option(
            "--layer",
            help="A Lambda layer ARN with the service's libraries (repeatable; needed on AWS).",
        ),
    ] = None,
    admin_email: Annotated[
        str | None,
        typer.Option(help="The tenant's first admin (default: admin@<tenant>.example)."),
    ] = None,
    platform: PlatformOpt = True,
    verbose: VerboseOpt = False,
) -> None:
    """Create the tenant's stack with its brand, and print the stack's outputs.

    With --platform (the default) the tenant also gets its account on this platform: the
    tenant, a first admin who must choose a password at first login, the brand and its
    industry's templates, so its builder works at once.
    """
    package = _brand(brand)
    if industry not in get_args(Industry):
        raise typer.BadParameter(f"--industry is one of {', '.join(get_args(Industry))}")
    try:
        config = TenantConfig.model_validate(
            {
                "tenant": name,
                "industry": industry,
                "brand": package.brand,
                "region": region,
                "table_mode": table_mode,
                "reserved_concurrency": reserved_concurrency,
                "log_retention_days": log_retention_days,
                "lambda_layers": tuple(layer or ()),
                "custom_domain": (
                    {"domain_name": domain, "certificate_arn": certificate_arn}
                    if domain or certificate_arn
                    else None
                ),
            }
        )
    except ValidationError as error:
        _config_problems(error)
    chosen = _target(target)
    account = PlatformAccount.from_env(admin_email or f"admin@{name}.example") if platform else None
    options = Options(target=chosen, listeners=(), account=account)
    job = _run(
        verbose,
        lambda display: provision(config, package, replace(options, listeners=(display,))),
    )
    out.print(_outputs_table(job.outputs, f"{config.stack_name} ({chosen})"))
    if account is not None:
        _first_login(name, account)


def _first_login(tenant: str, account: PlatformAccount) -> None:
    builder = os.environ.get("AUTERITY_BUILDER_URL", "http://127.0.0.1:3000").rstrip("/")
    out.print(
        f"Builder: {builder}/login?tenant={tenant}\n"
        f"  tenant {tenant}, email {account.admin_email}, "
        f"one-time password [bold]{account.admin_password}[/] (shown once; a new one is "
        f"chosen at first login)",
        highlight=False,
    )


@tenant_app.command("update")
def update_command(
    name: NameArg,
    brand: Annotated[
        Path | None, typer.Option("--brand", help="A new brand file.", show_default=False)
    ] = None,
    target: TargetOpt = "local",
    region: RegionOpt = "us-east-1",
    industry: Annotated[str | None, typer.Option(help="A new industry.")] = None,
    reserved_concurrency: Annotated[
        int | None, typer.Option(help="Reserve this many concurrent executions.")
    ] = None,
    log_retention_days: Annotated[int | None, typer.Option(help="Days to keep logs.")] = None,
    platform: PlatformOpt = True,
    verbose: VerboseOpt = False,
) -> None:
    """Re-build the stack (with a new brand or settings, if given) and deploy what changed."""
    package = _brand(brand) if brand is not None else None
    chosen = _target(target)
    changes = {
        key: value
        for key, value in (
            ("industry", industry),
            ("reserved_concurrency", reserved_concurrency),
            ("log_retention_days", log_retention_days),
        )
        if value is not None
    }
    try:
        job = _run(
            verbose,
            lambda display: update(
                name,
                region=region,
                package=package,
                changes=changes,
                options=Options(
                    target=chosen,
                    listeners=(display,),
                    account=PlatformAccount.from_env() if platform else None,
                ),
            ),
        )
    except ValidationError as error:
        _config_problems(error)
    out.print(_outputs_table(job.outputs, f"tenant {name} ({chosen})"))


@tenant_app.command("status")
def status_command(
    name: NameArg,
    target: TargetOpt = "local",
    region: RegionOpt = "us-east-1",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The stack's status, outputs and resources."""
    try:
        found = status(name, region=region, options=Options(target=_target(target)))
    except ProvisionError as error:
        err.print(f"[red]error:[/] {error}", highlight=False)
        raise typer.Exit(1) from None
    except EndpointConnectionError as error:
        _unreachable(error)
    if as_json:
        out.print_json(json.dumps(found.model_dump(mode="json")))
        return
    out.print(f"[bold]{found.stack}[/]: {found.status}")
    out.print(_outputs_table(found.outputs, "outputs"))
    resources = Table(title="resources")
    for column in ("logical id", "type", "status"):
        resources.add_column(column)
    for logical, described in found.resources.items():
        kind, _, state = described.partition(" ")
        resources.add_row(logical, kind, state)
    out.print(resources)


@tenant_app.command("teardown")
def teardown_command(
    name: NameArg,
    target: TargetOpt = "local",
    region: RegionOpt = "us-east-1",
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask first.")] = False,
    platform: PlatformOpt = True,
    verbose: VerboseOpt = False,
) -> None:
    """Delete the tenant's stack (its brand bucket's contents first) and its platform account."""
    chosen = _target(target)
    if not yes:
        typer.confirm(f"Delete tenant {name}'s stack and its data ({chosen})?", abort=True)
    job = _run(
        verbose,
        lambda display: teardown(
            name,
            region=region,
            options=Options(
                target=chosen,
                listeners=(display,),
                account=PlatformAccount.from_env() if platform else None,
            ),
        ),
    )
    kept = f"; kept: {', '.join(job.outputs.values())}" if job.outputs else ""
    out.print(f"tenant {name}'s stack is deleted{kept}")
