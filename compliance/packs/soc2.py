"""SOC2: failures of outside systems are handled, not silently dropped."""

from __future__ import annotations

from compliance.flow import Flow
from compliance.patch import AddNode, GraphPatch, free_id
from compliance.rules import Context, Finding, Rule
from runtime.core.graph import Edge, Node
from runtime.core.types import ERROR_PORT

RISKY = ("egress", "llm", "persist")


def _error_path(rule: Rule, flow: Flow, ctx: Context) -> list[Finding]:
    wired = {(e.source, e.source_port) for e in flow.graph.edges}
    trigger = flow.trigger
    responds = (
        trigger is not None
        and flow.resolved(trigger).node_type is not None
        and bool(flow.resolved(trigger).node_type.needs_response)  # type: ignore[union-attr]
    )
    out: list[Finding] = []
    seen: set[str] = set()
    for capability in RISKY:
        for node_id in flow.capable(capability):  # type: ignore[arg-type]
            if node_id in seen or (node_id, ERROR_PORT) in wired:
                continue
            seen.add(node_id)
            node = flow.resolved(node_id).node
            fix = None
            if responds and node.parent is None:
                new_id = free_id(flow.graph, f"{node_id}_failed"[:64])
                fix = GraphPatch(
                    description=f"answer 502 when {node_id} fails",
                    operations=[
                        AddNode(
                            node=Node(
                                id=new_id,
                                type="http.respond",
                                label=f"{node_id} failed",
                                position=node.position.model_copy(
                                    update={"y": node.position.y + 160}
                                ),
                                config={
                                    "status": 502,
                                    "body": {"error": "{{ input.message }}"},
                                },
                            ),
                            edges=[Edge(source=node_id, source_port=ERROR_PORT, target=new_id)],
                        )
                    ],
                )
            out.append(
                rule.finding(
                    f"{node_id!r} calls an outside system but its error port is not wired",
                    node=node_id,
                    fix=fix,
                )
            )
    return out


RULES = (
    Rule(
        "SOC2-ERROR-PATH",
        "SOC2",
        "Production graphs handle failures",
        "Every node that calls an outside system (HTTP, model, storage) has its error port "
        "wired, so a failure is answered or recorded rather than lost.",
        "Connect the node's error port to a Respond node or a notification.",
        _error_path,
    ),
)
