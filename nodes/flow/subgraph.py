"""Call another graph of the same workspace (n8n's Execute Workflow, Dify's workflow tool).

``wait`` runs the child to its end and outputs its result (the field ``output_path`` names,
or all of it); ``start`` starts it and goes on with its run id. The child is a run of its own,
linked to this one (``parent_run_id``), so the Runs page shows both. A graph that calls
itself is refused when validated; a longer cycle, or nesting past ``MAX_DEPTH``, is refused
when the call is made.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from nodes.base import ExprValue, NodeConfig, NodeContext, NodeType, Outputs
from nodes.paths import FieldPath, get_path
from runtime.core.errors import NodeRunError
from runtime.core.graph import ID_PATTERN
from runtime.core.subgraphs import SubgraphCall, current_caller
from runtime.core.types import Port


class SubgraphConfig(NodeConfig):
    graph_id: str = Field(pattern=ID_PATTERN, description="The graph to call (same workspace).")
    version: int | None = Field(
        default=None, ge=1, description="A saved version; empty: the latest saved version."
    )
    mode: Literal["wait", "start"] = Field(
        default="wait",
        description="`wait`: run it and output its result. `start`: start it, go on at once.",
    )
    input: ExprValue = Field(
        default="{{ input }}", description="What the child's trigger receives (its event)."
    )
    output_path: FieldPath | None = Field(
        default=None, description="Output only this field of the child's result, e.g. `body`."
    )


class Subgraph(NodeType[SubgraphConfig]):
    type = "flow.subgraph"
    title = "Sub-graph"
    category = "flow"
    description = "Run another graph of this workspace with a mapped input, and use its result."
    icon = "workflow"
    Config = SubgraphConfig
    inputs = (Port(name="in"),)
    outputs = (Port(name="out"),)
    example = {"graph_id": "lead_scoring", "input": {"lead": "{{ input }}"}, "output_path": "body"}
    example_input = {"in": {"name": "Ada"}}

    async def run(
        self, config: SubgraphConfig, inputs: dict[str, Any], ctx: NodeContext
    ) -> Outputs:
        child_input = ctx.render(config.input)  # its expression errors come first
        caller = current_caller()
        if caller is None:
            raise NodeRunError(
                f"sub-graph {config.graph_id!r} can only be called by a saved graph run by the"
                " service (not a test run of a draft, nor the CLI)"
            )
        answer = await caller.call(
            SubgraphCall(
                graph_id=config.graph_id,
                version=config.version,
                input=child_input,
                mode=config.mode,
                node=ctx.node_id,
                iteration=list(ctx.iteration),
            )
        )
        if config.mode == "start":
            return {"out": {"run_id": answer.run_id, "status": answer.status}}
        if answer.status != "succeeded":
            why = f": {answer.error}" if answer.error else ""
            raise NodeRunError(
                f"sub-graph {config.graph_id!r} run {answer.run_id} {answer.status}{why}"
            )
        result = answer.output
        if config.output_path is not None:
            result = get_path(result, config.output_path)
        return {"out": result}
