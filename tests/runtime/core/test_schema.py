"""The published JSON Schema is a snapshot of the model.

If ``test_committed_schema_is_up_to_date`` fails after a deliberate change to
``runtime/core/graph.py``, regenerate the snapshot and commit it with the change:

    .venv/bin/auterity schema > schemas/graph.schema.json

(``jsonschema`` is not installed in the venv, so fixtures are not checked against the schema
here; they are checked against the model it is generated from.)
"""

from __future__ import annotations

import json

from runtime.core.graph import ID_PATTERN, SCHEMA_VERSION
from runtime.core.schema import SCHEMA_ID, graph_json_schema
from tests.runtime.support import REPO_ROOT

COMMITTED = REPO_ROOT / "schemas" / "graph.schema.json"


def test_committed_schema_is_up_to_date() -> None:
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert committed == graph_json_schema(), (
        "schemas/graph.schema.json is stale: run `auterity schema > schemas/graph.schema.json`"
    )


def test_schema_is_versioned_draft_2020_12() -> None:
    schema = graph_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == SCHEMA_ID
    assert SCHEMA_ID.endswith(f"/v{SCHEMA_VERSION}.json")


def test_schema_describes_the_document_shape() -> None:
    schema = graph_json_schema()
    assert schema["type"] == "object"
    assert {"schema_version", "id", "name", "nodes", "edges", "metadata"} <= set(
        schema["properties"]
    )
    assert schema["additionalProperties"] is False
    node = schema["$defs"]["Node"]
    assert set(node["required"]) == {"id", "type"}
    assert node["properties"]["id"]["pattern"] == ID_PATTERN


def test_schema_is_plain_json() -> None:
    schema = graph_json_schema()
    assert json.loads(json.dumps(schema)) == schema
