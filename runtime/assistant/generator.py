"""Description in, validated graph out.

With a provider: ask for a graph through structured output (the Graph schema, node types limited
to the catalog), check it with the validator, and send the findings back for up to N repair
rounds; whatever still fails is returned as diagnostics next to the graph, never hidden. Without
one: the closest bundled template, and an explanation that says so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pydantic import ValidationError

from runtime.ai.errors import AiError
from runtime.ai.session import AiSession
from runtime.assistant.fixes import Fixer, asks_for_redaction
from runtime.assistant.layout import lay_out
from runtime.assistant.models import GenerateRequest, GenerateResult
from runtime.assistant.prompt import (
    describe,
    repair_prompt,
    response_schema,
    system_prompt,
    user_prompt,
)
from runtime.assistant.templates import best_match
from runtime.core.diagnostics import Diagnostic, error
from runtime.core.diff import diff_graphs
from runtime.core.graph import Graph
from runtime.core.llm.messages import CallSite, LlmRequest, Message
from runtime.core.llm.policy import AiPolicy
from runtime.engine.validate import validate
from runtime.tenant.industry import Industry

MAX_TOKENS = 8000
HISTORY_TURNS = 6
MAX_PROBLEMS = 30


class GenerationFailed(AiError):
    """The model never produced something that reads as a graph."""

    code = "ai_invalid_output"


def _read_graph(data: object) -> tuple[Graph | None, list[str]]:
    graph_data = data.get("graph") if isinstance(data, dict) else None
    try:
        return Graph.model_validate(graph_data), []
    except ValidationError as exc:
        problems = []
        for item in exc.errors()[:MAX_PROBLEMS]:
            where = ".".join(str(p) for p in item["loc"]) or "graph"
            problems.append(f"graph.{where}: {item['msg']}")
        return None, problems


def _finish(graph: Graph, current: Graph | None) -> Graph:
    if current is not None:
        graph = graph.model_copy(update={"id": current.id})
    keep = {str(n.id) for n in current.nodes} if current is not None else set()
    return lay_out(graph, keep)


PolicyCheck = Callable[[Graph], list[Diagnostic]]
"""Findings beyond the validator's (the tenant's compliance packs), as diagnostics."""
Checker = Callable[[Graph], list[Diagnostic]]


def _checker(policy_check: PolicyCheck | None) -> Checker:
    if policy_check is None:
        return validate

    def check(graph: Graph) -> list[Diagnostic]:
        found = validate(graph)
        # Data flow is only meaningful over a graph the validator accepts.
        if any(d.severity == "error" for d in found):
            return found
        return [*found, *policy_check(graph)]

    return check


async def generate_graph(
    request: GenerateRequest,
    *,
    session: AiSession,
    policy: AiPolicy,
    site: CallSite,
    industry: Industry | None = None,
    history: Sequence[Message] = (),
    policy_check: PolicyCheck | None = None,
    fixer: Fixer | None = None,
) -> GenerateResult:
    """Propose a graph, repairing it with the validator's (and policy's) findings.

    ``policy_check`` adds the tenant's compliance findings to the validator's, so a graph
    that violates a pack goes back to the model for repair like any invalid graph; what the
    model leaves, ``fixer`` (the packs' auto-fix) mends where a fix is mechanical.
    """
    industry = request.industry or industry
    check = _checker(policy_check)
    fixer = fixer or Fixer()
    if not session.router.configured:
        if request.graph is not None and request.graph.nodes:
            return follow_up_without_model(request, industry, check, fixer)
        return from_template(request, industry, check, fixer)
    messages = [
        Message(role="system", content=system_prompt(industry, request.compliance_packs)),
        *history[-HISTORY_TURNS:],
        Message(role="user", content=user_prompt(request.description, request.graph)),
    ]
    usage: list[dict[str, object]] = []
    cost = 0.0
    best: tuple[Graph, list[Diagnostic], str] | None = None
    problems: list[str] = []
    for _ in range(request.max_repair_rounds + 1):
        reply = await session.complete(
            LlmRequest(
                messages=tuple(messages),
                model=request.model,
                max_tokens=MAX_TOKENS,
                json_schema=response_schema(),
                schema_name="graph",
            ),
            policy,
            site,
        )
        usage.append(reply.usage())
        cost += reply.cost_usd
        graph, problems = _read_graph(reply.data)
        explanation = str((reply.data or {}).get("explanation", "")).strip()
        if graph is not None:
            graph = _finish(graph, request.graph)
            diagnostics = check(graph)
            best = (graph, diagnostics, explanation)
            problems = [describe(d) for d in diagnostics if d.severity == "error"]
        if not problems:
            break
        messages += [
            Message(role="assistant", content=reply.text),
            Message(role="user", content=repair_prompt(problems[:MAX_PROBLEMS])),
        ]
    if best is None:
        raise GenerationFailed(
            f"the model did not produce a readable graph in {len(usage)} attempt(s): "
            + "; ".join(problems[:5])
        )
    graph, diagnostics, explanation = best
    graph, diagnostics, notes = _fixed(graph, diagnostics, check, fixer)
    explanation += _fix_note(notes)
    remaining = sum(d.severity == "error" for d in diagnostics)
    if remaining:
        explanation += (
            f"\n\n{remaining} problem(s) remain after {len(usage) - 1} repair round(s);"
            " they are listed with the graph."
        )
    return GenerateResult(
        graph=graph,
        diagnostics=diagnostics,
        explanation=explanation or "Generated from your description.",
        source="model",
        rounds=len(usage),
        diff=diff_graphs(request.graph, graph) if request.graph is not None else None,
        usage=usage,
        cost_usd=cost,
    )


def _fixed(
    graph: Graph, diagnostics: list[Diagnostic], check: Checker, fixer: Fixer
) -> tuple[Graph, list[Diagnostic], list[str]]:
    """The packs' auto-fix over a proposal the validator accepts (fixes assume a valid graph)."""
    if any(d.severity == "error" and not d.code.startswith("compliance") for d in diagnostics):
        return graph, diagnostics, []
    fixed, notes = fixer.apply(graph)
    if not notes:
        return graph, diagnostics, []
    return fixed, check(fixed), notes


def _fix_note(notes: list[str]) -> str:
    if not notes:
        return ""
    return "\n\nCompliance auto-fix, so the proposal passes your packs: " + "; ".join(notes) + "."


def follow_up_without_model(
    request: GenerateRequest, industry: Industry | None, check: Checker, fixer: Fixer
) -> GenerateResult:
    """An edit of the canvas with no model: the compliance fix, if that is what is asked.

    Anything else cannot be done without a model, and the reply says so first; the closest
    template follows only as an offer to start over, never as if it were the edit.
    """
    current = request.graph
    assert current is not None
    if not asks_for_redaction(request.description):
        offer = from_template(request, industry, check, fixer)
        cannot = (
            "No AI provider is configured, so I could not make this change to the graph on the"
            " canvas: without a model I can only apply the compliance auto-fix (for example,"
            ' "redact the personal data before the AI nodes") or offer a bundled template.'
        )
        if offer.diff is not None and not offer.diff.nodes and not offer.diff.edges:
            cannot += " The closest template is what the canvas already holds: nothing changes."
        else:
            cannot += " " + offer.explanation
        return offer.model_copy(update={"explanation": cannot})
    graph, notes = fixer.redact_for_ai(current)
    if notes:
        explanation = (
            "No AI provider is configured, so I applied the compliance auto-fix to the"
            " graph on the canvas: " + "; ".join(notes) + "."
        )
    else:
        explanation = (
            "No AI provider is configured. The compliance auto-fix found nothing to change:"
            " no personal data or PHI reaches an AI node of this graph along an edge or"
            " through a copy a Redact node already guards."
        )
    return GenerateResult(
        graph=graph,
        diagnostics=check(graph),
        explanation=explanation,
        source="template",
        diff=diff_graphs(current, graph),
    )


def from_template(
    request: GenerateRequest,
    industry: Industry | None,
    check: Checker = validate,
    fixer: Fixer | None = None,
) -> GenerateResult:
    match = best_match(request.description, industry)
    if match is None:
        return GenerateResult(
            graph=request.graph or Graph(),
            diagnostics=[error("ai.no_provider", "no AI provider and no templates to match")],
            explanation=(
                "No AI provider is configured and there are no bundled templates to start from."
            ),
            source="template",
        )
    graph = match.template.graph
    if request.graph is not None:
        graph = graph.model_copy(update={"id": request.graph.id})
    matched = ", ".join(match.matched) or "nothing in particular"
    explanation = (
        "No AI provider is configured, so this is not generated from your description: it is"
        f" the closest bundled template, '{match.template.graph.name}' (matched on:"
        f" {matched}). {match.template.graph.description}"
    )
    if request.graph is not None:
        explanation += " Accepting it replaces the graph on the canvas; editing needs a provider."
    explanation += (
        " To generate graphs from descriptions, configure a provider (OPENAI_API_KEY,"
        " ANTHROPIC_API_KEY or AUTERITY_AI_PROVIDERS)."
    )
    graph, diagnostics, notes = _fixed(graph, check(graph), check, fixer or Fixer())
    explanation += _fix_note(notes)
    return GenerateResult(
        graph=graph,
        diagnostics=diagnostics,
        explanation=explanation,
        source="template",
        template=match.template.name,
        diff=diff_graphs(request.graph, graph) if request.graph is not None else None,
    )
