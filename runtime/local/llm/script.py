"""What the fake provider answers next: one ``Reply`` per request, queued per provider."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Reply:
    status: int = 200
    text: str | None = None
    """The assistant's text (None: an echo, or a synthesized value for a structured call)."""
    data: Any = None
    """A structured answer: JSON text for OpenAI, the forced tool's input for Anthropic."""
    raw_text: str | None = None
    """Sent as the text even for a structured call (e.g. broken JSON)."""
    refusal: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    """Seconds to wait before answering (to make a client time out)."""
    truncate_after: int | None = None
    """For a streamed answer: stop after this many text chunks, without the final events."""
    input_tokens: int | None = None
    output_tokens: int | None = None
    message: str = ""

    @classmethod
    def ok(cls, text: str, **kw: Any) -> Reply:
        return cls(text=text, **kw)

    @classmethod
    def json(cls, data: Any, **kw: Any) -> Reply:
        return cls(data=data, **kw)

    @classmethod
    def error(cls, status: int, message: str = "", retry_after: float | None = None) -> Reply:
        headers: dict[str, str] = {}
        if retry_after is not None:
            headers["retry-after"] = f"{retry_after:g}"
            headers["retry-after-ms"] = str(int(retry_after * 1000))
        return cls(status=status, headers=headers, message=message or f"scripted {status}")

    @classmethod
    def slow(cls, seconds: float, text: str = "late") -> Reply:
        return cls(text=text, delay=seconds)

    @classmethod
    def truncated(cls, text: str, after: int = 1) -> Reply:
        return cls(text=text, truncate_after=after)

    @classmethod
    def invalid_json(cls, text: str = '{"name": "Ada", ') -> Reply:
        return cls(raw_text=text)

    @classmethod
    def refuse(cls, why: str = "I can't help with that.") -> Reply:
        return cls(refusal=why)
