"""PCI-DSS: authentication data is never kept; card numbers are masked, tokenized, expiring."""

from __future__ import annotations

from compliance.flow import Flow
from compliance.rules import Context, Finding, Rule, sink_findings
from runtime.core.types import DataClass


def _sad(rule: Rule, flow: Flow, ctx: Context) -> list[Finding]:
    return sink_findings(
        rule,
        flow,
        rule.needs,
        [DataClass.SAD],
        lambda _: False,
        lambda n, _: f"sensitive authentication data (CVV, PIN, track) reaches {n!r}",
    )


def _pan_masked(rule: Rule, flow: Flow, ctx: Context) -> list[Finding]:
    return sink_findings(
        rule,
        flow,
        rule.needs,
        [DataClass.PAN],
        lambda n: flow.effects[n].masks_pan,
        lambda n, _: f"card numbers reach log node {n!r} unmasked (first 6 / last 4 only)",
    )


def _pan_stored(rule: Rule, flow: Flow, ctx: Context) -> list[Finding]:
    def allowed(node_id: str) -> bool:
        e = flow.effects[node_id]
        return (e.tokenized or e.encrypted) and e.retention_days is not None

    def message(node_id: str, _: DataClass) -> str:
        e = flow.effects[node_id]
        missing = [
            w
            for w, bad in (
                ("tokenization or encryption", not (e.tokenized or e.encrypted)),
                ("an expiry", e.retention_days is None),
            )
            if bad
        ]
        return f"card numbers are stored by {node_id!r} without {' and '.join(missing)}"

    return sink_findings(rule, flow, rule.needs, [DataClass.PAN], allowed, message, fixable=False)


RULES = (
    Rule(
        "PCI-SAD-NEVER-STORED",
        "PCI-DSS",
        "SAD is never stored, logged or sent to a model",
        "Sensitive authentication data (CVV, PIN blocks, track data) must not reach a persist, "
        "log or LLM node. Run traces are storage too: the service masks SAD in them before a "
        "run is recorded (compliance.trace).",
        "Insert a Redact node that removes SAD before the node.",
        _sad,
        needs=("persist", "log", "llm"),
    ),
    Rule(
        "PCI-PAN-MASKED",
        "PCI-DSS",
        "Logged card numbers are masked",
        "A card number written to a log shows at most its first 6 and last 4 digits.",
        "Turn on masking in the log node, or insert a Redact node with the card pattern.",
        _pan_masked,
        needs=("log",),
    ),
    Rule(
        "PCI-PAN-STORED-PROTECTED",
        "PCI-DSS",
        "Stored card numbers are tokenized or encrypted, and expire",
        "A persisted card number is tokenized or encrypted and has a retention period.",
        "Turn on tokenization or encryption and set a retention period in the storing node.",
        _pan_stored,
        needs=("persist",),
    ),
)
