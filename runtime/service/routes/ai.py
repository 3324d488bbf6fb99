"""AI: natural language to a graph (a chat panel's backend), conversations, and usage.

``POST /ai/generate-graph`` never changes a graph: it proposes one (with the validator's
remaining findings and, for an edit, the diff against the canvas) and records the exchange in
the caller's conversation. Applying the proposal is a normal, audited graph save.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from runtime.assistant.models import GenerateRequest, GenerateResult
from runtime.core.clock import utc_now
from runtime.core.diagnostics import Diagnostic
from runtime.core.graph import Graph
from runtime.core.llm.messages import Message
from runtime.service.deps import Conversations, Editor, Settings, State, Usage, Viewer
from runtime.service.errors import ApiError
from runtime.store import ChatTurn, Conflict, Conversation, UsageRecord
from runtime.store.slices import ConversationStore, SettingsStore

if TYPE_CHECKING:
    from runtime.assistant.fixes import Fixer
router = APIRouter(prefix="/ai", tags=["ai"])

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
STATUS = {"budget_exceeded": 402, "no_model": 422, "ai_invalid_output": 502}


def _history(conversation: Conversation) -> list[Message]:
    return [Message(role=t.role, content=t.content) for t in conversation.turns if t.content]


def _open(
    conversations: ConversationStore, owner: str, conversation_id: str | None
) -> Conversation | None:
    if conversation_id is None:
        return None
    return conversations.get_conversation(owner, conversation_id)


def _record(
    conversations: ConversationStore,
    owner: str,
    conversation: Conversation | None,
    body: GenerateRequest,
    result: GenerateResult,
) -> Conversation:
    """Append the exchange; a first exchange starts the conversation (never an empty one)."""
    if conversation is None:
        conversation = conversations.create_conversation(owner, body.description)
    now = utc_now()
    turns = [
        ChatTurn(role="user", content=body.description, at=now),
        ChatTurn(
            role="assistant",
            content=result.explanation[:20_000],
            at=now,
            graph=result.graph,
            diagnostics=[d.model_dump(exclude_defaults=True) for d in result.diagnostics],
            source=result.source,
        ),
    ]
    try:
        return conversations.append_turns(conversation, turns)
    except Conflict:  # another tab of the same user wrote first: append to what is there now
        fresh = conversations.get_conversation(conversation.owner, conversation.conversation_id)
        return conversations.append_turns(fresh, turns)


def _with_tenant_packs(
    settings: SettingsStore, body: GenerateRequest
) -> tuple[GenerateRequest, Callable[[Graph], list[Diagnostic]] | None, Fixer]:
    """The tenant's packs join the asked-for ones, in the prompt, the checks and the fix.

    The checks run over every proposal, so a graph that would be refused at deploy (PHI to a
    model without a BAA, say) goes back to the model with the rule and node named; then the
    packs' auto-fix mends what is mechanical (template fallbacks included), and whatever
    still fails is on the canvas before anyone accepts it.
    """
    # cold start: the packs bring NetworkX, the assistant the node catalog
    from compliance.check import check_graph, diagnostics
    from compliance.names import PACK_NAMES
    from runtime.assistant.fixes import Fixer
    from runtime.service.compliance_stance import stance

    tenant_packs, context = stance(settings)
    asked = [p for p in PACK_NAMES if p in {a.lower() for a in body.compliance_packs}]
    chosen = list(dict.fromkeys([*tenant_packs, *asked]))
    extra = [p for p in body.compliance_packs if p.lower() not in PACK_NAMES]
    body = body.model_copy(update={"compliance_packs": [*chosen, *extra]})
    fixer = Fixer(tuple(chosen), context)
    if not chosen:
        return body, None, fixer
    return body, lambda graph: diagnostics(check_graph(graph, chosen, context)), fixer


@router.post("/generate-graph")
async def generate_graph(
    body: GenerateRequest,
    auth: Editor,
    state: State,
    settings: Settings,
    conversations: Conversations,
    usage: Usage,
) -> GenerateResult:
    """Propose a graph for a description (or an edit of ``graph``), checked by the validator."""
    # cold start: the assistant loads the node catalog and templates
    from runtime.ai.errors import AiError
    from runtime.assistant.generator import generate_graph as generate
    from runtime.core.llm.messages import CallSite

    principal, _ = auth
    owner = principal.actor
    current = await run_in_threadpool(state.lookups.settings, settings)
    tenant = await run_in_threadpool(state.directory.get_tenant, settings.tenant_id)
    conversation = await run_in_threadpool(_open, conversations, owner, body.conversation_id)
    site = CallSite(
        tenant_id=settings.tenant_id,
        graph_id=body.graph.id if body.graph is not None else None,
        purpose="generate_graph",
    )
    body, policy_check, fixer = await run_in_threadpool(_with_tenant_packs, settings, body)
    try:
        result = await generate(
            body,
            session=state.ai_session(usage),
            policy=current.ai,
            site=site,
            industry=tenant.industry,
            history=_history(conversation) if conversation is not None else [],
            policy_check=policy_check,
            fixer=fixer,
        )
    except AiError as exc:
        code = getattr(exc, "code", "ai_failed")
        raise ApiError(STATUS.get(code, 502), code, str(exc)) from None
    saved = await run_in_threadpool(_record, conversations, owner, conversation, body, result)
    return result.model_copy(update={"conversation_id": saved.conversation_id})


@router.get("/conversations")
def list_conversations(
    auth: Viewer, conversations: Conversations, limit: int = Query(50, ge=1, le=200)
) -> list[Conversation]:
    """The caller's own conversations, newest first, without their turns."""
    principal, _ = auth
    return conversations.list_conversations(principal.actor, limit)


