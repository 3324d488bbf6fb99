"""Hostile and broken graph documents: each gets a diagnostic or one clear error, never a crash.

Every case goes through the library (``load_graph`` then ``validate``) and through the CLI
(``auterity validate --json FILE`` in a subprocess under a 2 GiB address-space limit). The
library may only raise ``GraphLoadError`` (one line, short) or return a graph whose diagnostics
include the expected error and no ``internal.error``. The CLI must exit 1 with the diagnostics
as JSON, or exit 2 with exactly one ``error: FILE: ...`` line; never a traceback. Time is
bounded with pytest-timeout marks and subprocess timeouts, not timing asserts.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from runtime.core.errors import GraphLoadError
from runtime.core.graph import Graph
from runtime.core.load import MAX_DOCUMENT_BYTES, load_graph, load_graph_file
from runtime.core.options import RunOptions
from runtime.engine.compile import build_plan
from runtime.engine.executor import Executor
from runtime.engine.validate import MAX_NODES, validate
from tests.security.cli import REPO, limit_memory, one_line_error, run_cli

MB = 1024 * 1024


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[], bytes]
    expect: str
    """``load`` (GraphLoadError), ``valid`` (no error diagnostics) or a diagnostic code."""
    heavy: bool = False


def _doc(**fields: object) -> bytes:
    return json.dumps({"schema_version": 2, **fields}).encode()


def _trigger_and(node: dict[str, object]) -> bytes:
    return _doc(
        nodes=[{"id": "start", "type": "trigger.manual"}, {"id": "n", **node}],
        edges=[{"source": "start", "target": "n"}],
    )


@cache
def _chain(count: int) -> bytes:
    nodes = [{"id": "start", "type": "trigger.manual"}]
    nodes += [{"id": f"n{i}", "type": "transform.set"} for i in range(count - 1)]
    edges = [
        {"source": "start" if i == 0 else f"n{i - 1}", "target": f"n{i}"} for i in range(count - 1)
    ]
    return _doc(nodes=nodes, edges=edges)


def _nested_config(levels: int) -> bytes:
    sample: object = "leaf"
    for _ in range(levels):
        sample = {"a": sample}
    return _doc(nodes=[{"id": "start", "type": "trigger.manual", "config": {"sample": sample}}])


def _garbage(seed: int, size: int = 64 * 1024) -> bytes:
    return random.Random(seed).randbytes(size)


CASES = [
    Case("malformed-json", lambda: b'{"nodes": [{"id": "a", ', "load"),
    Case("trailing-garbage", lambda: b'{"nodes": []} {"nodes": []}', "load"),
    Case("single-quotes", lambda: b"{'nodes': []}", "load"),
    Case("empty-file", lambda: b"", "load"),
    Case("whitespace-only", lambda: b" \n\t \r\n", "load"),
    Case("json-array", lambda: b"[]", "load"),
    Case("json-null", lambda: b"null", "load"),
    Case("json-number", lambda: b"42", "load"),
    Case("json-string", lambda: b'"graph"', "load"),
    Case("json-true", lambda: b"true", "load"),
    Case("nodes-not-a-list", lambda: _doc(nodes={"a": {"type": "trigger.manual"}}), "load"),
    Case("node-not-an-object", lambda: _doc(nodes=["trigger.manual"]), "load"),
    Case("schema-version-string", lambda: b'{"schema_version": "2"}', "load"),
    Case("schema-version-bool", lambda: b'{"schema_version": true}', "load"),
    Case("schema-version-float", lambda: b'{"schema_version": 1.5}', "load"),
    Case("schema-version-zero", lambda: b'{"schema_version": 0}', "load"),
    Case("schema-version-negative", lambda: b'{"schema_version": -1}', "load"),
    Case("schema-version-future", lambda: b'{"schema_version": 3, "nodes": []}', "load"),
    Case("schema-version-huge", lambda: b'{"schema_version": 1' + b"0" * 40 + b"}", "load"),
    Case("schema-version-infinite", lambda: b'{"schema_version": 1e400}', "load"),
    Case("integer-too-long", lambda: b'{"metadata": {"n": ' + b"7" * 5_000 + b"}}", "load"),
    Case(
        "v1-nodes-not-a-list",
        lambda: b'{"version": 1, "nodes": 5, "connections": []}',
        "load",
    ),
    Case(
        "v1-connection-not-a-string",
        lambda: b'{"version": 1, "connections": [{"from": 5}]}',
        "load",
    ),
    Case("deep-json-100k-lists", lambda: b"[" * 100_000 + b"]" * 100_000, "load"),
    Case("deep-json-100k-objects", lambda: b'{"a":' * 100_000 + b"1" + b"}" * 100_000, "load"),
    Case(
        "deep-json-in-config",
        lambda: _trigger_and(
            {"type": "transform.set", "config": {"fields": json.loads("[" * 900 + "]" * 900)}}
        ),
        "config.too_deep",
    ),
    Case("config-500-levels", lambda: _nested_config(500), "config.too_deep"),
    Case("config-40-levels", lambda: _nested_config(40), "config.too_deep"),
    Case("node-chain-100k", lambda: _chain(100_000), "graph.too_large", heavy=True),
    Case(
        "edges-150k",
        lambda: _doc(
            nodes=[{"id": "a", "type": "trigger.manual"}, {"id": "b", "type": "transform.set"}],
            edges=[{"source": "a", "target": "b"}] * 150_000,
        ),
        "graph.too_large",
        heavy=True,
    ),
    Case(
        "duplicate-ids-5k",
        lambda: _doc(nodes=[{"id": "a", "type": "trigger.manual"}] * 5_000),
        "node.duplicate_id",
    ),
    Case(
        "label-10mb",
        lambda: _doc(nodes=[{"id": "a", "type": "trigger.manual", "label": "x" * (10 * MB)}]),
        "load",
        heavy=True,
    ),
    Case("description-10mb", lambda: _doc(description="x" * (10 * MB)), "load", heavy=True),
    Case(
        "template-10mb-with-expression",
        lambda: _trigger_and(
            {"type": "transform.template", "config": {"template": "{{ input }}" + "x" * (10 * MB)}}
        ),
        "expression.syntax",
        heavy=True,
    ),
    Case(
        "template-10mb-literal",
        lambda: _trigger_and(
            {"type": "transform.template", "config": {"template": "x" * (10 * MB)}}
        ),
        "valid",
        heavy=True,
    ),
    Case(
        "expression-10k-chars",
        lambda: _trigger_and(
            {
                "type": "transform.template",
                "config": {"template": "{{ " + "input." * 1_665 + "x }}"},
            }
        ),
        "expression.syntax",
    ),
    Case(
        "query-10k-chars",
        lambda: _trigger_and(
            {"type": "transform.pick", "config": {"query": "input." * 1_665 + "x"}}
        ),
        "config.invalid",
    ),
    Case(
        "expressions-20k-in-one-text",
        lambda: _trigger_and(
            {"type": "transform.template", "config": {"template": "{{ input }}" * 20_000}}
        ),
        "expression.syntax",
    ),
    Case("binary-garbage", lambda: _garbage(1), "load"),
    Case("binary-garbage-2", lambda: b"\x00\x01\x02\xff\xfe" * 10_000, "load"),
    Case("elf-header", lambda: b"\x7fELF\x02\x01\x01" + _garbage(2, 4096), "load"),
    Case("control-characters", lambda: bytes(range(32)) * 100, "load"),
    Case("latin-1", lambda: '{"name": "Café Zürich", "nodes": []}'.encode("latin-1"), "load"),
    Case("utf-16", lambda: '{"nodes": []}'.encode("utf-16"), "load"),
    Case("utf-8-bom", lambda: b"\xef\xbb\xbf" + _doc(), "load"),
    Case("overlong-utf-8", lambda: b'{"name": "\xc0\xaf"}', "load"),
    Case("lone-surrogate-escape", lambda: b'{"name": "\\ud800"}', "load"),
    Case(
        "nul-in-type",
        lambda: _doc(nodes=[{"id": "a", "type": "trigger.\u0000manual"}]),
        "node.unknown_type",
    ),
    Case("larger-than-limit", lambda: b" " * (MAX_DOCUMENT_BYTES + 1), "load", heavy=True),
]
IDS = [case.name for case in CASES]


def _marks(case: Case) -> list[pytest.MarkDecorator]:
    return [pytest.mark.slow, pytest.mark.timeout(90)] if case.heavy else [pytest.mark.timeout(30)]


PARAMS = [pytest.param(case, id=case.name, marks=_marks(case)) for case in CASES]


def _check_load_error(exc: GraphLoadError) -> None:
    message = str(exc)
    assert "\n" not in message, f"multi-line error: {message!r}"
    assert len(message) < 1_000, f"error is {len(message)} characters"
    assert "Traceback" not in message


@pytest.mark.parametrize("case", PARAMS)
def test_library_rejects_or_diagnoses(case: Case) -> None:
    data = case.build()
    if case.expect == "load":
        with pytest.raises(GraphLoadError) as info:
            load_graph(data, source="bad.graph.json")
        _check_load_error(info.value)
        return
    graph = load_graph(data, source="bad.graph.json")
    diagnostics = validate(graph)
    codes = {d.code for d in diagnostics if d.severity == "error"}
    assert "internal.error" not in codes, diagnostics
    if case.expect == "valid":
        assert not codes, diagnostics[:5]
    else:
        assert case.expect in codes, f"expected {case.expect}, got {sorted(codes)}"
    for d in diagnostics[:100]:
        assert len(d.message) < 1_000
        assert "Traceback" not in d.message


@pytest.mark.parametrize("case", PARAMS)
def test_cli_validate_rejects_or_diagnoses(case: Case, tmp_path: Path) -> None:
    path = tmp_path / f"{case.name}.graph.json"
    path.write_bytes(case.build())
    done = run_cli("validate", "--json", str(path), timeout=80)
    assert "Traceback" not in done.stderr + done.stdout[:10_000]
    if case.expect == "load":
        assert done.returncode == 2, (done.returncode, done.stderr[-300:])
        problem = one_line_error(done.stderr)
        assert problem is None, problem
        return
    expected_code = 0 if case.expect == "valid" else 1
    assert done.returncode == expected_code, (done.returncode, done.stderr[-300:])
    codes = {d["code"] for d in json.loads(done.stdout) if d["severity"] == "error"}
    assert "internal.error" not in codes
    if case.expect != "valid":
        assert case.expect in codes


# --------------------------------------------------------------------------------------------
# Files the CLI cannot read at all


@pytest.mark.timeout(30)
@pytest.mark.parametrize("command", ["validate", "run", "compile"])
def test_cli_missing_file_and_directory(command: str, tmp_path: Path) -> None:
    for target in (tmp_path / "missing.graph.json", tmp_path):
        done = run_cli(command, str(target), timeout=30)
        assert done.returncode == 2, (target, done.returncode, done.stderr)
        problem = one_line_error(done.stderr)
        assert problem is None, problem


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    "value",
    ["{not json", "[" * 100_000, "1" * 5_000, '"\\ud800"', "@/nonexistent/input.json"],
    ids=["malformed", "deep", "long-integer", "lone-surrogate", "missing-file"],
)
def test_cli_run_rejects_bad_input_values(value: str, tmp_path: Path) -> None:
    graph = Path(__file__).parents[1] / "fixtures" / "graphs" / "payload-echo.graph.json"
    done = run_cli("run", str(graph), "--input", value, "--json", timeout=30)
    assert "Traceback" not in done.stderr + done.stdout
    assert done.returncode in (1, 2), (done.returncode, done.stderr[-300:])
    if done.returncode == 2:
        problem = one_line_error(done.stderr)
        assert problem is None, problem
    else:
        assert json.loads(done.stdout)["status"] == "failed"


# --------------------------------------------------------------------------------------------
# Big but legal graphs stay within bounds


@pytest.mark.slow
@pytest.mark.timeout(120)
async def test_graph_at_the_node_limit_validates_compiles_and_runs() -> None:
    graph = load_graph(_chain(MAX_NODES))
    assert len(graph.nodes) == MAX_NODES
    assert [d for d in validate(graph) if d.severity == "error"] == []
    plan = build_plan(graph)
    result = await Executor(plan).run({"n": 1}, options=RunOptions(run_timeout_seconds=60))
    assert result.status == "succeeded", result.error
    assert result.output == {"n": 1}


def _nested_foreach(depth: int) -> Graph:
    nodes: list[dict[str, object]] = [{"id": "start", "type": "trigger.manual"}]
    edges: list[dict[str, str]] = []
    previous = "start"
    for i in range(depth):
        node: dict[str, object] = {
            "id": f"each{i}",
            "type": "logic.foreach",
            "config": {"items": "{{ input }}"},
        }
        if i:
            node["parent"] = f"each{i - 1}"
            edges.append({"source": f"each{i}", "target": f"each{i - 1}", "target_port": "result"})
        nodes.append(node)
        edges.append(
            {"source": previous, "source_port": "item" if i else "out", "target": f"each{i}"}
        )
        previous = f"each{i}"
    return Graph.model_validate({"nodes": nodes, "edges": edges})


@pytest.mark.timeout(60)
@pytest.mark.parametrize("depth", [400, 3_000])
async def test_deeply_nested_foreach_is_refused_or_fails_clearly(depth: int) -> None:
    """For-each bodies nested hundreds deep, fed a list nested as deep.

    Either the validator refuses the nesting, or the run fails with a short message naming the
    for-each that gave up; a RecursionError or an error message that grows with the depth is a
    bug.
    """
    graph = _nested_foreach(depth)
    errors = [d for d in validate(graph) if d.severity == "error"]
    if errors:
        assert all(d.code != "internal.error" for d in errors)
        return
    event: object = 1
    for _ in range(depth + 5):
        event = [event]
    result = await Executor(build_plan(graph)).run(
        event, options=RunOptions(run_timeout_seconds=30)
    )
    if result.status == "succeeded":
        return
    assert result.error is not None
    assert result.error.node.startswith("each"), result.error
    assert "RecursionError" not in result.error.type + result.error.message
    assert len(result.error.message) < 500, f"message is {len(result.error.message)} characters"


# --------------------------------------------------------------------------------------------
# Expression resource limits


@pytest.mark.timeout(60)
def test_expression_arithmetic_is_bounded() -> None:
    """Squaring a number by piping it through ``multiply`` must hit a limit, not the CPU.

    Each ``| multiply(@, @)`` doubles the digits; 40 of them fit easily in the 2 000-character
    expression limit and would need a number with 2**40 digits. Run in a subprocess under a
    deadline, because a huge multiplication in C cannot be interrupted by a signal.
    """
    template = "{{ `10` " + "| multiply(@, @) " * 40 + "}}"
    program = (
        "import sys\n"
        "from runtime.core import expr\n"
        "from runtime.core.errors import ExpressionError\n"
        f"source = {template!r}\n"
        "try:\n"
        "    value = expr.render(source, {'input': None})\n"
        "except ExpressionError as exc:\n"
        "    print('refused:', exc.message)\n"
        "else:\n"
        "    print('value with', value.bit_length() if isinstance(value, int) else '?', 'bits')\n"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", program],
            capture_output=True,
            text=True,
            timeout=10,
            cwd=REPO,
            preexec_fn=limit_memory,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("evaluating 40 chained multiply() calls ran for more than 10 s")
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.startswith("refused:"), done.stdout


@pytest.mark.parametrize(
    "data",
    [
        b"{",
        b"[]",
        b'{"schema_version": 3}',
        b'{"schema_version": "2"}',
        b'{"version": 1, "connections": [{}]}',
    ],
    ids=["bad-json", "not-object", "future-version", "version-not-int", "v1-bad-connection"],
)
def test_load_errors_name_the_file(data: bytes, tmp_path: Path) -> None:
    """Every GraphLoadError says which file it is about, migration errors included."""
    path = tmp_path / "broken.graph.json"
    path.write_bytes(data)
    with pytest.raises(GraphLoadError) as info:
        load_graph_file(path)
    assert info.value.path == str(path)
    assert str(info.value).startswith(f"{path}: ")
