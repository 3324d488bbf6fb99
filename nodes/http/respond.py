"""The reply a webhook-triggered run sends back to its caller.

The node only *describes* the response (``{status, headers, body}`` on ``out``); the webhook
front end sends it. Header names and values are checked here, where the user's data becomes a
header, so a value with a line break cannot add headers or split the response.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import Field, field_validator

from nodes.base import Expr, ExprValue, NodeConfig, NodeContext, NodeType, Outputs
from nodes.http.headers import checked_headers, header_value
from runtime.core import expr
from runtime.core.errors import NodeRunError
from runtime.core.types import OBJECT, Port

MEDIA_TYPE = re.compile(r"[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+(\s*;[^\r\n\x00]*)?")
MAX_CONTENT_TYPE = 200
StatusCode = Annotated[int, Field(ge=100, le=599)]
MANAGED_HEADERS = frozenset(
    {"content-type", "content-length", "transfer-encoding", "connection", "upgrade", "te",
     "trailer", "keep-alive"}
)  # fmt: skip
"""Set by ``content_type`` or by the server that frames the response."""
ORIGIN_HEADERS = frozenset(
    {"set-cookie", "set-cookie2", "clear-site-data", "strict-transport-security",
     "access-control-allow-credentials", "service-worker-allowed", "x-content-type-options"}
)  # fmt: skip
"""Headers that act on the whole origin, which deployed endpoints share with the API and the
builder: its cookies, stored data, transport, credentialed reads, service workers, and
sniffing (every endpoint answer is ``nosniff``). The endpoint strips them from any output."""


class RespondConfig(NodeConfig):
    status: StatusCode | Expr = Field(
        default=200,
        description="HTTP status (100-599), or an expression giving it.",
        json_schema_extra={"x-expression": "template"},
    )
    headers: dict[str, Expr] = Field(default_factory=dict, description="Response headers.")
    body: ExprValue = Field(default="{{ input }}", description="Response body.")
    content_type: Expr = Field(
        default="application/json",
        min_length=1,
        max_length=200,
        pattern=r"^[^\r\n\x00]+$",
        description="Media type, e.g. `text/csv`, or an expression giving it.",
    )

    @field_validator("headers")
    @classmethod
    def _valid_header_names(cls, headers: dict[str, str]) -> dict[str, str]:
        refused = [f"'{name}'" for name in headers if name.lower() in ORIGIN_HEADERS]
        if refused:
            why = "deployed endpoints share the API's origin"
            raise ValueError(
                "; ".join(f"{name} cannot be set by a graph: {why}" for name in refused)
            )
        return checked_headers(headers, MANAGED_HEADERS)


def _status(value: Any) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 100 <= value <= 599:
        raise NodeRunError(f"status must be a whole number from 100 to 599, got {value!r:.40}")
    return value


def _content_type(value: str) -> str:
    """The rendered media type: one ``type/subtype`` header value, never a line break."""
    text = value.strip()
    if len(text) > MAX_CONTENT_TYPE or not MEDIA_TYPE.fullmatch(text):
        raise NodeRunError(f"content_type: {text[:60]!r} is not a media type such as text/plain")
    return text


def _is_json(content_type: str) -> bool:
    media = content_type.split(";")[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


class RespondToWebhook(NodeType[RespondConfig]):
    type = "http.respond"
    title = "Respond to webhook"
    category = "output"
    responds = True
    description = "Set the status, headers and body the webhook caller receives."
    icon = "reply"
    inline = True
    Config = RespondConfig
    inputs = (Port(name="in"),)
    outputs = (Port(name="out", type=OBJECT, description="{status, headers, body}"),)
    example = {
        "status": "{{ input.status }}",
        "headers": {"X-Request-Id": "{{ input.request_id }}"},
        "body": {"ok": True, "lead": "{{ input.lead }}"},
    }
    example_input = {"in": {"status": 201, "request_id": "r-1", "lead": {"id": 7}}}

    @classmethod
    def check(cls, config: RespondConfig) -> list[tuple[str, str]]:
        return [
            (f"headers.{name}", message)
            for name, value in config.headers.items()
            for _, message in expr.check_value(value)
        ]

    async def run(self, config: RespondConfig, inputs: dict[str, Any], ctx: NodeContext) -> Outputs:
        raw_status = config.status
        status = _status(ctx.render(raw_status) if isinstance(raw_status, str) else raw_status)
        content_type = _content_type(ctx.render_text(config.content_type))
        headers = {"content-type": content_type}
        for name, template in config.headers.items():
            headers[name.lower()] = header_value(name, ctx.render_text(template))
        body = ctx.render(config.body)
        if not _is_json(content_type) and body is not None and not isinstance(body, str):
            raise NodeRunError(
                f"a {content_type} body must be text; set content_type to"
                " application/json to send a JSON value"
            )
        return {"out": {"status": status, "headers": headers, "body": body}}
