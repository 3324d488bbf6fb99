"""Ids, port types and data classes shared by the graph model, the nodes and the validator.

Port types are a small algebra rather than free strings so that "can this output feed that
input?" is a function, not a convention: the builder refuses a connection for the same reason
the validator reports it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal, NewType

from pydantic import BaseModel, ConfigDict, Field

NodeId = NewType("NodeId", str)
GraphId = NewType("GraphId", str)
RunId = NewType("RunId", str)
TenantId = NewType("TenantId", str)
PortName = NewType("PortName", str)

TypeKind = Literal["any", "object", "string", "number", "boolean", "array"]


class DataClass(StrEnum):
    """Sensitive-data classes a port may carry; the compliance packs reason over these."""

    PII = "PII"
    PHI = "PHI"
    PAN = "PAN"
    SAD = "SAD"
    CREDENTIALS = "CREDENTIALS"


class PortType(BaseModel):
    """A value type: a scalar kind, an object, or an array of another port type."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: TypeKind = "any"
    items: PortType | None = None

    def __str__(self) -> str:
        if self.kind == "array":
            return f"array<{self.items or ANY}>"
        return self.kind

    def accepts(self, other: PortType) -> bool:
        """Whether a value of type ``other`` may flow into a port of this type.

        ``any`` is compatible in both directions because trigger payloads and expression results
        are only known at run time; everything else must match, arrays element-wise.
        """
        if self.kind == "any" or other.kind == "any":
            return True
        if self.kind != other.kind:
            return False
        if self.kind == "array":
            return (self.items or ANY).accepts(other.items or ANY)
        return True

    def matches(self, value: Any) -> bool:
        """Whether a run-time value has this type (used to check node outputs)."""
        if self.kind == "any":
            return True
        if self.kind == "object":
            return isinstance(value, dict)
        if self.kind == "string":
            return isinstance(value, str)
        if self.kind == "boolean":
            return isinstance(value, bool)
        if self.kind == "number":
            return isinstance(value, int | float) and not isinstance(value, bool)
        if not isinstance(value, list):
            return False
        item_type = self.items or ANY
        return all(item_type.matches(v) for v in value)


def json_type(value: Any) -> str:
    """The JSON name of a value's type, for error messages users read."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


ANY = PortType(kind="any")
OBJECT = PortType(kind="object")
STRING = PortType(kind="string")
NUMBER = PortType(kind="number")
BOOLEAN = PortType(kind="boolean")


def array_of(item: PortType) -> PortType:
    return PortType(kind="array", items=item)


class Port(BaseModel):
    """A named, typed input or output of a node type."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")
    type: PortType = ANY
    label: str = ""
    description: str = ""
    required: bool = True
    classes: frozenset[DataClass] = frozenset()

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()


ERROR_PORT = "error"
"""Every non-trigger node has this implicit output: wiring it turns a failure into data."""

ERROR_PORT_SPEC = Port(
    name=ERROR_PORT,
    type=OBJECT,
    label="On error",
    description="Receives {node, message, type, attempts, input} when the node fails.",
    required=False,
)
