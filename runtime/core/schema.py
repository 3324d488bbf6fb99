"""The published JSON Schema of ``*.graph.json`` (committed as ``schemas/graph.schema.json``)."""

from __future__ import annotations

from typing import Any

from runtime.core.graph import SCHEMA_VERSION, Graph

SCHEMA_ID = f"https://auterity.dev/schemas/graph/v{SCHEMA_VERSION}.json"


def graph_json_schema() -> dict[str, Any]:
    schema = Graph.model_json_schema(by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
        "description": (
            "An Auterity workflow graph. Nodes are typed by `type`/`version`; their `config`"
            " is checked against that node type's own schema (`auterity nodes --json`)."
        ),
    }
