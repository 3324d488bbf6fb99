"""The compliance auto-fix over every proposal, and the follow-ups it can do without a model.

A proposal the tenant's packs would refuse at deploy is no proposal: whatever a model or a
bundled template produced goes through ``compliance.fix`` for the tenant's packs, and the
reply lists each change in words ("added a Redact node before 'Score lead' for GDPR").
Without a provider, a follow-up asking for redaction is the same fix applied to the canvas.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from compliance.fix import AppliedFix, fix_graph
from compliance.names import PackName
from compliance.packs import PACKS
from compliance.patch import AddNode, InsertNode, SetConfig
from compliance.rules import Context
from runtime.assistant.templates import words
from runtime.core.graph import Graph

AI_RULES: dict[PackName, str] = {"gdpr": "GDPR-PII-LLM-DPA", "hipaa": "HIPAA-PHI-LLM-BAA"}
"""The rules whose fix puts a Redact node in front of an AI node, by pack."""
REDACT_WORDS = frozenset(
    {"redact", "redaction", "mask", "anonymize", "anonymise", "pseudonymize", "pii", "phi",
     "personal", "gdpr", "hipaa", "compliance", "compliant"}
)  # fmt: skip
FRAMEWORK = {rule.id: rule.framework for rules in PACKS.values() for rule in rules}


def asks_for_redaction(description: str) -> bool:
    return bool(words(description) & REDACT_WORDS)


def _label(graph: Graph, node_id: str) -> str:
    node = graph.node(node_id)
    return (node.label if node is not None and node.label else "") or node_id


def describe(applied: AppliedFix, graph: Graph) -> list[str]:
    """One line per change of an applied fix, naming nodes as the canvas shows them."""
    framework = FRAMEWORK.get(applied.rule, applied.rule.split("-")[0])
    lines = []
    for op in applied.patch.operations:
        if isinstance(op, InsertNode):
            target = next((e.target for e in graph.edges if e.source == op.node.id), None)
            where = f" before '{_label(graph, target)}'" if target else ""
            lines.append(f"added a Redact node{where} for {framework} ({applied.rule})")
        elif isinstance(op, SetConfig):
            lines.append(
                f"made '{_label(graph, op.node)}' read the redacted data ({op.field}) for"
                f" {framework} ({applied.rule})"
            )
        elif isinstance(op, AddNode):
            lines.append(f"added '{op.node.label or op.node.id}' for {framework} ({applied.rule})")
    return lines or [f"{applied.patch.description} ({applied.rule})"]


@dataclass(frozen=True)
class Fixer:
    """The tenant's packs and signed agreements, to fix proposals with."""

    packs: tuple[PackName, ...] = ()
    context: Context = field(default_factory=Context)

    def apply(self, graph: Graph) -> tuple[Graph, list[str]]:
        """The graph with every mechanical fix of the tenant's packs, and what changed."""
        if not self.packs:
            return graph, []
        fixed = fix_graph(graph, self.packs, self.context)
        return fixed.graph, [line for a in fixed.applied for line in describe(a, fixed.graph)]

    def redact_for_ai(self, graph: Graph) -> tuple[Graph, list[str]]:
        """Personal data and PHI kept from every AI node, whatever agreements are signed.

        The user asked for it, so a signed DPA or BAA does not make it unnecessary: the
        GDPR and HIPAA rules' fixes run as if no agreement were on file.
        """
        graph, notes = self.apply(graph)
        fixed = fix_graph(graph, list(AI_RULES), Context(), rules=AI_RULES.values())
        notes += [line for a in fixed.applied for line in describe(a, fixed.graph)]
        return fixed.graph, notes
