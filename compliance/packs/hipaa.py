"""HIPAA: protected health information stays with parties under a BAA, behind credentials."""

from __future__ import annotations

from compliance.flow import Flow
from compliance.patch import GraphPatch, SetConfig
from compliance.rules import (
    Context,
    Finding,
    Rule,
    all_covered,
    covered,
    describe_providers,
    sink_findings,
)
from runtime.core.types import DataClass

PHI = DataClass.PHI


def _llm_baa(rule: Rule, flow: Flow, ctx: Context) -> list[Finding]:
    def allowed(node_id: str) -> bool:
        return all_covered(flow.effects[node_id], ctx, ctx.baa_providers)

    def message(node_id: str, _: DataClass) -> str:
        provider = describe_providers(flow.effects[node_id], ctx)
        return f"PHI reaches LLM node {node_id!r} ({provider}) without a BAA or redaction"

    return sink_findings(rule, flow, rule.needs, [PHI], allowed, message)


def _egress_baa(rule: Rule, flow: Flow, ctx: Context) -> list[Finding]:
    def allowed(node_id: str) -> bool:
        return covered(flow.effects[node_id].provider, ctx.baa_providers)

    def message(node_id: str, _: DataClass) -> str:
        host = flow.effects[node_id].provider or "a host known only at run time"
        return f"PHI is sent by {node_id!r} to {host} without a BAA or redaction"

    return sink_findings(rule, flow, rule.needs, [PHI], allowed, message)


def _public_trigger(rule: Rule, flow: Flow, ctx: Context) -> list[Finding]:
    trigger = flow.trigger
    if trigger is None or trigger not in flow.effects or not flow.effects[trigger].public:
        return []
    if not any(PHI in flow.arriving(n) for n in flow.analysis.resolved) and PHI not in (
        c for labels in flow.outputs.values() for cs in labels.values() for c in cs
    ):
        return []
    fix = None
    if flow.resolved(trigger).node.type == "trigger.webhook":
        fix = GraphPatch(
            description=f"require the tenant's API key on {trigger}",
            operations=[SetConfig(node=trigger, field="auth", value="api_key")],
        )
    return [
        rule.finding(
            f"trigger {trigger!r} is public but the graph reads PHI",
            node=trigger,
            classes=[PHI],
            fix=fix,
        )
    ]


def _persist_encrypted(rule: Rule, flow: Flow, ctx: Context) -> list[Finding]:
    return sink_findings(
        rule,
        flow,
        rule.needs,
        [PHI],
        lambda n: flow.effects[n].encrypted,
        lambda n, _: f"PHI is stored by {n!r} without encryption",
        fixable=False,
    )


RULES = (
    Rule(
        "HIPAA-PHI-LLM-BAA",
        "HIPAA",
        "PHI reaches a model only under a BAA",
        "PHI must not reach an LLM whose provider has no Business Associate Agreement with "
        "the tenant, unless a redaction node removes it on every path.",
        "Insert a Redact node before the LLM node, or record the provider's BAA in settings.",
        _llm_baa,
        needs=("llm",),
    ),
    Rule(
        "HIPAA-PHI-EGRESS-BAA",
        "HIPAA",
        "PHI leaves only to parties under a BAA",
        "PHI must not be sent to a host without a BAA, unless redacted on every path.",
        "Insert a Redact node before the request, or record the host's BAA in settings.",
        _egress_baa,
        needs=("egress",),
    ),
    Rule(
        "HIPAA-PHI-PUBLIC-TRIGGER",
        "HIPAA",
        "PHI graphs are not public",
        "A graph that reads PHI must not start from a trigger anyone can call.",
        "Require the tenant's API key on the trigger.",
        _public_trigger,
    ),
    Rule(
        "HIPAA-PHI-PERSIST-ENCRYPTED",
        "HIPAA",
        "PHI is stored encrypted",
        "PHI may only be persisted by a node that encrypts it at rest.",
        "Turn on encryption in the storing node, or redact PHI before it.",
        _persist_encrypted,
        needs=("persist",),
    ),
)
