"""What the model is told: the graph format's rules, the catalog, the industry, the packs.

The answer is constrained by a JSON Schema: the Graph schema itself, with ``type`` limited to
the catalog's node types, next to a plain-language explanation.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from runtime.assistant.catalog import catalog, node_types
from runtime.core.diagnostics import Diagnostic
from runtime.core.graph import Graph
from runtime.core.schema import graph_json_schema
from runtime.tenant.industry import PROFILES, Industry

RULES = """\
You design workflows for Auterity, a visual node-graph builder. Answer with a complete graph
(JSON matching the schema) and a short explanation for a non-programmer of what it does and of
anything the user must still fill in (URLs, phone numbers, credentials).

Rules of the graph format:
- Exactly one trigger node. Use trigger.webhook when something external sends data (the
  request body is at input.body); a webhook graph must end in an http.respond node.
  Use trigger.manual for a workflow started by hand, trigger.schedule for a timer.
- Node ids: letters, digits, _ and -, starting with a letter; unique. Give every node a label.
- An edge joins an output port (source_port, default "out") to an input port (target_port,
  default "in"). Every input port takes at most one edge: to join branches use logic.merge
  (ports in_1, in_2, ...) with mode "first".
- Branch with logic.if (ports true/false), logic.switch (one port per case key, plus
  "fallback" if enabled) or ai.classify (one port per label key).
- Config strings may contain {{ expression }}: a JMESPath query over input (what reached the
  node), nodes.<id> (an earlier node's output), trigger and run. Never write code; only
  JMESPath and the listed functions (lower, upper, trim, split, replace, round, add,
  subtract, multiply, divide, now).
- Outputs: ai.extract gives {data, usage}; ai.chat {text, usage}; ai.summarize
  {summary, usage}; ai.classify fires the chosen label's port with {label, reason, input}.
- Config must follow each node type's config_schema exactly; unknown keys are errors.
- Declare personal data on webhook fields with classes: PII (people), PHI (health),
  PAN (card numbers), CREDENTIALS.
- Prefer few nodes that each do one clear thing. Do not call external URLs the user did not
  name; leave an http.request URL as https://example.com/... with a note in the explanation.
"""


def system_prompt(industry: Industry | None, packs: list[str]) -> str:
    parts = [RULES]
    if industry:
        parts.append(f"The customer's industry: {industry}. {PROFILES[industry].hints}")
    if packs:
        parts.append(
            "Compliance packs in force: " + ", ".join(packs) + ". Mark sensitive fields with"
            " their data classes and do not send sensitive data to external URLs."
        )
    parts.append(
        "The node catalog (type, ports, config schema, an example config):\n"
        + json.dumps(catalog(), separators=(",", ":"))
    )
    return "\n\n".join(parts)


def user_prompt(description: str, current: Graph | None) -> str:
    if current is None:
        return f"Build this workflow:\n{description}"
    current_json = current.model_dump_json(exclude_defaults=True)
    return (
        "Change the workflow below as asked. Keep node ids that stay the same.\n"
        f"Request: {description}\n\nCurrent graph:\n{current_json}"
    )


def repair_prompt(problems: list[str]) -> str:
    listed = "\n".join(f"- {p}" for p in problems)
    return (
        "The validator found these problems in your graph:\n"
        f"{listed}\n\nReturn the whole corrected graph and explanation."
    )


def describe(diagnostic: Diagnostic) -> str:
    text = diagnostic.render()
    return f"{text} (hint: {diagnostic.hint})" if diagnostic.hint else text


@cache
def _response_schema() -> str:
    schema = graph_json_schema()
    defs = schema.pop("$defs")
    for key in ("$schema", "$id"):
        schema.pop(key, None)
    defs["Node"]["properties"]["type"] = {"type": "string", "enum": node_types()}
    return json.dumps(
        {
            "type": "object",
            "properties": {
                "graph": schema,
                "explanation": {"type": "string", "maxLength": 4000},
            },
            "required": ["graph", "explanation"],
            "$defs": defs,
        }
    )


def response_schema() -> dict[str, Any]:
    value: dict[str, Any] = json.loads(_response_schema())
    return value
