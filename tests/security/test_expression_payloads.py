"""Expression-escape payloads in every evaluated field of every node type: none may execute.

The issue: "Test with a corpus of at least 50 escape payloads (Python dunder/``__subclasses__``/
``__globals__`` chains, format-string attribute access, Jinja SSTI, JS
``constructor.constructor``) in every evaluated field: none executes, each gives a clear error
or literal text."

For each registered node type, every string leaf of its ``example`` config (and every
top-level evaluated field the example leaves out) gets each payload, as the whole string, inside
text, and appended to the original template. Each variant is validated (rejection is fine),
resolved the way the validator does it, and run with the example input against a plain and a
rich scope, while ``tests.security.audit`` records dangerous interpreter events. A variant
passes when no event was recorded and the node either returned JSON data without evidence of
execution (see ``tests.security.payloads``) or raised ``ExpressionError``/``NodeRunError``
with a short message and no traceback text.
"""

from __future__ import annotations

import ast
import asyncio
import copy
import json
import re
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from nodes.base import expression_fields
from nodes.registry import AnyNodeType, default_registry
from runtime.ai.usage import MemoryLedger
from runtime.core import expr
from runtime.core.errors import CompileError, ExpressionError, NodeRunError
from runtime.core.graph import Node
from runtime.core.load import load_graph_file
from runtime.core.options import RunOptions
from runtime.core.waiting import Suspend
from runtime.engine.compile import build_plan
from runtime.engine.executor import Executor
from runtime.engine.resolve import resolve_node
from runtime.engine.validate import validate
from tests.nodes.helpers import run_node
from tests.security.audit import recording
from tests.security.cli import one_line_error, run_cli
from tests.security.payloads import (
    FILE_PAYLOADS,
    PAYLOADS,
    as_text,
    evidence,
    message_problem,
)

REGISTRY = default_registry()
TYPE_NAMES = [t.type for t in REGISTRY.latest()]

OPTIONS = RunOptions(max_delay_seconds=0.05, http_timeout_seconds=2.0)
"""Empty egress allow-list (private and loopback hosts are refused) and no long sleeps."""

RUN_TIMEOUT = 10.0

RICH_TRIGGER = {
    "method": "POST",
    "path": "/hooks/lead",
    "headers": {"content-type": "application/json", "x-request-id": "r-1"},
    "query": {"source": "web"},
    "body": {"lead": {"name": "Grace", "email": "grace@example.org", "score": 77}},
}
RICH_SCOPE: dict[str, Any] = {
    "nodes": {
        "hook": {"body": {"lead": {"name": "Grace", "score": 77}}},
        "prev": {"id": 7, "name": "Ada", "tags": ["vip"], "items": [1, 2, 3]},
    },
    "trigger": RICH_TRIGGER,
    "run": {"id": "run-1", "graph_id": "g-test", "started_at": "2024-01-01T00:00:00+00:00"},
    "vars": {"region": "eu"},
    "item": {"name": "Linus", "score": 12},
    "index": 3,
}

REQUIRED_SHAPES = [
    "{{",
    "{%",
    "${",
    "#{",
    "{0.__class__}",
    "%(x)s",
    "__import__('os').system(",
    "().__class__.__bases__[0].__subclasses__()",
    "lipsum.__globals__",
    "cycler.__init__.__globals__.os.popen('id')",
    "self._TemplateReference__context",
    "request.application.__globals__",
    "{{7*7}}",
    "this.constructor.constructor('return process')()",
    "$json.constructor",
    "$('x').item.json.constructor.constructor(",
    "!!python/object/apply:os.system",
    "`",
    "&input",
]


# --------------------------------------------------------------------------------------------
# The corpus and the oracle themselves


def test_corpus_is_large_and_covers_the_issue() -> None:
    assert len(FILE_PAYLOADS) >= 60
    assert len(set(FILE_PAYLOADS)) == len(FILE_PAYLOADS), "duplicate payloads in the corpus"
    missing = [s for s in REQUIRED_SHAPES if not any(s in p for p in FILE_PAYLOADS)]
    assert not missing, f"corpus lacks payloads of these shapes: {missing}"
    assert any("{{" not in p for p in FILE_PAYLOADS), "some payloads must come without braces"
    assert any(len(p) > 500 for p in FILE_PAYLOADS), "some payloads must nest deeply"


