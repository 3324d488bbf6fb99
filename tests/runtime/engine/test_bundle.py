"""The Lambda bundle: byte-identical for the same graph, self-describing, and runnable alone."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from runtime.core.canonical import canonical_json
from runtime.core.graph import Graph
from runtime.core.load import load_graph
from runtime.engine.bundle import (
    STORE_EXTRAS,
    ZIP_EPOCH,
    build_authorizer_bundle,
    build_bundle,
    build_service_bundle,
    entry_module,
    lambda_requirements,
)
from runtime.engine.compile import build_plan
from runtime.engine.plan import Plan
from tests.runtime.support import REPO_ROOT, load_fixture, make_graph


def _bundle(graph: Graph) -> bytes:
    return build_bundle(build_plan(graph), graph)


def _files(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _manifest(data: bytes) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads(_files(data)["auterity/manifest.json"])
    return manifest


@pytest.fixture
def linear_bundle() -> bytes:
    return _bundle(load_fixture("linear.graph.json"))


# --- determinism ------------------------------------------------------------------------------


def test_same_graph_gives_byte_identical_bundles(linear_bundle: bytes) -> None:
    assert _bundle(load_fixture("linear.graph.json")) == linear_bundle


def test_graph_reloaded_from_its_own_json_gives_the_same_bundle(linear_bundle: bytes) -> None:
    reloaded = load_graph(load_fixture("linear.graph.json").to_json())
    assert _bundle(reloaded) == linear_bundle


def test_v1_file_and_its_v2_twin_give_the_same_bundle(linear_bundle: bytes) -> None:
    assert _bundle(load_fixture("v1-compact.graph.json")) == linear_bundle


def test_a_changed_graph_gives_a_different_bundle(linear_bundle: bytes) -> None:
    graph = load_fixture("linear.graph.json")
    graph.nodes[2].config["query"] = "greeting"
    assert _bundle(graph) != linear_bundle


def test_entries_are_sorted_with_fixed_timestamps_and_permissions(linear_bundle: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(linear_bundle)) as archive:
        infos = archive.infolist()
    names = [i.filename for i in infos]
    assert names == sorted(names)
    assert {i.date_time for i in infos} == {ZIP_EPOCH}
    assert {i.external_attr >> 16 for i in infos} == {0o644}
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


# --- contents ---------------------------------------------------------------------------------


def test_layout(linear_bundle: bytes) -> None:
    files = _files(linear_bundle)
    for name in (
        "auterity_entry.py",
        "auterity/plan.json",
        "auterity/graph.json",
        "auterity/manifest.json",
        "runtime/engine/handlers.py",
        "runtime/engine/executor.py",
        "nodes/base.py",
        "nodes/registry.py",
        "nodes/transforms/set_fields.py",
    ):
        assert name in files, name


def test_manifest_lists_every_file_with_its_sha256(linear_bundle: bytes) -> None:
    files = _files(linear_bundle)
    manifest = _manifest(linear_bundle)
    listed = manifest["files"]
    assert set(listed) == set(files) - {"auterity/manifest.json"}
    for name, digest in listed.items():
        assert hashlib.sha256(files[name]).hexdigest() == digest, name


def test_manifest_names_a_handler_per_node(linear_bundle: bytes) -> None:
    manifest = _manifest(linear_bundle)
    assert manifest["handler"] == "auterity_entry.handler"
    assert manifest["graph_id"] == "linear"
    assert manifest["step_handlers"] == {
        "greet": "auterity_entry.step_greet",
        "shape": "auterity_entry.step_shape",
        "start": "auterity_entry.step_start",
    }
    assert manifest["state_handler"] == "auterity_entry.states"  # the ASL target's Tasks
    source = _files(linear_bundle)["auterity_entry.py"].decode()
    for handler in [*manifest["step_handlers"].values(), manifest["state_handler"]]:
        assert f"\n{handler.split('.')[1]} = " in source


def test_manifest_requires_runtime_dependencies_only(linear_bundle: bytes) -> None:
    requires = _manifest(linear_bundle)["requires"]
    assert requires == lambda_requirements(frozenset(STORE_EXTRAS))
    names = {r.split(">")[0].split("<")[0].split("=")[0].lower() for r in requires}
    assert {"pydantic", "boto3", "dynamodb-json"} <= names  # the tenant's settings and usage
    assert not names & {"networkx", "typer", "rich", "pytest", "openai", "fastapi"}


def test_plan_and_graph_in_the_bundle_are_canonical(linear_bundle: bytes) -> None:
    graph = load_fixture("linear.graph.json")
    files = _files(linear_bundle)
    plan = Plan.model_validate_json(files["auterity/plan.json"])
    assert plan == build_plan(graph)
    assert files["auterity/graph.json"] == canonical_json(graph.model_dump(mode="json")).encode()


def test_handler_names_are_valid_and_unique_for_awkward_ids() -> None:
    graph = make_graph(
        [
            {"id": "start", "type": "trigger.manual"},
            {"id": "send-email", "type": "transform.set"},
            {"id": "send_email", "type": "transform.set"},
        ],
        [
            {"source": "start", "target": "send-email"},
            {"source": "send-email", "target": "send_email"},
        ],
    )
    plan = build_plan(graph)
    source, names = entry_module(plan)
    assert set(names) == {"start", "send-email", "send_email"}
    assert len(set(names.values())) == 3
    assert all(name.isidentifier() for name in names.values())
    compile(source, "auterity_entry.py", "exec")


# --- running as a Lambda would ----------------------------------------------------------------

_PROBE = """
import json, sys
bundle = sys.argv[1]
event = json.loads(sys.argv[2])
import auterity_entry, nodes, runtime
for module in (runtime, nodes, auterity_entry):
    assert module.__file__.startswith(bundle), (module.__name__, module.__file__)
