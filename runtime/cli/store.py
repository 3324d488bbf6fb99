"""``auterity data``: export one tenant to DynamoDB JSON lines, or import such a file.

Mount it in the main CLI with ``app.add_typer(data_app, name="data")``. The table comes from
``AUTERITY_TABLE`` (default ``auterity``) and the endpoint from boto3's usual environment, so
the same commands work against DynamoDB and a local server.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, TextIO

import typer

from runtime.service.gate import gate_of
from runtime.store.directory import Directory
from runtime.store.erasure import erase_subject
from runtime.store.errors import InvalidInput
from runtime.store.gatepass import GateRefused
from runtime.store.slices import AuditStore, TransferStore
from runtime.store.table import TABLE_NAME_DEFAULT, create_table, make_client
from runtime.store.tenant import TenantStore

data_app = typer.Typer(
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Export and import one tenant's data as DynamoDB JSON lines.",
)

TenantArg = Annotated[str, typer.Argument(help="The tenant id.", show_default=False)]


def _table_name() -> str:
    return os.environ.get("AUTERITY_TABLE", TABLE_NAME_DEFAULT)


@data_app.command("export")
def export(
    tenant: TenantArg,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write here instead of stdout.")
    ] = None,
) -> None:
    """Write every item of TENANT, one JSON line each."""
    store = Directory(make_client(), _table_name()).tenant(tenant)
    if output is None:
        count = _write(store, sys.stdout)
    else:
        try:
            with output.open("w", encoding="utf-8") as out:
                count = _write(store, out)
        except OSError as exc:
            raise InvalidInput(f"cannot write {output}: {exc.strerror}") from None
    typer.echo(f"exported {count} item(s) of tenant '{tenant}'", err=True)


def _write(transfer: TransferStore, out: TextIO) -> int:
    count = 0
    for line in transfer.export_lines():
        out.write(line + "\n")
        count += 1
    return count


@data_app.command("import")
def import_(
    tenant: TenantArg,
    file: Annotated[Path, typer.Argument(help="A file written by `data export`.")],
    create: Annotated[
        bool, typer.Option("--create-table", help="Create the table first if it is missing.")
    ] = False,
) -> None:
    """Create the items of FILE in TENANT; refuses other tenants' lines, never overwrites.

    A deployment is imported only if its version passes the deploy gate in TENANT.
    """
    client = make_client()
    if create:
        create_table(client, _table_name())
    store = TenantStore(client, tenant, _table_name())
    try:
        with file.open(encoding="utf-8") as lines:
            count = store.import_lines(lines, gate_of(store))
    except OSError as exc:
        raise InvalidInput(f"cannot read {file}: {exc.strerror}") from None
    typer.echo(f"imported {count} new item(s) into tenant '{tenant}'", err=True)


audit_app = typer.Typer(
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Check a tenant's hash-chained audit trail.",
)


@audit_app.callback()
def audit() -> None:
    """Keeps ``verify`` a subcommand (a Typer app with one command would collapse into it)."""


@audit_app.command("verify")
def verify(tenant: TenantArg) -> None:
    """Report every edited, deleted or moved audit event of TENANT; exit 1 if there is one."""
    trail: AuditStore = Directory(make_client(), _table_name()).tenant(tenant)
    report = trail.verify_audit()
    for problem in report.problems:
        where = f"event {problem.seq}" if problem.seq is not None else "outside the chain"
        if problem.event_id:
            where += f" ({problem.event_id})"
        typer.echo(f"{where}: {problem.problem}")
    verdict = "intact" if report.ok else f"{len(report.problems)} problem(s)"
    typer.echo(
        f"tenant '{tenant}': {report.events} event(s), head {report.head_seq}"
        f" {report.head_hash[:16]}: {verdict}",
        err=True,
    )
    raise typer.Exit(0 if report.ok else 1)


gdpr_app = typer.Typer(
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="GDPR requests against one tenant's data.",
)


@gdpr_app.callback()
def gdpr() -> None:
    """Keeps ``erase`` a subcommand."""


@gdpr_app.command("erase")
def erase(
    subject: Annotated[
        str, typer.Argument(help="The data subject's identifier (email, phone, customer id).")
    ],
    tenant: Annotated[str, typer.Option("--tenant", "-t", help="The tenant id.")],
) -> None:
    """Erase SUBJECT's data from TENANT's runs, conversations and graphs (and audit that)."""
    store = Directory(make_client(), _table_name()).tenant(tenant)
    store.record_audit(actor="cli", action="gdpr.erase", target=tenant)
    report = erase_subject(store, subject)
    store.record_audit(
        actor="cli",
        action="gdpr.erase",
        target=tenant,
        details=report.model_dump(exclude={"graphs", "rewritten"}),
        outcome="succeeded",
    )
    typer.echo(
        f"erased {report.values} value(s) from {report.runs} run(s),"
        f" {report.conversations} conversation(s) and {report.graph_versions} graph"
        f" version(s) of tenant '{tenant}'"
    )
    gate = gate_of(store)
    for deployment in store.list_deployments():
        if not report.rewrote(deployment.graph_id, deployment.version):
            continue
        try:  # the rewritten version is what runs now: it passes the deploy gate, or stops
            gate(deployment.graph_id, deployment.version)
        except GateRefused as refused:
            store.undeploy(deployment.slug)
            store.record_audit(
                actor="cli",
                action="deployment.undeploy",
                target=deployment.slug,
                details={"reason": "gdpr.erase", "gate": str(refused)[:300]},
                outcome="succeeded",
            )
            typer.echo(
                f"deployment '{deployment.slug}' was taken down: its rewritten version no"
                f" longer passes the deploy gate ({refused})"
            )
            continue
        typer.echo(
            f"deployment '{deployment.slug}' serves a rewritten version: services pick it"
            " up within their cache time; Lambda functions (AWS mode) only when it is"
            " deployed again (the API's erase does that itself)"
        )
    for graph_id in report.graphs:
        typer.echo(
            f"graph '{graph_id}' holds the subject in its ids: save it as a new graph"
            " without them and delete this one"
        )
    raise typer.Exit(0 if not report.graphs else 2)