def test_audit_hook_is_live() -> None:
    """The oracle must be able to fail: running code while recording is seen."""
    with recording() as events:
        eval("1 + 1")
        compile("x = 1", "<probe>", "exec")
        with open(__file__, "rb") as handle:
            handle.read(1)
    kinds = {event for event, _ in events}
    assert {"exec", "compile", "open"} <= kinds
    with recording() as quiet:
        pass
    assert quiet == []


def test_sentinels_detect_execution() -> None:
    assert evidence("{{ 'AUT'+'ERITY' }}", '"AUTERITY"', "") == ["AUTERITY"]
    assert evidence("{{ 7*191 }}", "1337", "")
    assert evidence("{{7*7}}", '{"x": 49}', "")
    assert not evidence("{{7*7}}", '"2024-01-01T04:49:00"', "")
    assert not evidence("{{ 7*191 }}", '"{{ 7*191 }}"', "")
    assert evidence("{{ x }}", '"<jmespath.visitor._Expression object at 0x7f>"', "")


# --------------------------------------------------------------------------------------------
# The expression engine on its own


def _engine_attempts(payload: str) -> Iterator[tuple[str, Any]]:
    """Every public entry point that evaluates or checks user text."""
    scope = {"input": {"name": "Ada", "id": 7}, **RICH_SCOPE}
    yield "render", lambda: expr.render(payload, scope)
    yield "render_text", lambda: expr.render_text(payload, scope)
    yield "render_value", lambda: expr.render_value({"a": [payload, {"b": payload}]}, scope)
    yield "evaluate", lambda: expr.evaluate(payload, scope)
    yield "check_value", lambda: expr.check_value({"a": [payload]})
    yield "referenced_nodes", lambda: expr.referenced_nodes(payload)


def test_engine_entry_points_never_execute_payloads() -> None:
    problems: list[str] = []
    for payload in PAYLOADS:
        for name, call in _engine_attempts(payload):
            with recording() as events:
                try:
                    result = call()
                except ExpressionError as exc:
                    issue = message_problem(exc.message)
                    if issue:
                        problems.append(f"{name}({payload[:60]!r}) :: {issue}")
                    continue
                except Exception as exc:
                    problems.append(
                        f"{name}({payload[:60]!r}) :: raised {type(exc).__name__}: {str(exc)[:120]}"
                    )
                    continue
            if events:
                problems.append(f"{name}({payload[:60]!r}) :: audit events: {events[:3]}")
            found = evidence(payload, as_text(result), json.dumps(RICH_SCOPE))
            if found:
                problems.append(
                    f"{name}({payload[:60]!r}) :: shows execution {found}: {as_text(result)[:120]}"
                )
    assert not problems, _report(problems)


# --------------------------------------------------------------------------------------------
# Every node type, every evaluated field


