"""Start a run from an HTTP request, checking the declared body fields before anything runs.

The HTTP layer authenticates, enforces the byte limit on the wire and hands over the request as
``{method, path, headers, query, body}``. This node normalizes it and refuses requests that do
not match what the graph author declared, so downstream nodes can rely on field types, and the
compliance packs can rely on the data classes declared per field.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import Field

from nodes.base import NodeConfig, NodeContext, NodeType, Outputs
from nodes.dataflow import Effects, Labels, merge, prefixed
from nodes.paths import MISSING, FieldPath, lookup
from runtime.core.errors import NodeRunError
from runtime.core.types import OBJECT, DataClass, Port, PortType, json_type

HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
FieldType = Literal["string", "number", "boolean", "object", "array", "any"]

MAX_BODY_BYTES = 10 * 1024 * 1024
CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "x-api-key", "cookie"})
"""Dropped from the output: the caller's credentials must not flow into run data or traces."""


def _default_methods() -> list[HttpMethod]:
    return ["POST"]


class BodyField(NodeConfig):
    name: FieldPath = Field(description="Dotted path in the JSON body, e.g. `lead.email`.")
    type: FieldType = Field(default="any", description="JSON type the value must have.")
    required: bool = Field(default=False, description="Refuse requests without this field.")
    classes: list[DataClass] = Field(
        default_factory=list, description="Sensitive-data classes this field carries (PII...)."
    )


class WebhookConfig(NodeConfig):
    methods: list[HttpMethod] = Field(default_factory=_default_methods, min_length=1)
    auth: Literal["api_key", "public"] = Field(
        default="api_key", description="`api_key` requires the tenant's key; `public` is open."
    )
    fields: list[BodyField] = Field(default_factory=list, max_length=200)
    max_body_bytes: int = Field(default=1024 * 1024, ge=1, le=MAX_BODY_BYTES)


def _object(event: dict[str, Any], key: str) -> dict[str, Any]:
    value = event.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise NodeRunError(f"request {key} must be an object, got {type(value).__name__}")
    return value


def _body_size(body: Any) -> int:
    text = (
        body
        if isinstance(body, str)
        else json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    )
    try:
        return len(text.encode("utf-8"))
    except UnicodeEncodeError:
        raise NodeRunError("request body is not valid Unicode text (a lone surrogate)") from None


class Webhook(NodeType[WebhookConfig]):
    type = "trigger.webhook"
    title = "Webhook"
    category = "trigger"
    description = "Start the workflow on an HTTP request; declared body fields are checked."
    icon = "webhook"
    inline = True
    Config = WebhookConfig
    trigger = True
    needs_response = True
    inputs = ()
    outputs = (Port(name="out", type=OBJECT, description="{method, path, headers, query, body}"),)
    example = {
        "methods": ["POST"],
        "auth": "api_key",
        "fields": [
            {"name": "lead.email", "type": "string", "required": False, "classes": ["PII"]},
            {"name": "lead.score", "type": "number"},
        ],
        "max_body_bytes": 65536,
    }

    @classmethod
    def effects(cls, config: WebhookConfig) -> Effects:
        return Effects(public=config.auth == "public")

    @classmethod
    def labels_out(cls, config: WebhookConfig, labels: Labels) -> Labels:
        """Declared fields arrive under ``body`` in the output."""
        return merge(labels, prefixed("body", ((f.name, f.classes) for f in config.fields)))

    async def run(self, config: WebhookConfig, inputs: dict[str, Any], ctx: NodeContext) -> Outputs:
        event = ctx.scope.get("trigger")
        if event is None:
            event = {}
        if not isinstance(event, dict):
            raise NodeRunError(f"webhook event must be an object, got {type(event).__name__}")
        method = str(event.get("method") or "POST").upper()
        if method not in config.methods:
            allowed = ", ".join(config.methods)
            raise NodeRunError(f"method {method} is not allowed (methods: {allowed})")
        body = event.get("body")
        if body is None:
            body = {}
        size = _body_size(body)
        if size > config.max_body_bytes:
            raise NodeRunError(
                f"request body is {size} bytes, more than max_body_bytes ({config.max_body_bytes})"
            )
        self._check_fields(config.fields, body)
        headers = {
            str(k).lower(): v
            for k, v in _object(event, "headers").items()
            if str(k).lower() not in CREDENTIAL_HEADERS
        }
        return {
            "out": {
                "method": method,
                "path": str(event.get("path") or "/"),
                "headers": headers,
                "query": _object(event, "query"),
                "body": body,
            }
        }

    @staticmethod
    def _check_fields(fields: list[BodyField], body: Any) -> None:
        if fields and not isinstance(body, dict):
            raise NodeRunError(f"request body must be a JSON object, got {type(body).__name__}")
        for spec in fields:
            value = lookup(body, spec.name)
            if value is MISSING or value is None:
                if spec.required:
                    raise NodeRunError(f"body field {spec.name!r} is required but missing")
                continue
            if not PortType(kind=spec.type).matches(value):
                raise NodeRunError(
                    f"body field {spec.name!r} must be {spec.type}, got {json_type(value)}"
                )
