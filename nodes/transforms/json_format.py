"""Serialize a value to JSON text, e.g. for a request body or a file that expects a string."""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import Field

from nodes.base import ExprValue, NodeConfig, NodeContext, NodeType, Outputs
from runtime.core.errors import NodeRunError
from runtime.core.types import ANY, STRING, Port

MAX_JSON_BYTES = 10 * 1024 * 1024


class JsonFormatConfig(NodeConfig):
    value: ExprValue = Field(
        default="{{ input }}", description="Value (or expression) to serialize."
    )
    indent: Literal[0, 2, 4] = Field(default=2, description="0 writes compact single-line JSON.")
    sort_keys: bool = Field(default=False, description="Sort object keys, for stable output.")


class JsonFormat(NodeType[JsonFormatConfig]):
    type = "transform.json_format"
    title = "Format JSON"
    category = "transform"
    description = "Turn a value into JSON text, compact or indented."
    icon = "braces"
    inline = True
    Config = JsonFormatConfig
    inputs = (Port(name="in", type=ANY),)
    outputs = (Port(name="out", type=STRING),)
    example = {
        "value": {"name": "{{ input.name }}", "tags": "{{ input.tags }}"},
        "indent": 2,
        "sort_keys": True,
    }
    example_input = {"in": {"name": "Ada", "tags": ["vip"]}}

    async def run(
        self, config: JsonFormatConfig, inputs: dict[str, Any], ctx: NodeContext
    ) -> Outputs:
        value = ctx.render(config.value)
        try:
            if config.indent == 0:
                text = json.dumps(
                    value,
                    separators=(",", ":"),
                    sort_keys=config.sort_keys,
                    ensure_ascii=False,
                    allow_nan=False,
                )
            else:
                text = json.dumps(
                    value,
                    indent=config.indent,
                    sort_keys=config.sort_keys,
                    ensure_ascii=False,
                    allow_nan=False,
                )
        except RecursionError:
            raise NodeRunError("value is nested too deeply to format as JSON") from None
        except (TypeError, ValueError) as exc:
            raise NodeRunError(f"value cannot be written as JSON: {str(exc)[:200]}") from None
        if len(text) > MAX_JSON_BYTES:
            raise NodeRunError(f"value is larger than {MAX_JSON_BYTES} bytes as JSON")
        return {"out": text}
