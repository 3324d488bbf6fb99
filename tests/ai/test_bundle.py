"""A compiled bundle of a graph with LLM nodes asks its layer for the AI SDKs; others do not."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from runtime.core.load import load_graph_file
from runtime.engine.bundle import build_bundle
from runtime.engine.compile import build_plan

ROOT = Path(__file__).parent.parent.parent


def manifest_and_names(path: Path) -> tuple[dict[str, object], list[str]]:
    graph = load_graph_file(path)
    with zipfile.ZipFile(io.BytesIO(build_bundle(build_plan(graph), graph))) as bundle:
        return json.loads(bundle.read("auterity/manifest.json")), bundle.namelist()


def names_of(requires: object) -> set[str]:
    assert isinstance(requires, list)
    return {r.split("<")[0].split(">")[0].split("=")[0] for r in requires}


def test_an_ai_graph_bundle_requires_the_sdks_and_ships_the_router() -> None:
    manifest, files = manifest_and_names(ROOT / "templates" / "automotive-lead-triage.graph.json")
    assert {"openai", "anthropic", "jsonschema"} <= names_of(manifest["requires"])
    assert "runtime/ai/router.py" in files
    assert "nodes/ai/extract.py" in files
    assert not [f for f in files if f.startswith("runtime/local/llm/")]


def test_a_graph_without_ai_nodes_does_not_require_them() -> None:
    manifest, _ = manifest_and_names(ROOT / "examples" / "lead-scoring.graph.json")
    assert not {"openai", "anthropic", "jsonschema"} & names_of(manifest["requires"])
