"""What goes into the router and what comes out: provider-neutral, JSON-serializable."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

Role = Literal["system", "user", "assistant"]


def _encodable(text: str) -> str:
    """Lone surrogates (possible in JSON, impossible in UTF-8) become U+FFFD.

    No provider can receive them, and the SDKs fail encoding the request body with a bare
    ``UnicodeEncodeError`` instead of an API error.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in text)
    return text


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    role: Role
    content: Annotated[str, AfterValidator(_encodable)]


class LlmRequest(BaseModel):
    """One logical call; the router may make several HTTP attempts for it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    messages: tuple[Message, ...] = Field(min_length=1)
    model: str | None = Field(default=None, description="Asked-for model; null: the policy's.")
    max_tokens: int = Field(default=1024, ge=1, le=64_000)
    temperature: float | None = Field(default=None, ge=0, le=2)
    json_schema: dict[str, Any] | None = Field(
        default=None, description="Ask for JSON matching this schema (structured output)."
    )
    schema_name: str = Field(default="result", pattern=r"^[A-Za-z0-9_-]{1,64}$")
    stream: bool = Field(default=False, description="Receive the answer as a stream of tokens.")
    fallback: bool = Field(default=True, description="Try other models when one fails.")

    @property
    def system(self) -> str:
        return "\n\n".join(m.content for m in self.messages if m.role == "system")

    @property
    def conversation(self) -> list[Message]:
        return [m for m in self.messages if m.role != "system"]

    @property
    def prompt_chars(self) -> int:
        return sum(len(m.content) for m in self.messages) + (
            len(str(self.json_schema)) if self.json_schema else 0
        )


class CallSite(BaseModel):
    """Who is calling: what a usage record is filed under."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tenant_id: str
    graph_id: str | None = None
    run_id: str | None = None
    node_id: str | None = None
    purpose: str = "node"


class LlmReply(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str
    data: Any = None
    """The parsed, schema-checked JSON of a structured call."""
    provider: str
    model: str
    input_tokens: int
    output_tokens: int
    cost_usd: float
    latency_ms: float
    attempts: int
    """HTTP attempts this call made across all providers, SDK retries included."""
    fallbacks: list[str] = Field(default_factory=list)
    """What failed before the answer, one line per provider tried (empty: first try)."""

    def usage(self) -> dict[str, Any]:
        """The part of the reply a node puts in its output (and so in the run trace)."""
        return {
            "provider": self.provider,
            "model": self.model,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cost_usd": round(self.cost_usd, 8),
            "attempts": self.attempts,
        }


@dataclass(slots=True)
class ProviderReply:
    """One provider's answer before pricing and checking."""

    text: str
    input_tokens: int
    output_tokens: int
    finish_reason: str
    model: str
    refusal: str | None = None


@dataclass(slots=True)
class TextDelta:
    text: str


@dataclass(slots=True)
class StreamRestart:
    """The provider that was streaming failed; discard the text so far, another one follows."""

    provider: str
    model: str
    reason: str


@dataclass(slots=True)
class StreamDone:
    reply: LlmReply


StreamEvent = TextDelta | StreamRestart | StreamDone