assert not [p for p in sys.path if p.rstrip("/") == sys.argv[3]], sys.path
result = {
    "run": auterity_entry.handler(event["run"], None),
    "step": getattr(auterity_entry, event["step_name"])(event["step"], None),
}
print(json.dumps(result))
"""


def _run_extracted(data: bytes, where: Path, event: dict[str, Any]) -> dict[str, Any]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(where)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = str(where)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, str(where), json.dumps(event), str(REPO_ROOT)],
        cwd=where,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def test_extracted_bundle_runs_the_graph_and_a_single_step(
    linear_bundle: bytes, tmp_path: Path
) -> None:
    result = _run_extracted(
        linear_bundle,
        tmp_path,
        {
            "run": {"lead": {"name": "Zed"}},
            "step_name": "step_greet",
            "step": {"upstream": {"start": {"out": {"lead": {"name": "Quinn"}}}}},
        },
    )
    run = result["run"]
    assert run["status"] == "succeeded"
    assert run["output"] == {"greeting": "Hello Zed", "name": "Zed"}
    assert [t["node"] for t in run["trace"]] == ["start", "greet", "shape"]
    step = result["step"]
    assert step["status"] == "ok"
    assert step["outputs"] == {"out": {"lead": {"name": "Quinn"}, "greeting": "Hello Quinn"}}


def test_extracted_bundle_answers_an_api_gateway_request(tmp_path: Path) -> None:
    data = _bundle(load_fixture("webhook-respond.graph.json"))
    result = _run_extracted(
        data,
        tmp_path,
        {
            "run": {
                "httpMethod": "POST",
                "path": "/hooks/greet",
                "headers": {"Content-Type": "application/json"},
                "queryStringParameters": None,
                "body": json.dumps({"name": "Ada"}),
            },
            "step_name": "step_reply",
            "step": {"upstream": {"greet": {"out": {"body": {"name": "Bo"}, "greeting": "Hi Bo"}}}},
        },
    )
    response = result["run"]
    assert response["statusCode"] == 201
    assert json.loads(response["body"]) == {"greeting": "Hello Ada"}
    assert response["headers"]["x-greeted"] == "Ada"
    assert result["step"]["outputs"]["out"]["body"] == {"greeting": "Hi Bo"}


def test_the_authorizer_bundle_is_deterministic_and_names_what_the_store_needs() -> None:
    import io
    import json as _json
    import zipfile

    from runtime.engine.bundle import AUTHORIZER_HANDLER, build_authorizer_bundle

    first, second = build_authorizer_bundle(), build_authorizer_bundle()
    assert first == second
    archive = zipfile.ZipFile(io.BytesIO(first))
    assert "runtime/authorizer.py" in archive.namelist()
    manifest = _json.loads(archive.read("auterity/manifest.json"))
    assert manifest["handler"] == AUTHORIZER_HANDLER
    names = {r.split("<")[0].split(">")[0].split("=")[0] for r in manifest["requires"]}
    assert {"dynamodb-json", "boto3", "pydantic"} <= names
    assert "networkx" not in names


OUTSIDE_PROBE = """
import json, pkgutil, sys
sys.path.insert(0, {root!r})
for name in {modules!r}:
    module = __import__(name, fromlist=["_"])
    for found in pkgutil.walk_packages(getattr(module, "__path__", []), name + "."):
        __import__(found.name)  # every module of a package: lazy imports load them later
ours = ("runtime", "nodes", "compliance", "builder", "whitelabel", "infra")
outside = sorted(
    m.__name__ for m in list(sys.modules.values())
    if m.__name__.split(".")[0] in ours
    and not (getattr(m, "__file__", None) or "").startswith({root!r})
)
print(json.dumps(outside))
"""


@pytest.mark.parametrize(
    ("build", "modules"),
    [
        pytest.param(build_authorizer_bundle, ["runtime.authorizer"], id="the-authorizer"),
        pytest.param(
            build_authorizer_bundle,
            ["runtime.deployed.handlers", "runtime.deployed.tenant", "runtime.store"],
            id="a-tenant's-graph-function",
        ),
        pytest.param(
            build_service_bundle,
            # Every module of each layer the service imports lazily too (not the CDK stacks:
            # importing aws_cdk starts Node).
            ["runtime.service", "runtime.assistant", "compliance", "whitelabel", "runtime.ai"],
            id="the-service",
        ),
    ],
)
def test_a_deployed_function_finds_every_module_it_imports_in_its_bundle(
    tmp_path: Path, build: Any, modules: list[str]
) -> None:
    """The Lambda has only the bundle: a module of ours it imports from elsewhere is a crash."""
    zipfile.ZipFile(io.BytesIO(build())).extractall(tmp_path)
    root = str(tmp_path) + os.sep
    probe = OUTSIDE_PROBE.format(root=root, modules=modules)
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert json.loads(done.stdout) == []
