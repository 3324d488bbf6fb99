"""Checking a structured answer against its JSON Schema, and asking once for a repair.

Providers constrain output to the schema, but not every model or compatible server honours it
fully (and ``max_tokens`` can cut JSON short), so every structured answer is parsed and
validated here before anyone downstream relies on it.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from runtime.core.llm.messages import LlmRequest, Message

MAX_PROBLEMS = 5


class InvalidOutput(ValueError):
    """The answer is not JSON, or not JSON that matches the schema; the message says where."""


class InvalidSchema(ValueError):
    """The schema asked for is itself not a valid JSON Schema."""


@lru_cache(maxsize=256)
def _validator(schema_text: str) -> Any:
    import jsonschema  # only structured calls need it

    schema = json.loads(schema_text)
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    return cls(schema)


def schema_problems(schema: dict[str, Any]) -> list[str]:
    """What is wrong with a schema itself (for a node's design-time check)."""
    try:
        import jsonschema  # noqa: F401
    except ImportError:  # the `ai` extra is not installed: the run will say so
        return []
    problem = _schema_problem(json.dumps(schema, sort_keys=True))
    return [problem] if problem else []


@lru_cache(maxsize=256)
def _schema_problem(schema_text: str) -> str | None:
    import jsonschema  # the `ai` extra (checked above); the core needs only pydantic

    schema = json.loads(schema_text)
    if not isinstance(schema, dict):
        return "not a valid JSON Schema: it must be an object"
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    try:
        cls.check_schema(schema)
    except jsonschema.SchemaError as exc:
        return f"not a valid JSON Schema: {exc.message[:300]}"
    return None


def ensure_valid_schema(schema: dict[str, Any]) -> None:
    """Refuse a broken schema before any request is made (and billed)."""
    problem = _schema_problem(json.dumps(schema, sort_keys=True))
    if problem:
        raise InvalidSchema(f"the output schema is {problem}")


def _unfenced(text: str) -> str:
    """Models sometimes wrap JSON in a Markdown code fence despite being told not to."""
    stripped = text.strip()
    if stripped.startswith("```"):
        stripped = stripped.split("\n", 1)[1] if "\n" in stripped else ""
        if stripped.rstrip().endswith("```"):
            stripped = stripped.rstrip()[:-3]
    return stripped.strip()


def parse_structured(text: str, schema: dict[str, Any]) -> Any:
    try:
        value = json.loads(_unfenced(text))
    except ValueError as exc:
        raise InvalidOutput(f"the answer is not valid JSON ({exc})") from None
    validator = _validator(json.dumps(schema, sort_keys=True))
    problems = []
    for error in validator.iter_errors(value):
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        problems.append(f"at {where}: {error.message[:200]}")
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise InvalidOutput("the answer does not match the schema: " + "; ".join(problems))
    return value


def repair_request(request: LlmRequest, answer: str, problem: str) -> LlmRequest:
    """The same request plus the bad answer and what is wrong with it."""
    return request.model_copy(
        update={
            "messages": (
                *request.messages,
                Message(role="assistant", content=answer[:20_000] or "(empty)"),
                Message(
                    role="user",
                    content=(
                        f"That answer cannot be used: {problem}. Reply again with only the JSON"
                        " value, matching the schema exactly."
                    ),
                ),
            )
        }
    )
