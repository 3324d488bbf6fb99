"""``auterity`` as a user runs it: a subprocess, its exit code, stdout and stderr."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from runtime.core.load import load_graph_file
from runtime.core.schema import graph_json_schema
from tests.runtime.support import DIAGNOSTIC_FIXTURES, UNLOADABLE_FIXTURES, fixture_path

AUTERITY = str(Path(sys.executable).with_name("auterity"))


@dataclass
class Outcome:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def cli(*args: str | Path, columns: int = 250, cwd: Path | None = None) -> Outcome:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "COLUMNS", "LINES")}
    env.update(COLUMNS=str(columns), NO_COLOR="1", TERM="dumb")
    proc = subprocess.run(
        [AUTERITY, *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        check=False,
        timeout=120,
    )
    return Outcome(proc.returncode, proc.stdout, proc.stderr)


def assert_one_line_error(result: Outcome) -> str:
    assert result.code != 0
    assert "Traceback" not in result.err + result.out
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("error:"), result.err
    return lines[0]


# --- validate ---------------------------------------------------------------------------------


def test_validate_valid_graph_exits_0() -> None:
    result = cli("validate", fixture_path("linear.graph.json"))
    assert result.code == 0, result.err
    assert "0 error(s), 0 warning(s)" in result.out
    assert "severity" not in result.out  # no table when there is nothing to report


def test_validate_invalid_graph_exits_1_with_a_table() -> None:
    result = cli("validate", DIAGNOSTIC_FIXTURES / "invalid-config.graph.json")
    assert result.code == 1
    for header in ("severity", "code", "where", "message", "hint"):
        assert header in result.out
    assert "config.invalid" in result.out
    assert "greet [config.fields[0].path]" in result.out
    assert "Field required" in result.out
    assert "1 error(s), 0 warning(s)" in result.out


def test_validate_warnings_only_exits_0() -> None:
    result = cli("validate", DIAGNOSTIC_FIXTURES / "unreachable.graph.json")
    assert result.code == 0
    assert "node.unreachable" in result.out
    assert "orphan" in result.out
    assert "0 error(s), 1 warning(s)" in result.out


def test_validate_cycle_names_its_nodes() -> None:
    result = cli("validate", DIAGNOSTIC_FIXTURES / "cycle.graph.json")
    assert result.code == 1
    assert "graph.cycle" in result.out
    for node in ("gate", "draft", "review"):
        assert node in result.out


def test_validate_did_you_mean() -> None:
    result = cli("validate", DIAGNOSTIC_FIXTURES / "unknown-type.graph.json")
    assert result.code == 1
    assert "did you mean transform.set" in result.out


def test_validate_json() -> None:
    result = cli("validate", "--json", DIAGNOSTIC_FIXTURES / "cycle.graph.json")
    assert result.code == 1
    (diagnostic,) = result.json()
    assert diagnostic["code"] == "graph.cycle"
    assert sorted(diagnostic["nodes"]) == ["draft", "gate", "review"]
    assert "1 error(s)" in result.err  # the summary stays out of the JSON


def test_validate_table_shows_codes_in_full_at_80_columns() -> None:
    # 80 columns is what a pipe, a CI log or a small terminal gets; the code is what a user
    # searches the docs for, so it must never be cut to "expression.not_u…".
    result = cli("validate", DIAGNOSTIC_FIXTURES / "expression-not-upstream.graph.json", columns=80)
    assert "expression.not_upstream" in result.out, result.out
    result = cli("validate", DIAGNOSTIC_FIXTURES / "crosses-scope.graph.json", columns=80)
    assert "edge.crosses_scope" in result.out, result.out
    assert "port.missing_input" in result.out, result.out


# --- run --------------------------------------------------------------------------------------


def test_run_prints_the_trace_and_the_output() -> None:
    result = cli("run", fixture_path("linear.graph.json"), "--input", '{"lead": {"name": "Zed"}}')
    assert result.code == 0, result.err
    for column in ("node", "status", "attempts", "output / error"):
        assert column in result.out
    for node in ("start", "greet", "shape"):
        assert node in result.out
    output = result.out.split("output\n", 1)[1]
    assert json.loads(output) == {"greeting": "Hello Zed", "name": "Zed"}


def test_run_without_input_uses_the_manual_triggers_sample() -> None:
    result = cli("run", "--json", fixture_path("linear.graph.json"))
    assert result.code == 0
    assert result.json()["output"] == {"greeting": "Hello Ada", "name": "Ada"}


def test_run_input_from_a_file(tmp_path: Path) -> None:
    payload = tmp_path / "order.json"
    payload.write_text(json.dumps({"amount": 250}), encoding="utf-8")
    result = cli("run", "--json", fixture_path("if-branches.graph.json"), "--input", f"@{payload}")
    assert result.code == 0, result.err
    run = result.json()
    assert run["status"] == "succeeded"
    assert run["output"] == {"amount": 250, "tier": "gold"}
    statuses = {t["node"]: t["status"] for t in run["trace"]}
    assert statuses["basic"] == "skipped"


def test_run_webhook_graph_gets_input_as_the_request_body() -> None:
    result = cli(
        "run", "--json", fixture_path("webhook-respond.graph.json"), "-i", '{"name": "Ada"}'
    )
    assert result.code == 0, result.err
    assert result.json()["output"]["body"] == {"greeting": "Hello Ada"}


def test_run_with_a_raw_event() -> None:
    event = {"method": "POST", "path": "/x", "headers": {}, "query": {}, "body": {"name": "Bo"}}
    result = cli(
        "run", "--json", fixture_path("webhook-respond.graph.json"), "--event", json.dumps(event)
    )
    assert result.code == 0, result.err
    assert result.json()["output"]["body"] == {"greeting": "Hello Bo"}


def test_run_failure_exits_1_naming_the_node() -> None:
    result = cli("run", fixture_path("unwired-failure.graph.json"), "--input", "[1, 2]")
    assert result.code == 1
    assert "run failed: node strict: expected an object" in result.out
    assert "Traceback" not in result.out + result.err


def test_run_timeout_option(tmp_path: Path) -> None:
    graph = {
        "nodes": [
            {"id": "start", "type": "trigger.manual"},
            {"id": "wait", "type": "logic.delay", "config": {"seconds": 60}},
        ],
        "edges": [{"source": "start", "target": "wait"}],
    }
    path = tmp_path / "slow.graph.json"
    path.write_text(json.dumps(graph), encoding="utf-8")
    result = cli("run", path, "--timeout", "0.1")
    assert result.code == 1
    assert "run timed_out" in result.out


def test_run_invalid_graph_is_one_error_line() -> None:
    result = cli("run", DIAGNOSTIC_FIXTURES / "cycle.graph.json")
    line = assert_one_line_error(result)
    assert result.code == 1
    assert "graph.cycle" in line


# --- compile ----------------------------------------------------------------------------------


def test_compile_writes_a_deterministic_zip(tmp_path: Path) -> None:
    first, second = tmp_path / "a.zip", tmp_path / "b.zip"
    result = cli("compile", fixture_path("linear.graph.json"), "-o", first)
    assert result.code == 0, result.err
    assert f"wrote {first}" in result.out
    assert "3 steps in 3 levels" in result.out
    assert cli("compile", fixture_path("linear.graph.json"), "--output", second).code == 0
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(io.BytesIO(first.read_bytes())) as archive:
        manifest = json.loads(archive.read("auterity/manifest.json"))
    assert manifest["handler"] == "auterity_entry.handler"
    assert set(manifest["step_handlers"]) == {"start", "greet", "shape"}


def test_compile_default_output_is_bundle_zip(tmp_path: Path) -> None:
    result = cli("compile", fixture_path("linear.graph.json"), cwd=tmp_path)
    assert result.code == 0, result.err
    assert zipfile.is_zipfile(tmp_path / "bundle.zip")


def test_compile_invalid_graph_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "bundle.zip"
    result = cli("compile", DIAGNOSTIC_FIXTURES / "multiple-inputs.graph.json", "-o", target)
    assert "edge.multiple_inputs" in assert_one_line_error(result)
    assert not target.exists()


def test_compile_asl_writes_a_deterministic_state_machine_and_says_why(tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    result = cli("compile", fixture_path("linear.graph.json"), "--target", "asl", "-o", first)
    assert result.code == 0, result.err
    assert f"wrote {first}" in result.out
    assert "EXPRESS workflow" in result.out
    assert "${StepHandler}" in result.out
    assert "  - nothing waits past Express's limit of 5 minutes" in result.out
    again = cli("compile", fixture_path("linear.graph.json"), "--target", "asl", "-o", second)
    assert again.code == 0, again.err
    assert first.read_bytes() == second.read_bytes()
    machine = json.loads(first.read_text())
    assert machine["StartAt"] == "Run: start"
    assert {"start", "greet", "shape"} <= set(machine["States"])


def test_compile_asl_default_output_and_the_users_workflow_type(tmp_path: Path) -> None:
    result = cli(
        "compile", fixture_path("linear.graph.json"), "--target", "asl", "--type", "standard",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "STANDARD workflow" in result.out
    assert "STANDARD was requested" in result.out
    assert json.loads((tmp_path / "machine.json").read_text())["States"]


def test_compile_asl_exactly_once_is_standard(tmp_path: Path) -> None:
    target = tmp_path / "m.json"
    result = cli(
        "compile", fixture_path("linear.graph.json"), "--target", "asl", "--exactly-once",
        "-o", target,
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "STANDARD workflow" in result.out
    assert "exactly-once execution was asked for" in result.out


def test_compile_asl_refuses_an_invalid_graph_as_the_bundle_does(tmp_path: Path) -> None:
    target = tmp_path / "machine.json"
    graph = DIAGNOSTIC_FIXTURES / "multiple-inputs.graph.json"
    asl = cli("compile", graph, "--target", "asl", "-o", target)
    bundle = cli("compile", graph, "-o", tmp_path / "bundle.zip")
    assert assert_one_line_error(asl) == assert_one_line_error(bundle)
    assert asl.code == bundle.code == 1
    assert not target.exists()


def test_compile_workflow_options_belong_to_the_asl_target(tmp_path: Path) -> None:
    result = cli("compile", fixture_path("linear.graph.json"), "--type", "express", cwd=tmp_path)
    assert "--target asl only" in assert_one_line_error(result)
    assert not (tmp_path / "bundle.zip").exists()


# --- nodes, schema, migrate -------------------------------------------------------------------


def test_nodes_json_gives_each_types_config_schema() -> None:
    result = cli("nodes", "--json")
    assert result.code == 0, result.err
    described = {d["type"]: d for d in result.json()}
    assert {
        "trigger.manual",
        "trigger.webhook",
        "transform.set",
        "logic.foreach",
        "logic.if",
        "http.respond",
    } <= set(described)
    for entry in described.values():
        assert entry["config_schema"]["type"] == "object", entry["type"]
        assert isinstance(entry["version"], int)
    assert "fields" in described["transform.set"]["config_schema"]["properties"]
    assert [p["name"] for p in described["logic.if"]["outputs"]] == ["true", "false", "error"]
    assert described["logic.foreach"]["container"] is True


def test_nodes_table_lists_every_type_in_full() -> None:
    expected = [d["type"] for d in cli("nodes", "--json").json()]
    result = cli("nodes", columns=80)
    assert result.code == 0
    assert f"{len(expected)} node types" in result.out
    missing = [t for t in expected if t not in result.out]
    assert missing == [], result.out


def test_schema_command_prints_the_graph_schema() -> None:
    result = cli("schema")
    assert result.code == 0
    assert result.json() == graph_json_schema()


def test_migrate_rewrites_a_v1_file_as_current_version(tmp_path: Path) -> None:
    path = tmp_path / "old.graph.json"
    shutil.copy(fixture_path("v1-compact.graph.json"), path)
    result = cli("migrate", path)
    assert result.code == 0, result.err
    assert "now schema_version 2" in result.out
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["schema_version"] == 2
    assert "connections" not in doc
    assert load_graph_file(path) == load_graph_file(fixture_path("linear.graph.json"))
    assert cli("validate", path).code == 0


# --- errors: one line, no traceback -----------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["validate", "/no/such/file.graph.json"], "No such file"),
        (["validate", str(UNLOADABLE_FIXTURES / "malformed.graph.json")], "invalid JSON at line 5"),
        (["validate", str(UNLOADABLE_FIXTURES / "future-version.graph.json")], "newer"),
        (["validate", str(UNLOADABLE_FIXTURES / "bad-node-id.graph.json")], "nodes[1].id"),
        (["validate", "--bogus", str(fixture_path("linear.graph.json"))], "--bogus"),
        (["validate"], "Missing argument"),
        (["frobnicate"], "frobnicate"),
        (["run", str(fixture_path("linear.graph.json")), "--input", "{bad"], "invalid JSON"),
        (
            ["run", str(fixture_path("linear.graph.json")), "--input", "@/no/such.json"],
            "cannot read",
        ),
        (["run", str(fixture_path("linear.graph.json")), "--timeout", "soon"], "--timeout"),
        (["run", str(fixture_path("linear.graph.json")), "--timeout", "-1"], "timeout"),
        (["run", str(fixture_path("linear.graph.json")), "--timeout", "0"], "timeout"),
        (["run", str(fixture_path("linear.graph.json")), "--event", "{bad"], "--event"),
        (
            ["compile", str(fixture_path("linear.graph.json")), "-o", "/no/such/dir/b.zip"],
            "cannot write",
        ),
        (["migrate", "/no/such/file.graph.json"], "No such file"),
    ],
    ids=[
        "missing-file",
        "malformed-json",
        "future-version",
        "bad-node-id",
        "bad-option",
        "missing-argument",
        "unknown-command",
        "bad-input-json",
        "missing-input-file",
        "non-numeric-timeout",
        "negative-timeout",
        "zero-timeout",
        "bad-event-json",
        "unwritable-output",
        "migrate-missing-file",
    ],
)
def test_user_errors_are_one_line(args: list[str], fragment: str) -> None:
    result = cli(*args)
    line = assert_one_line_error(result)
    assert fragment in line
    assert result.out == ""


def test_future_version_error_names_the_file() -> None:
    path = UNLOADABLE_FIXTURES / "future-version.graph.json"
    line = assert_one_line_error(cli("validate", path))
    assert str(path) in line
