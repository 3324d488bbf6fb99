"""Bring branches back together: N optional inputs, combined one of four ways.

Every input is optional because the usual reason to merge is that only some branches ran (an
if's two sides): a skipped branch is simply absent from ``inputs`` and the mode decides what
that means, so the node never waits for data that will not come.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import Field

from nodes.base import NodeConfig, NodeContext, NodeType, Outputs
from nodes.paths import FieldPath, get_path
from runtime.core.errors import NodeRunError
from runtime.core.types import Port

MAX_JOIN_ROWS = 100_000
"""A join of two lists can grow quadratically; past this the graph almost surely has a bug."""


class MergeConfig(NodeConfig):
    inputs: int = Field(default=2, ge=2, le=10, description="How many input ports (`in_1`...).")
    mode: Literal["append", "merge_objects", "first", "join"] = Field(
        default="append",
        description=(
            "`append`: list of the values that arrived, in port order. `merge_objects`: shallow"
            " merge, later ports win. `first`: first non-null value. `join`: join the lists on"
            " `in_1` and `in_2` by key."
        ),
    )
    join_type: Literal["inner", "left"] = Field(
        default="inner", description="`left` keeps `in_1` rows without a match."
    )
    key: FieldPath | None = Field(default=None, description="Join key path in `in_1` rows.")
    right_key: FieldPath | None = Field(
        default=None, description="Join key path in `in_2` rows (defaults to `key`)."
    )


def _port_names(count: int) -> list[str]:
    return [f"in_{i}" for i in range(1, count + 1)]


class Merge(NodeType[MergeConfig]):
    type = "logic.merge"
    title = "Merge"
    category = "logic"
    description = "Combine the branches that ran: append, merge objects, first value, or join."
    icon = "merge"
    inline = True
    Config = MergeConfig
    dynamic_ports = True
    inputs = tuple(Port(name=name, required=False) for name in _port_names(2))
    example = {"inputs": 2, "mode": "join", "key": "id", "right_key": "customer_id"}
    example_input = {
        "in_1": [{"id": 1, "name": "Ada"}, {"id": 2, "name": "Alan"}],
        "in_2": [{"customer_id": 1, "plan": "pro"}],
    }

    @classmethod
    def input_ports(cls, config: MergeConfig) -> tuple[Port, ...]:
        return tuple(Port(name=name, required=False) for name in _port_names(config.inputs))

    @classmethod
    def check(cls, config: MergeConfig) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        if config.mode == "join":
            if config.key is None:
                problems.append(("key", "join mode needs a key field path"))
            if config.inputs != 2:
                problems.append(("inputs", "join mode takes exactly two inputs"))
        return problems

    async def run(self, config: MergeConfig, inputs: dict[str, Any], ctx: NodeContext) -> Outputs:
        arrived = [(name, inputs[name]) for name in _port_names(config.inputs) if name in inputs]
        if config.mode == "append":
            return {"out": [value for _, value in arrived]}
        if config.mode == "first":
            return {"out": next((value for _, value in arrived if value is not None), None)}
        if config.mode == "merge_objects":
            merged: dict[str, Any] = {}
            for name, value in arrived:
                if value is None:
                    continue
                if not isinstance(value, dict):
                    raise NodeRunError(f"'{name}' must be an object to merge, got {_kind(value)}")
                merged.update(value)
            return {"out": merged}
        return {"out": _join(config, inputs.get("in_1"), inputs.get("in_2"))}


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return "string" if isinstance(value, str) else type(value).__name__


def _rows(value: Any, port: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise NodeRunError(f"join needs a list of objects on '{port}', got {_kind(value)}")
    for i, row in enumerate(value):
        if not isinstance(row, dict):
            raise NodeRunError(f"join needs objects on '{port}'; item {i} is {_kind(row)}")
    return value


def _key_of(row: dict[str, Any], path: str) -> str | None:
    """Return a hashable form of the key, or None: null never matches, as in SQL."""
    value = get_path(row, path)
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # so 1 and 1.0 join, as JSON equality says they are equal
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _join(config: MergeConfig, left: Any, right: Any) -> list[dict[str, Any]]:
    if config.key is None:
        raise NodeRunError("join mode needs a key field path")
    right_key = config.right_key or config.key
    index: dict[str, list[dict[str, Any]]] = {}
    for row in _rows(right, "in_2"):
        key = _key_of(row, right_key)
        if key is not None:
            index.setdefault(key, []).append(row)
    result: list[dict[str, Any]] = []
    for row in _rows(left, "in_1"):
        key = _key_of(row, config.key)
        matches = index.get(key, []) if key is not None else []
        if not matches and config.join_type == "left":
            result.append(dict(row))
        for match in matches:
            result.append({**row, **match})
        if len(result) > MAX_JOIN_ROWS:
            raise NodeRunError(f"join produced more than {MAX_JOIN_ROWS} rows; check the keys")
    return result
