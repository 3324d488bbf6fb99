"""GDPR: personal data is kept for a stated time, and goes only where it is allowed to."""

from __future__ import annotations

from compliance.flow import Flow
from compliance.rules import (
    Context,
    Finding,
    Rule,
    all_covered,
    describe_providers,
    in_regions,
    sink_findings,
)
from runtime.core.types import DataClass

PERSONAL = (DataClass.PII, DataClass.PHI)
"""Health data is personal data too (a special category)."""


def _retention(rule: Rule, flow: Flow, ctx: Context) -> list[Finding]:
    return sink_findings(
        rule,
        flow,
        rule.needs,
        [DataClass.PII],
        lambda n: flow.effects[n].retention_days is not None,
        lambda n, _: f"personal data is stored by {n!r} with no retention period",
        fixable=False,
    )


def _region(rule: Rule, flow: Flow, ctx: Context) -> list[Finding]:
    if not ctx.data_regions:
        return []
    allowed = ", ".join(ctx.data_regions)

    def message(node_id: str, cls: DataClass) -> str:
        region = flow.effects[node_id].region or "an unknown region"
        return f"{cls.value} is sent by {node_id!r} to {region}, outside {allowed}"

    return sink_findings(
        rule,
        flow,
        rule.needs,
        PERSONAL,
        lambda n: in_regions(flow.effects[n].region, ctx.data_regions),
        message,
    )


def _llm_dpa(rule: Rule, flow: Flow, ctx: Context) -> list[Finding]:
    def message(node_id: str, cls: DataClass) -> str:
        provider = describe_providers(flow.effects[node_id], ctx)
        return f"{cls.value} reaches LLM node {node_id!r} ({provider}) without a DPA"

    return sink_findings(
        rule,
        flow,
        rule.needs,
        PERSONAL,
        lambda n: all_covered(flow.effects[n], ctx, ctx.dpa_providers),
        message,
    )


RULES = (
    Rule(
        "GDPR-PII-RETENTION",
        "GDPR",
        "Stored personal data has a retention period",
        "Every node that stores personal data states how long it keeps it.",
        "Set a retention period in the storing node.",
        _retention,
        needs=("persist",),
    ),
    Rule(
        "GDPR-PII-REGION",
        "GDPR",
        "Personal data stays in allowed regions",
        "Personal data is sent only to regions on the tenant's allow-list (settings).",
        "Use a provider in an allowed region, or redact personal data before the node.",
        _region,
        needs=("egress", "llm"),
    ),
    Rule(
        "GDPR-PII-LLM-DPA",
        "GDPR",
        "Personal data reaches a model only under a DPA",
        "An LLM provider receiving personal data has a data processing agreement with the tenant.",
        "Record the provider's DPA in settings, or redact personal data before the node.",
        _llm_dpa,
        needs=("llm",),
    ),
)
