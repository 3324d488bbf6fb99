"""Rules as data: an id, a framework, words for the user and a check over the data flow."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from compliance.flow import Flow
from compliance.patch import GraphPatch, InsertNode, free_id
from compliance.repoint import repoint_fix
from nodes.base import Capability
from nodes.dataflow import NO_LABELS, Effects
from runtime.core.graph import Node
from runtime.core.types import DataClass

Framework = Literal["HIPAA", "PCI-DSS", "GDPR", "SOC2"]

MASK_PATTERNS: dict[DataClass, list[str]] = {
    DataClass.PHI: ["email", "phone", "ssn", "date"],
    DataClass.PII: ["email", "phone", "ssn"],
    DataClass.PAN: ["card"],
    DataClass.SAD: ["card"],
    DataClass.CREDENTIALS: [],
}


class Context(BaseModel):
    """What the tenant has signed and allowed; from ``TenantSettings``."""

    model_config = ConfigDict(extra="ignore")

    baa_providers: list[str] = Field(default_factory=list)
    dpa_providers: list[str] = Field(default_factory=list)
    data_regions: list[str] = Field(default_factory=list)
    llm_providers: list[str] | None = None
    """Providers the tenant's AI policy lets routing choose (``ai.allowed_providers``); None:
    any the operator configures, which no agreement can be known to cover."""


class Finding(BaseModel):
    """One violation: the rule, the node (and edge) at fault and, where mechanical, a fix."""

    model_config = ConfigDict(extra="forbid")

    rule: str
    framework: Framework
    message: str
    node: str | None = None
    edge: str | None = None
    nodes: tuple[str, ...] = ()
    """The path the data takes from where it enters to ``node``."""
    classes: list[DataClass] = Field(default_factory=list)
    remediation: str = ""
    fix: GraphPatch | None = None


Check = Callable[["Rule", Flow, Context], list[Finding]]


@dataclass(frozen=True)
class Rule:
    id: str
    framework: Framework
    title: str
    description: str
    remediation: str
    check: Check
    needs: tuple[Capability, ...] = ()
    """The node capabilities whose nodes the rule inspects (its sinks). When no registered
    node type declares any of them, no graph can break the rule yet: the report says it is
    waiting for such nodes rather than presenting it as passed."""

    def finding(self, message: str, **where: object) -> Finding:
        return Finding(
            rule=self.id,
            framework=self.framework,
            message=message,
            remediation=self.remediation,
            **where,
        )


def covered(provider: str | None, signed: Iterable[str]) -> bool:
    """Whether ``provider`` (a name or host) is one the tenant signed with (hosts by suffix)."""
    if not provider:
        return False
    name = provider.lower()
    return any(name == s.lower() or name.endswith("." + s.lower()) for s in signed)


def providers_of(effects: Effects, ctx: Context) -> list[str] | None:
    """Every provider a node's data may reach; None when that is not known before run time."""
    named = [effects.provider] if effects.provider else []
    if not effects.routed:
        return named or None
    if ctx.llm_providers is None:
        return None
    return sorted({*named, *ctx.llm_providers}) or None


def all_covered(effects: Effects, ctx: Context, signed: Iterable[str]) -> bool:
    """Whether every provider the node may send to is one the tenant signed with."""
    providers = providers_of(effects, ctx)
    return providers is not None and all(covered(p, signed) for p in providers)


def describe_providers(effects: Effects, ctx: Context) -> str:
    providers = providers_of(effects, ctx)
    if providers is None:
        return "any provider the routing picks" if effects.routed else "an unnamed provider"
    return ", ".join(providers)


def in_regions(region: str | None, allowed: Iterable[str]) -> bool:
    if not region:
        return False
    name = region.lower()
    return any(name == a.lower() or name.startswith(a.lower() + "-") for a in allowed)


def reaching(flow: Flow, capabilities: Iterable[Capability], cls: DataClass) -> Iterable[str]:
    """Nodes with any of ``capabilities`` that receive data of class ``cls``."""
    seen: set[str] = set()
    for capability in capabilities:
        for node_id in flow.capable(capability):
            if node_id not in seen and cls in flow.arriving(node_id):
                seen.add(node_id)
                yield node_id


def redaction_fix(flow: Flow, node_id: str, cls: DataClass, why: str) -> GraphPatch | None:
    """Insert a redaction node on each edge that brings ``cls`` into ``node_id``."""
    edges = flow.incoming(node_id, cls)
    if not edges:
        # It arrives through an expression: read a redacted copy, if one runs before the node.
        return repoint_fix(flow, node_id, cls, why)
    graph = flow.graph.model_copy(deep=True)
    operations: list[InsertNode] = []
    for edge in edges:
        labels = flow.edges.get(edge.key, NO_LABELS)
        fields = sorted(p for p, c in labels.items() if p and cls in c)
        new_id = free_id(graph, f"redact_{cls.value.lower()}_{node_id}"[:64])
        node = Node(
            id=new_id,
            type="compliance.redact",
            label=f"Redact {cls.value}",
            config={"fields": fields, "patterns": MASK_PATTERNS[cls], "classes": [cls.value]},
        )
        graph.nodes.append(node)
        operations.append(InsertNode(edge=edge.key, node=node))
    return GraphPatch(
        description=f"insert a redaction node before {node_id} ({why})",
        operations=list(operations),
    )


def sink_findings(
    rule: Rule,
    flow: Flow,
    capabilities: Iterable[Capability],
    classes: Iterable[DataClass],
    allowed: Callable[[str], bool],
    message: Callable[[str, DataClass], str],
    *,
    fixable: bool = True,
) -> list[Finding]:
    """The shared shape of "class X must not reach a node of kind Y unless allowed"."""
    out: list[Finding] = []
    for cls in classes:
        for node_id in reaching(flow, capabilities, cls):
            if allowed(node_id):
                continue
            edges = flow.incoming(node_id, cls)
            out.append(
                rule.finding(
                    message(node_id, cls),
                    node=node_id,
                    edge=edges[0].key if edges else None,
                    nodes=flow.path(cls, node_id),
                    classes=[cls],
                    fix=redaction_fix(flow, node_id, cls, rule.id) if fixable else None,
                )
            )
    return out
