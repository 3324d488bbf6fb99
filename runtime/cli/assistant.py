"""``auterity generate``: a description in, a validated graph file out (or a template)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated

import typer

from runtime.ai.session import close_default_session, default_session
from runtime.assistant.generator import generate_graph
from runtime.assistant.models import GenerateRequest, GenerateResult
from runtime.cli.console import CliError, diagnostics_table, err, out
from runtime.core.graph import Graph
from runtime.core.llm.messages import CallSite
from runtime.core.llm.policy import AiPolicy
from runtime.core.load import load_graph_file
from runtime.tenant.industry import Industry


async def _generate(request: GenerateRequest) -> GenerateResult:
    try:
        return await generate_graph(
            request,
            session=default_session(),
            policy=AiPolicy(),
            site=CallSite(tenant_id="local", purpose="generate_graph"),
        )
    finally:
        await close_default_session()


def generate(
    description: Annotated[str, typer.Argument(help="What the workflow should do.")],
    industry: Annotated[
        Industry | None, typer.Option(help="automotive, healthcare, finance, manufacturing...")
    ] = None,
    edit: Annotated[
        Path | None, typer.Option(help="A *.graph.json to change instead of starting afresh.")
    ] = None,
    pack: Annotated[
        list[str] | None, typer.Option("--pack", help="A compliance pack to respect (repeat).")
    ] = None,
    rounds: Annotated[int, typer.Option(help="Repair rounds with the validator.")] = 2,
    model: Annotated[str | None, typer.Option(help="`provider:model` or a model name.")] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the graph here.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole result.")] = False,
) -> None:
    """Turn a description into a graph with the configured AI provider (or the closest template).

    Providers come from OPENAI_API_KEY / ANTHROPIC_API_KEY or AUTERITY_AI_PROVIDERS.
    """
    current: Graph | None = load_graph_file(edit) if edit is not None else None
    try:
        request = GenerateRequest(
            description=description,
            industry=industry,
            graph=current,
            compliance_packs=pack or [],
            max_repair_rounds=rounds,
            model=model,
        )
    except ValueError as exc:
        raise CliError(str(exc).splitlines()[-1]) from None
    result = asyncio.run(_generate(request))
    if output is not None:
        try:
            output.write_text(result.graph.to_json(), encoding="utf-8")
        except OSError as exc:
            raise CliError(f"cannot write {output}: {exc.strerror}") from None
    if as_json:
        out.print_json(result.model_dump_json(exclude_none=True))
    else:
        source = f"template {result.template}" if result.source == "template" else "the model"
        out.print(f"[bold]{result.graph.name}[/] · {len(result.graph.nodes)} nodes · from {source}")
        out.print(result.explanation, highlight=False)
        if result.diagnostics:
            out.print(diagnostics_table(result.diagnostics))
        if output is None:
            out.print_json(json.dumps(result.graph.model_dump(mode="json")))
        else:
            err.print(f"wrote {output}", highlight=False)
    raise typer.Exit(1 if not result.valid else 0)