@router.get("/conversations/{conversation_id}")
def get_conversation(
    conversation_id: str, auth: Viewer, conversations: Conversations
) -> Conversation:
    principal, _ = auth
    return conversations.get_conversation(principal.actor, conversation_id)


@router.delete("/conversations/{conversation_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_conversation(
    conversation_id: str, auth: Viewer, conversations: Conversations
) -> Response:
    principal, _ = auth
    conversations.delete_conversation(principal.actor, conversation_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


class ModelUsage(BaseModel):
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0


class UsageReport(BaseModel):
    month: str
    spent_usd: float = Field(description="The month's running total (what budgets check).")
    budget_usd: float | None
    calls: int
    by_model: dict[str, ModelUsage]
    by_outcome: dict[str, int]
    records: list[dict[str, Any]] = Field(description="The most recent calls, newest first.")


@router.get("/usage")
def usage(
    auth: Viewer,
    ledger: Usage,
    settings: Settings,
    month: str | None = Query(None, description="`YYYY-MM` (UTC); default: this month."),
    limit: int = Query(100, ge=0, le=1000, description="How many recent calls to list."),
) -> UsageReport:
    from runtime.ai.usage import MICROS, USAGE_KIND, current_month  # cold start

    month = month or current_month()
    if not MONTH.fullmatch(month):
        raise ApiError(422, "invalid", f"month: {month!r} is not YYYY-MM")
    records: list[UsageRecord] = [r for r in ledger.list_usage(month) if r.kind == USAGE_KIND]
    by_model: defaultdict[str, ModelUsage] = defaultdict(ModelUsage)
    by_outcome: defaultdict[str, int] = defaultdict(int)
    for record in records:
        details = record.details
        entry = by_model[f"{details.get('provider')}:{details.get('model')}"]
        entry.calls += 1
        entry.input_tokens += int(details.get("input_tokens", 0))
        entry.output_tokens += int(details.get("output_tokens", 0))
        entry.cost_usd += record.quantity
        by_outcome[str(details.get("outcome"))] += 1
    recent = [
        {
            "at": r.at,
            "graph_id": r.graph_id,
            "run_id": r.run_id,
            "cost_usd": r.quantity,
            **r.details,
        }
        for r in reversed(records[-limit:] if limit else [])
    ]
    return UsageReport(
        month=month,
        spent_usd=ledger.get_spend(month) / MICROS,
        budget_usd=settings.get_settings().ai.monthly_budget_usd,
        calls=len(records),
        by_model=dict(by_model),
        by_outcome=dict(by_outcome),
        records=recent,
    )
