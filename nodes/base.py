"""The node contract: one node type is one small class with a Config, ports, metadata and ``run``.

The palette entry, the inspector form (the Config's JSON Schema) and the validator's port checks
all come from the class itself, so there is no second registry to keep in step.
"""

from __future__ import annotations

import builtins
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from nodes.dataflow import Effects, Labels
from runtime.core import expr
from runtime.core.options import RunOptions
from runtime.core.types import ERROR_PORT_SPEC, Port

Category = Literal[
    "trigger", "transform", "logic", "flow", "integration", "ai", "compliance", "output"
]
Capability = Literal["egress", "llm", "persist", "log", "redact"]
ExpressionKind = Literal["template", "value", "query"]

Expr = Annotated[str, Field(json_schema_extra={"x-expression": "template"})]
"""Text that may contain ``{{ ... }}``; a lone ``{{ x }}`` yields x's value with its type."""

ExprValue = Annotated[Any, Field(json_schema_extra={"x-expression": "value"})]
"""A JSON value whose strings are templates, rendered recursively."""

Query = Annotated[str, Field(json_schema_extra={"x-expression": "query"})]
"""A bare JMESPath query (no braces), for nodes whose whole job is a query."""

Secret = Annotated[str, Field(json_schema_extra={"format": "password", "writeOnly": True})]
"""A write-only value: reads show the engine's mask; see ``NodeType.secret_paths``."""

ConfigPath = tuple[str | int, ...]
"""Where a value sits in a config: ``("headers", "Authorization")``."""

Outputs = dict[str, Any]
"""What ``run`` returns: a value per output port that fires. Absent ports stay inactive."""

BodyRunner = Callable[[Any, int], Awaitable[tuple[bool, Any]]]
"""Runs a container's body for one item: ``(fired, value)``; not fired means filtered out."""


class NodeConfig(BaseModel):
    """Base for every node's Config: unknown keys are an error the inspector can point at."""

    model_config = ConfigDict(extra="forbid")


@dataclass(slots=True)
class NodeContext:
    """What a node may use while it runs, besides its config and inputs."""

    node_id: str
    run_id: str
    graph_id: str
    scope: dict[str, Any]
    options: RunOptions = field(default_factory=RunOptions)
    body: BodyRunner | None = None
    iteration: tuple[int, ...] = ()
    """Where in for-each bodies this step runs (outermost index first): with run and node,
    it names the step (``nodes.http.request.step_key``)."""

    @property
    def tenant_id(self) -> str:
        return self.options.tenant_id

    def render(self, value: Any) -> Any:
        return expr.render_value(value, self.scope)

    def render_text(self, source: str) -> str:
        return expr.render_text(source, self.scope)

    def with_item(self, item: Any, index: int) -> Mapping[str, Any]:
        """The scope with ``item``/``index`` bound, for per-item expressions."""
        return {**self.scope, "item": item, "index": index}


C = TypeVar("C", bound=NodeConfig)