def _string_leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, child in value.items():
            yield from _string_leaves(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _string_leaves(child, (*path, index))


def _replaced(config: dict[str, Any], path: tuple[Any, ...], new: Any) -> dict[str, Any]:
    result = copy.deepcopy(config)
    target: Any = result
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = new
    return result


def _where(path: tuple[Any, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _variants(node_type: AnyNodeType) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(field, mode, payload, config) for every payload in every place it can go."""
    example = node_type.example
    leaves: list[tuple[tuple[Any, ...], str]] = list(_string_leaves(example))
    for field in expression_fields(node_type.Config):
        if field not in example:
            leaves.append(((field,), ""))
    for path, original in leaves:
        for payload in PAYLOADS:
            modes = {"whole": payload, "embedded": f"before {payload} after"}
            if original:
                modes["appended"] = original + payload
            for mode, text in modes.items():
                yield _where(path), mode, payload, _replaced(example, path, text)


def _scopes(node_type: AnyNodeType) -> dict[str, dict[str, Any]]:
    event = getattr(node_type, "example_event", None)
    rich = dict(RICH_SCOPE)
    if event is not None:
        rich["trigger"] = event
    return {"plain": {"trigger": event}, "rich": rich}


def _benign(node_type: AnyNodeType) -> Iterator[dict[str, Any]]:
    """Configs that walk the same code paths (errors included) without any payload."""
    yield node_type.example
    for path, _ in _string_leaves(node_type.example):
        for text in ("plain", "{{ input }}", "{{ nope(", "{{ __x }}", "{{ `1` }} text", "{{ a", ""):
            yield _replaced(node_type.example, path, text)


async def _run(node_type: AnyNodeType, config: dict[str, Any], scope: dict[str, Any]) -> Any:
    async with asyncio.timeout(RUN_TIMEOUT):
        return await run_node(
            node_type.type, config, node_type.example_input, scope=scope, options=OPTIONS
        )


async def _warm_up(node_type: AnyNodeType) -> None:
    """Run benign variants once so lazy imports and caches do not look like payload effects."""
    for config in _benign(node_type):
        resolve_node(Node(id="n1", type=node_type.type, config=config), REGISTRY)
        for scope in _scopes(node_type).values():
            try:
                await _run(node_type, config, scope)
            except Exception:  # warming up only; the real runs judge
                continue


async def _attempt(
    node_type: AnyNodeType, config: dict[str, Any], scopes: dict[str, dict[str, Any]]
) -> list[tuple[str, str, Any]]:
    """Validate, resolve and run one variant: ``[(scope, outcome, value)]``."""
    try:
        _, diagnostics = resolve_node(Node(id="n1", type=node_type.type, config=config), REGISTRY)
    except Exception as exc:
        return [("validate", "crash", exc)]
    internal = [d for d in diagnostics if d.code == "internal.error"]
    if internal:
        return [("validate", "internal", internal[0].message)]
    for d in diagnostics:
        if message_problem(d.message):
            return [("validate", "diagnostic", d.message)]
    try:
        node_type.Config.model_validate(config)
    except ValidationError:
        return [("validate", "rejected", None)]
    outcomes: list[tuple[str, str, Any]] = []
    for scope_name, scope in scopes.items():
        try:
            out = await _run(node_type, config, scope)
        except (ExpressionError, NodeRunError) as exc:
            outcomes.append((scope_name, "error", exc))
        except Suspend as wait:  # a waiting node asks: what it asks is judged like an output
            outcomes.append((scope_name, "ok", wait.request.model_dump(mode="json")))
        except TimeoutError:
            outcomes.append((scope_name, "hang", None))
        except Exception as exc:
            outcomes.append((scope_name, "crash", exc))
        else:
            outcomes.append((scope_name, "ok", out))
    return outcomes


def _judge(
    node_type: AnyNodeType, payload: str, outcome: str, value: Any, known: str
) -> str | None:
    if outcome == "rejected":
        return None
    if outcome == "crash":
        return f"raised {type(value).__name__}: {str(value)[:150]}"
    if outcome == "internal":
        return f"validator internal.error: {value[:150]}"
    if outcome == "diagnostic":
        return f"unclear diagnostic: {value[:150]!r}"
    if outcome == "hang":
        return f"did not finish within {RUN_TIMEOUT:g}s"
    if outcome == "error":
        message = str(value)
        found = evidence(payload, message, known)
        if found:
            return f"error message shows execution or a leaked object {found}: {message[:150]!r}"
        issue = message_problem(message)
        return f"{issue}: {message[:150]!r}" if issue else None
    if node_type.type == "http.request":
        return "http.request completed a request although every host is blocked"
    try:
        json.dumps(value, allow_nan=True)
    except (TypeError, ValueError) as exc:
        return f"output is not JSON data ({str(exc)[:80]}): {as_text(value)[:120]}"
    found = evidence(payload, as_text(value), known)
    if found:
        return f"output shows execution or a leaked object {found}: {as_text(value)[:150]}"
    return None


def _kind(issue: str) -> str:
    """What two problems have in common when they differ only in payload, field or data."""
    issue = re.sub(r"0x[0-9a-f]+", "0x?", issue)
    for marker in ("leaked object", "is not JSON data", "error message is", "traceback"):
        if marker in issue:
            return (
                issue[: issue.index(marker) + len(marker)]
                + issue[issue.index(marker) :][len(marker) : len(marker) + 40].split(":")[0]
            )
    return re.sub(r"\d+", "#", issue)[:140]


def _report(problems: list[str], limit: int = 40) -> str:
    """Group problems by kind (see ``_kind``); one line and one example each."""
    groups: dict[str, list[str]] = {}
    for problem in problems:
        groups.setdefault(_kind(problem.partition(" :: ")[2]), []).append(problem)
    lines = [
        f"[{len(members)}x] {kind}\n      e.g. {members[0][:400]}"
        for kind, members in groups.items()
    ]
    more = f"\n... and {len(lines) - limit} more kinds" if len(lines) > limit else ""
    head = f"{len(problems)} problem(s) of {len(groups)} kind(s):\n"
    return head + "\n".join(lines[:limit]) + more


async def _fake_resolver(host: str, port: int) -> list[str]:
    """Every name "resolves" to loopback, which the empty allow-list refuses."""
    return ["127.0.0.1"]


@pytest.fixture
def offline_http(monkeypatch: pytest.MonkeyPatch) -> None:
    """No request may leave the machine.

    Names resolve to loopback (which the empty allow-list refuses), and as a last line of
    defence httpcore's socket backend refuses any address but 127.0.0.1.
    """
    transport = sys.modules.get("nodes.http.transport")
    if transport is not None and hasattr(transport, "resolve_host"):
        monkeypatch.setattr(transport, "resolve_host", _fake_resolver)
    try:
        import httpcore
    except ImportError:  # pragma: no cover - httpx depends on it
        return
    real_connect = httpcore.AnyIOBackend.connect_tcp

    async def loopback_only(self: Any, host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        if host != "127.0.0.1":
            raise httpcore.ConnectError(f"test refused a connection to {host}")
        return await real_connect(self, host, port, *args, **kwargs)

    monkeypatch.setattr(httpcore.AnyIOBackend, "connect_tcp", loopback_only)


@pytest.mark.parametrize("type_name", TYPE_NAMES)
async def test_payloads_in_every_evaluated_field(
    type_name: str, offline_http: None, echo_ai: MemoryLedger
) -> None:
    """LLM nodes answer from an in-process provider that echoes the rendered prompt back."""
    node_type = REGISTRY.get(type_name)
    assert node_type is not None
    scopes = _scopes(node_type)
    known = "\n".join(
        as_text(x) for x in (node_type.example, node_type.example_input, RICH_SCOPE, scopes)
    )
    await _warm_up(node_type)
    problems: list[str] = []
    tried = 0
    for field, mode, payload, config in _variants(node_type):
        tried += 1
        with recording() as events:
            outcomes = await _attempt(node_type, config, scopes)
        label = f"{type_name}.{field} [{mode}] {payload[:70]!r}"
        if events:
            problems.append(f"{label} :: audit events {events[:3]}")
        for scope_name, outcome, value in outcomes:
            issue = _judge(node_type, payload, outcome, value, known)
            if issue:
                problems.append(f"{label} ({scope_name}) :: {issue}")
    assert tried >= len(PAYLOADS) * 2, f"{type_name} has no field to put a payload in"
    assert not problems, _report(problems)


URL_SHAPES = ("https://crm.example/{}", "http://127.0.0.1:8080/{}", "http://{}/", "{}")
URL_ERRORS = ("invalid URL", "the URL ")


@pytest.mark.skipif(REGISTRY.get("http.request") is None, reason="no http.request node")
async def test_http_request_url_payloads_stop_at_the_ssrf_guard(offline_http: None) -> None:
    """A payload in the URL never opens a connection: the egress guard or URL parsing stops it.

    Names "resolve" to 127.0.0.1 (see ``offline_http``) and the allow-list is empty, so the
    only acceptable outcomes are ``EgressBlocked``, a URL error, or an expression error.
    """
    from nodes.http.ssrf import EgressBlocked

    node_type = REGISTRY.get("http.request")
    assert node_type is not None
    problems: list[str] = []
    payloads = [p for p in FILE_PAYLOADS if "multiply(" not in p]
    for payload in payloads:
        for shape in URL_SHAPES:
            config = {**node_type.example, "url": shape.format(payload), "retries": 0}
            with recording() as events, warnings.catch_warnings():
                # Legacy backtick literals warn; that is reported by the corpus test above.
                warnings.simplefilter("ignore", PendingDeprecationWarning)
                outcomes = await _attempt(node_type, config, {"plain": {}})
            label = f"{shape.format(payload)[:80]!r}"
            if events:
                problems.append(f"{label} :: audit events {events[:3]}")
            for _, outcome, value in outcomes:
                if outcome == "rejected" or isinstance(value, EgressBlocked | ExpressionError):
                    continue
                if outcome == "error" and str(value).startswith(URL_ERRORS):
                    continue
                problems.append(f"{label} :: {outcome}: {type(value).__name__}: {value!s:.150}")
    assert not problems, _report(problems)


# --------------------------------------------------------------------------------------------
# Focused checks for what the corpus found: expression results must be JSON values


@pytest.mark.parametrize(
    "source",
    [
        "{{ &input }}",
        "a {{ &input.name }} b",
        "{{ `NaN` }}",
        "{{ `Infinity` }}",
        "{{ `-Infinity` }}",
        "{{ `1e999` }}",
        "{{ add(`1e308`, `1e308`) }}",
        "{{ subtract(`-1e308`, `1e308`) }}",
        "x {{ `10` " + "| multiply(@, @) " * 13 + "}} y",
    ],
)
def test_expression_results_are_json(source: str) -> None:
    """An expression yields a JSON value or fails with ExpressionError, nothing in between.

    Outputs go into run traces, HTTP responses and other nodes' JSON bodies; a Python object
    (with its memory address), NaN/Infinity or an integer too long to print breaks all three.
    """
    scope = {"input": {"name": "Ada"}, "nodes": {}, "trigger": None, "run": {}}
    try:
        value = expr.render(source, scope)
    except ExpressionError:
        return
    json.dumps(value, allow_nan=False)
    assert "object at 0x" not in as_text(value)


# --------------------------------------------------------------------------------------------
# The whole pipeline: graph file -> validate -> compile -> executor, and the CLI

ECHO_GRAPH = Path(__file__).parents[1] / "fixtures" / "graphs" / "payload-echo.graph.json"
CLI_PAYLOADS = [
    "{{7*7}}",
    "{{ 'AUT'+'ERITY' }}",
    "{{ __import__('os').system('id') }}",
    "{{ $json.constructor.constructor('return 7*191')() }}",
    "${7*191} #{7*191} {0.__class__} %(x)s",
    "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "!!python/object/apply:os.system ['id']",
]
CONFIG_PAYLOADS = [
    *CLI_PAYLOADS,
    "{{ input.__class__ }}",
    "{{ &input }}",
    "{{ `NaN` }}",
    "{{ lipsum.__globals__.os.popen('id').read() }}",
    "{{ `\"__import__('os').system('id')\"` }}",
]


def _webhook_event(text: str) -> dict[str, Any]:
    return {"method": "POST", "path": "/", "headers": {}, "query": {}, "body": {"text": text}}


def _expected_echo(text: str) -> dict[str, Any]:
    return {
        "status": 200,
        "headers": {"content-type": "application/json"},
        "body": {"echo": f"You said: {text}", "raw": text, "upper": text.upper()},
    }


def test_echo_fixture_is_valid() -> None:
    graph = load_graph_file(ECHO_GRAPH)
    assert [d for d in validate(graph) if d.severity == "error"] == []


async def test_payloads_as_data_come_back_literally() -> None:
    """Data is never evaluated: a payload in the request body is echoed character for character.

    Refusing a body with a clear node error (say, text that is not valid Unicode) is fine too.
    """
    plan = build_plan(load_graph_file(ECHO_GRAPH))
    executor = Executor(plan)
    problems: list[str] = []
    for payload in PAYLOADS:
        with recording() as events:
            result = await executor.run(_webhook_event(payload), options=OPTIONS)
        if events:
            problems.append(f"{payload[:60]!r} :: audit events {events[:3]}")
        if result.status != "succeeded":
            error = result.error
            clear = (
                result.status == "failed"
                and error is not None
                and error.type in ("NodeRunError", "ExpressionError")
                and not message_problem(error.message)
            )
            if not clear:
                shown = f"{error.type}: {error.message[:200]}" if error else "no error"
                problems.append(f"{payload[:60]!r} :: run {result.status} with {shown}")
        elif result.output != _expected_echo(payload):
            problems.append(f"{payload[:60]!r} :: output differs: {as_text(result.output)[:200]}")
    assert not problems, _report(problems)


@pytest.mark.slow
@pytest.mark.parametrize("payload", CLI_PAYLOADS)
def test_cli_run_echoes_payload_literally(payload: str) -> None:
    done = run_cli("run", str(ECHO_GRAPH), "--input", json.dumps({"text": payload}), "--json")
    assert "Traceback" not in done.stderr
    assert done.returncode == 0, done.stderr[-500:]
    result = json.loads(done.stdout)
    assert result["status"] == "succeeded"
    assert result["output"] == _expected_echo(payload)


def _graph_with_config_payload(payload: str, tmp_path: Path) -> Path:
    doc = json.loads(ECHO_GRAPH.read_text(encoding="utf-8"))
    nodes = {node["id"]: node for node in doc["nodes"]}
    nodes["render"]["config"]["template"] = f"You said: {payload}"
    nodes["shape"]["config"]["fields"][1]["value"] = payload
    path = tmp_path / "config-payload.graph.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@pytest.mark.parametrize("payload", CONFIG_PAYLOADS)
async def test_payload_in_graph_config_fails_clearly_or_stays_literal(
    payload: str, tmp_path: Path
) -> None:
    path = _graph_with_config_payload(payload, tmp_path)
    graph = load_graph_file(path)
    ids = {node.id for node in graph.nodes}
    with recording() as events:
        diagnostics = validate(graph)
        errors = [d for d in diagnostics if d.severity == "error"]
        if errors:
            assert {d.code for d in errors} <= {"expression.syntax", "config.invalid"}, errors
            assert all(d.node in ids and not message_problem(d.message) for d in errors)
            with pytest.raises(CompileError):
                build_plan(graph)
            result = None
        else:
            result = await Executor(build_plan(graph)).run(_webhook_event("hi"), options=OPTIONS)
    assert events == []
    if result is None:
        return
    dumped = result.model_dump_json()
    if result.status == "failed":
        assert result.error is not None
        assert result.error.node in ids
        assert not message_problem(result.error.message), result.error.message
    else:
        assert result.status == "succeeded", result
        json.dumps(result.output, allow_nan=False)
        assert not evidence(payload, dumped, ECHO_GRAPH.read_text(encoding="utf-8"))


@pytest.mark.slow
@pytest.mark.parametrize("payload", CONFIG_PAYLOADS)
def test_cli_run_with_payload_in_config(payload: str, tmp_path: Path) -> None:
    path = _graph_with_config_payload(payload, tmp_path)
    done = run_cli("run", str(path), "--input", json.dumps({"text": "hi"}), "--json")
    assert done.returncode in (0, 1), (done.returncode, done.stderr[-500:])
    assert "Traceback" not in done.stderr + done.stdout
    if done.returncode == 1 and not done.stdout.strip():
        problem = one_line_error(done.stderr)
        assert problem is None, problem
        assert "graph is not valid" in done.stderr
        return
    result = json.loads(done.stdout)
    if done.returncode == 0:
        assert result["status"] == "succeeded"
        assert not evidence(payload, done.stdout, ECHO_GRAPH.read_text(encoding="utf-8"))
    else:
        assert result["status"] == "failed"
        assert not message_problem(result["error"]["message"])


# --------------------------------------------------------------------------------------------
# Static scan: no code-execution primitive in product code unless allow-listed and justified

SCANNED = ("runtime", "nodes", "compliance", "whitelabel", "builder")
DANGEROUS_BUILTINS = frozenset({"eval", "exec", "compile", "__import__", "breakpoint", "input"})
DANGEROUS_MODULES = frozenset(
    {"pickle", "_pickle", "cPickle", "marshal", "shelve", "dill", "cloudpickle", "jsonpickle",
     "jinja2", "mako", "chevron", "ctypes", "cffi", "code", "codeop", "runpy", "subprocess",
     "pty", "pexpect", "commands"}
)  # fmt: skip
OS_PROCESS = re.compile(r"^(system|popen|exec\w*|spawn\w*|posix_spawn\w*|fork\w*)$")
YAML_UNSAFE = frozenset({"load", "load_all", "unsafe_load", "unsafe_load_all", "full_load"})

ALLOWED: dict[tuple[str, str], str] = {
    ("nodes/registry.py", "dynamic import_module"): (
        "discover() imports the submodules of the installed `nodes` package that"
        " pkgutil.walk_packages lists: installed code, never a name from a graph or a request"
    ),
    ("runtime/local/aws.py", "import subprocess"): (
        "`make run` starts moto's server with a fixed argv (sys.executable and a port number);"
        " no shell, and nothing from a graph or a request reaches the command line"
    ),
    ("runtime/local/processes.py", "import subprocess"): (
        "the `make run` supervisor starts its own fixed commands in their own process groups;"
        " no shell, and nothing from a graph or a request reaches the command line"
    ),
    ("runtime/local/probes.py", "import subprocess"): (
        "split out of processes.py: the supervisor's readiness probes run its own fixed"
        " commands; no shell, nothing from a graph or a request"
    ),
}
"""(file, rule) -> why that use is safe. Keep this short; every entry needs a reason."""


def _is_constant_str(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return "?"


def _findings(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in DANGEROUS_MODULES:
                    yield node.lineno, f"import {alias.name}"
        elif isinstance(node, ast.ImportFrom) and node.module:
            root = node.module.split(".")[0]
            if root in DANGEROUS_MODULES:
                yield node.lineno, f"import from {node.module}"
            if root in ("os", "importlib") and any(
                a.name in ("system", "popen", "import_module", "__import__") for a in node.names
            ):
                yield node.lineno, f"import of {node.module}.{node.names[0].name}"
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in DANGEROUS_BUILTINS:
                yield node.lineno, f"builtin {func.id}()"
            if isinstance(func, ast.Attribute):
                owner = _dotted(func.value)
                if func.attr in ("format", "format_map", "vformat") and not _is_constant_str(
                    func.value
                ):
                    yield node.lineno, f"{owner}.{func.attr}() on a non-literal template"
                if func.attr == "import_module" and not (
                    node.args and _is_constant_str(node.args[0])
                ):
                    yield node.lineno, "dynamic import_module"
                if owner == "os" and OS_PROCESS.match(func.attr):
                    yield node.lineno, f"os.{func.attr}()"
                if owner == "yaml" and func.attr in YAML_UNSAFE:
                    yield node.lineno, f"yaml.{func.attr}()"
                if owner in ("string", "jinja2") and func.attr == "Template":
                    yield node.lineno, f"{owner}.Template()"
                if owner in ("builtins", "__builtins__") and func.attr in DANGEROUS_BUILTINS:
                    yield node.lineno, f"builtins.{func.attr}()"
            for keyword in node.keywords:
                if keyword.arg == "shell" and not (
                    isinstance(keyword.value, ast.Constant) and keyword.value.value is False
                ):
                    yield node.lineno, "shell=True"
        elif isinstance(node, ast.Attribute) and node.attr in ("__globals__", "__subclasses__"):
            yield node.lineno, f"attribute {node.attr}"


def test_no_code_execution_primitives_in_product_code() -> None:
    repo = Path(__file__).parents[2]
    problems: list[str] = []
    used: set[tuple[str, str]] = set()
    scanned = 0
    for top in SCANNED:
        for path in sorted((repo / top).rglob("*.py")) if (repo / top).is_dir() else []:
            relative = path.relative_to(repo).as_posix()
            source = path.read_text(encoding="utf-8")
            scanned += 1
            try:
                tree = ast.parse(source, filename=relative)
            except SyntaxError as exc:
                problems.append(f"{relative}:{exc.lineno}: cannot parse: {exc.msg}")
                continue
            lines = source.splitlines()
            for lineno, rule in _findings(tree):
                if (relative, rule) in ALLOWED:
                    used.add((relative, rule))
                    continue
                problems.append(f"{relative}:{lineno}: {rule}: {lines[lineno - 1].strip()[:120]}")
    assert scanned > 10, "the scan found almost no product code"
    assert not problems, "code-execution primitives in product code:\n" + "\n".join(problems)
    stale = set(ALLOWED) - used
    assert not stale, f"allow-list entries that no longer match anything: {sorted(stale)}"
