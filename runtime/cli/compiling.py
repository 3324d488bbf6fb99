"""``auterity compile``: a graph to a Lambda bundle, or (``--target asl``) a state machine."""

from __future__ import annotations

import hashlib
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from runtime.cli.console import CliError, out
from runtime.core.errors import CompileError
from runtime.core.load import load_graph_file
from runtime.engine.asl.contract import STEP_HANDLER
from runtime.engine.asl.machine import compile_asl
from runtime.engine.bundle import build_bundle
from runtime.engine.compile import plan_from_analysis
from runtime.engine.plan import Plan
from runtime.engine.validate import analyze

FileArg = Annotated[Path, typer.Argument(help="A *.graph.json file.", show_default=False)]


class Target(StrEnum):
    bundle = "bundle"
    asl = "asl"


class WorkflowType(StrEnum):
    express = "express"
    standard = "standard"


def compile_(
    file: FileArg,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Where to write it (bundle.zip, or machine.json for asl)."
        ),
    ] = None,
    target: Annotated[
        Target,
        typer.Option(help="bundle: a Lambda zip. asl: an AWS Step Functions state machine."),
    ] = Target.bundle,
    workflow: Annotated[
        WorkflowType | None,
        typer.Option("--type", help="asl: the workflow type, instead of the one chosen."),
    ] = None,
    exactly_once: Annotated[
        bool,
        typer.Option(
            "--exactly-once", help="asl: every step runs exactly once (an audit trail): Standard."
        ),
    ] = False,
) -> None:
    """Compile a graph into a Lambda bundle, or (--target asl) a Step Functions state machine."""
    graph = load_graph_file(file)
    analysis = analyze(graph)
    if not analysis.ok:
        raise CompileError(analysis.diagnostics)
    plan = plan_from_analysis(analysis)
    if target is Target.asl:
        _compile_asl(plan, output or Path("machine.json"), workflow, exactly_once)
        return
    if workflow is not None or exactly_once:
        raise CliError("--type and --exactly-once apply to --target asl only")
    output = output or Path("bundle.zip")
    data = build_bundle(plan, graph)
    _write(output, data)
    out.print(
        f"wrote {output} ({len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()[:16]}…):"
        f" {len(plan.steps)} steps in {len(plan.root.levels)} levels,"
        f" handler auterity_entry.handler",
        highlight=False,
    )


def _compile_asl(
    plan: Plan, output: Path, workflow: WorkflowType | None, exactly_once: bool
) -> None:
    machine = compile_asl(
        plan, workflow=None if workflow is None else workflow.value, exactly_once=exactly_once
    )
    text = machine.to_json()
    _write(output, text.encode())
    states = len(machine.definition["States"])
    out.print(
        f"wrote {output} ({len(text)} bytes): {machine.workflow.type} workflow,"
        f" {states} top-level states; its Tasks invoke {STEP_HANDLER}, the bundle's"
        " auterity_entry.states (fill it in with DefinitionSubstitutions)",
        highlight=False,
    )
    for reason in machine.workflow.reasons:
        out.print(f"  - {reason}", highlight=False)


def _write(output: Path, data: bytes) -> None:
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise CliError(f"cannot write {output}: {exc.strerror}") from None