class NodeType(ABC, Generic[C]):
    """Subclass once per node type; set the ClassVars and implement ``run``."""

    type: ClassVar[str]
    version: ClassVar[int] = 1
    title: ClassVar[str]
    category: ClassVar[Category]
    description: ClassVar[str]
    icon: ClassVar[str] = "box"
    Config: ClassVar[builtins.type[NodeConfig]]
    inputs: ClassVar[tuple[Port, ...]] = (Port(name="in"),)
    outputs: ClassVar[tuple[Port, ...]] = (Port(name="out"),)
    trigger: ClassVar[bool] = False
    container: ClassVar[bool] = False
    """A container (for-each) owns a body of nodes whose ``parent`` is its id."""
    body_outputs: ClassVar[tuple[Port, ...]] = ()
    body_inputs: ClassVar[tuple[Port, ...]] = ()
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    """What the node does with data: ``egress`` (HTTP out), ``llm`` (a model provider),
    ``persist`` (stores it), ``log`` (writes it to logs), ``redact`` (removes classes). The
    compliance packs read these with ``effects`` and ``labels_out``; there is no other list."""
    inline: ClassVar[bool] = False
    """``run`` never suspends: it computes from config and inputs alone (no I/O, no sleeping).
    The executor then runs it in place rather than in a task of its own when several nodes
    are ready at once; concurrency would gain nothing, and a task costs more than the node.
    ``tests/nodes/test_inline.py`` holds every node type that claims it to its word."""
    dynamic_ports: ClassVar[bool] = False
    responds: ClassVar[bool] = False
    """This node's output is the HTTP response of the run (the respond node)."""
    needs_response: ClassVar[bool] = False
    """A trigger whose caller waits for a response, so the graph must contain a responder."""
    example: ClassVar[dict[str, Any]] = {}
    """A config that shows the node off; tests run it, and the payload corpus mutates it."""
    example_input: ClassVar[dict[str, Any]] = {}
    """Inputs by port name for ``example``."""
    example_event: ClassVar[Any] = None
    """For triggers: the raw event ``example`` is run with."""

    @classmethod
    def input_ports(cls, config: C) -> tuple[Port, ...]:
        """Ports may depend on config (a merge with N inputs); the default is ``inputs``."""
        return cls.inputs

    @classmethod
    def output_ports(cls, config: C) -> tuple[Port, ...]:
        """Declared outputs plus the implicit error port that every non-trigger node has."""
        if cls.trigger:
            return cls.outputs
        return (*cls.outputs, ERROR_PORT_SPEC)

    @classmethod
    def check(cls, config: C) -> list[tuple[str, str]]:
        """Semantic checks pydantic cannot express (cron syntax...): ``[(field path, message)]``."""
        return []

    @classmethod
    def secret_paths(cls, config: Mapping[str, Any]) -> list[ConfigPath]:
        """Where this (raw, possibly invalid) config holds write-only secrets.

        Reads show a mask there and a save that sends the mask back keeps the stored value
        (``runtime.engine.secret_configs``). The default is every top-level ``Secret`` field; a node
        whose secrets depend on the config (credential headers) adds its own.
        """
        paths: list[ConfigPath] = []
        for name, info in cls.Config.model_fields.items():
            extra = info.json_schema_extra
            if isinstance(extra, dict) and extra.get("writeOnly") and name in config:
                paths.append((name,))
        return paths

    @classmethod
    def secret_audience(cls, config: Mapping[str, Any]) -> str | None:
        """Who this (raw) config's secrets are sent to; None if they go nowhere else.

        A kept secret (the mask sent back) stays only while this is unchanged: otherwise an
        editor, who may not read a secret, could keep it and point the node at their own
        server. A node that sends its secrets somewhere says where.
        """
        return None

    @classmethod
    def effects(cls, config: C) -> Effects:
        """Provider, region, encryption, retention... of this configured node (see ``Effects``).

        Nodes with capabilities override this; the default claims nothing, so a ``persist``
        node that says nothing is treated as unencrypted and keeping data forever.
        """
        return Effects()

    @classmethod
    def labels_out(cls, config: C, labels: Labels) -> Labels:
        """The data classes on the output, given those on the input.

        The default keeps them all: a node that copies or reshapes data keeps its classes.
        Triggers add the classes their fields declare; dropping and redacting nodes remove.
        """
        return labels

    @abstractmethod
    async def run(self, config: C, inputs: dict[str, Any], ctx: NodeContext) -> Outputs:
        """Do the node's work; return a value for each output port that fires."""


def expression_fields(config_model: type[BaseModel]) -> dict[str, ExpressionKind]:
    """Top-level config fields that are evaluated, and how; the payload tests walk these."""
    kinds: dict[str, ExpressionKind] = {}
    for name, info in config_model.model_fields.items():
        extra = info.json_schema_extra
        if isinstance(extra, dict) and extra.get("x-expression") in ("template", "value", "query"):
            kinds[name] = extra["x-expression"]  # type: ignore[assignment]
    return kinds
