"""Parse JSON text (a webhook's raw body, an LLM's answer) into data, within size limits.

The limits stop one hostile payload from exhausting memory or the interpreter's stack.
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

from pydantic import Field

from nodes.base import Expr, NodeConfig, NodeContext, NodeType, Outputs
from runtime.core.errors import NodeRunError
from runtime.core.types import ANY, Port

MAX_JSON_BYTES = 10 * 1024 * 1024
MAX_JSON_DEPTH = 64


class JsonParseConfig(NodeConfig):
    source: Expr = Field(default="{{ input }}", description="Expression that yields the JSON text.")


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not valid JSON")


def _depth(value: Any) -> int:
    """Nesting depth without recursion (a scalar is 0, ``[]`` is 1)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        current, level = stack.pop()
        if isinstance(current, dict):
            current = list(current.values())
        if isinstance(current, list):
            deepest = max(deepest, level + 1)
            if deepest > MAX_JSON_DEPTH:
                return deepest
            stack.extend((v, level + 1) for v in current)
    return deepest


def parse_json(text: str, field: str) -> Any:
    """Parse ``text`` or raise NodeRunError naming ``field`` and the line/column."""
    if len(text) > MAX_JSON_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_JSON_BYTES:
        raise NodeRunError(f"{field}: JSON text is larger than {MAX_JSON_BYTES} bytes")
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise NodeRunError(
            f"{field}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise NodeRunError(
            f"{field}: JSON is nested more than {MAX_JSON_DEPTH} levels deep"
        ) from None
    except ValueError as exc:  # NaN/Infinity, integers with too many digits
        raise NodeRunError(f"{field}: invalid JSON: {str(exc)[:200]}") from None
    if _depth(value) > MAX_JSON_DEPTH:
        raise NodeRunError(f"{field}: JSON is nested more than {MAX_JSON_DEPTH} levels deep")
    return value


class JsonParse(NodeType[JsonParseConfig]):
    type = "transform.json_parse"
    title = "Parse JSON"
    category = "transform"
    description = "Turn JSON text into data; malformed text fails with its line and column."
    icon = "braces"
    inline = True
    Config = JsonParseConfig
    inputs = (Port(name="in", type=ANY),)
    outputs = (Port(name="out", type=ANY),)
    example = {"source": "{{ input.raw }}"}
    example_input = {"in": {"raw": '{"lead": {"name": "Ada", "tags": ["vip"]}}'}}

    async def run(
        self, config: JsonParseConfig, inputs: dict[str, Any], ctx: NodeContext
    ) -> Outputs:
        text = ctx.render(config.source)
        if not isinstance(text, str):
            kind = "null" if text is None else type(text).__name__
            raise NodeRunError(f"source must be JSON text, got {kind}")
        return {"out": parse_json(text, "source")}
