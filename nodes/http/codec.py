"""Request bodies out and response bodies in, as plain JSON values.

Bodies are encoded from JSON values with the standard library only (``json``, ``urlencode``):
nothing a user writes is ever interpreted as anything but data. JSON responses must be real
JSON (no ``NaN``), so node outputs stay plain JSON values.
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Any, Literal

from nodes.http.exchange import Reply
from runtime.core.errors import NodeRunError

BodyType = Literal["json", "form", "text", "none"]
ResponseMode = Literal["json", "text", "auto"]


def scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _has_header(headers: dict[str, str], name: str) -> bool:
    return any(key.lower() == name for key in headers)


def encode_body(body_type: BodyType, value: Any, headers: dict[str, str]) -> bytes | None:
    """Encode the body for ``body_type``, adding a Content-Type unless the user set one."""
    if body_type == "none" or value is None:
        return None
    if body_type == "json":
        try:
            content = json.dumps(value, ensure_ascii=False, allow_nan=False).encode()
        except (TypeError, ValueError) as exc:
            raise NodeRunError(f"the body cannot be sent as JSON: {exc}") from None
        kind = "application/json"
    elif body_type == "form":
        if not isinstance(value, dict):
            raise NodeRunError("a form body must be an object of field names to values")
        pairs: list[tuple[str, str]] = []
        for name, field in value.items():
            for element in field if isinstance(field, list) else [field]:
                if isinstance(element, dict | list):
                    raise NodeRunError(f"form field '{name}' must be text or a list of text")
                pairs.append((name, "" if element is None else scalar_text(element)))
        content = urllib.parse.urlencode(pairs).encode()
        kind = "application/x-www-form-urlencoded"
    else:
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        content = text.encode()
        kind = "text/plain; charset=utf-8"
    if not _has_header(headers, "content-type"):
        headers["Content-Type"] = kind
    return content


def response_headers(reply: Reply) -> dict[str, str]:
    merged: dict[str, str] = {}
    for name, value in reply.headers.multi_items():
        key = name.lower()
        merged[key] = f"{merged[key]}, {value}" if key in merged else value
    return merged


def response_text(reply: Reply) -> str:
    try:
        return reply.body.decode(reply.charset or "utf-8", errors="replace")
    except LookupError:
        return reply.body.decode("utf-8", errors="replace")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def decode_body(reply: Reply, mode: ResponseMode, method: str) -> Any:
    """Decode the body as JSON or text; ``auto`` trusts Content-Type and falls back to text."""
    if method == "HEAD" or not reply.body:
        return "" if mode == "text" else None
    content_type = reply.headers.get("content-type", "").split(";")[0].strip().lower()
    is_json = content_type == "application/json" or content_type.endswith("+json")
    if mode == "text" or (mode == "auto" and not is_json):
        return response_text(reply)
    try:
        return json.loads(response_text(reply), parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        if mode == "auto":
            return response_text(reply)
        raise NodeRunError(
            f"the response from {reply.url.host} is not valid JSON"
            f" (Content-Type {content_type or 'missing'}); use response 'text'"
        ) from None
