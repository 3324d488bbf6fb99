"""The ASL target's output: snapshots of every example and template, and what maps to what.

If ``test_every_example_and_template_matches_its_snapshot`` fails after a deliberate change to
the compiler, regenerate the snapshots and commit them with the change:

    for f in examples/*.graph.json templates/*.graph.json; do
      .venv/bin/auterity compile "$f" --target asl \\
        -o "tests/runtime/engine/asl/snapshots/$(basename "$f" .graph.json).asl.json"
    done
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nodes.registry import Registry
from runtime.core.graph import Graph
from runtime.core.load import load_graph_file
from runtime.engine.asl.contract import NODE_FAILED, STEP_HANDLER, NodeAttemptFailed
from runtime.engine.asl.limits import STATE_NAME_MAX, TIMEOUT_GRACE_SECONDS
from runtime.engine.asl.machine import AslMachine, compile_asl, substitute
from runtime.engine.compile import build_plan
from tests.asl_harness import LocalStepFunctions
from tests.runtime.support import load_fixture, make_graph

ROOT = Path(__file__).resolve().parents[4]
GRAPHS = sorted((ROOT / "examples").glob("*.graph.json")) + sorted(
    (ROOT / "templates").glob("*.graph.json")
)
SNAPSHOTS = Path(__file__).parent / "snapshots"


def _compile(graph: Graph, registry: Registry | None = None, **kw: Any) -> AslMachine:
    return compile_asl(build_plan(graph, registry), registry, **kw)


def _all_states(definition: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every state of the machine, inside Parallel branches and Map processors too."""
    found: list[tuple[str, dict[str, Any]]] = []
    stack = [definition["States"]]
    while stack:
        for name, state in stack.pop().items():
            found.append((name, state))
            stack += [branch["States"] for branch in state.get("Branches", [])]
            if "ItemProcessor" in state:
                stack.append(state["ItemProcessor"]["States"])
    return found


@pytest.mark.parametrize("path", GRAPHS, ids=lambda p: p.stem)
def test_every_example_and_template_matches_its_snapshot(path: Path) -> None:
    machine = _compile(load_graph_file(path))
    snapshot = SNAPSHOTS / f"{path.name.removesuffix('.graph.json')}.asl.json"
    assert machine.to_json() == snapshot.read_text(encoding="utf-8"), (
        f"{snapshot.name} is stale: regenerate it (see this module's docstring)"
    )


@pytest.mark.parametrize("path", GRAPHS, ids=lambda p: p.stem)
def test_the_same_graph_gives_the_same_bytes(path: Path) -> None:
    first = _compile(load_graph_file(path)).to_json()
    assert _compile(load_graph_file(path)).to_json() == first
    standard = _compile(load_graph_file(path), workflow="standard").to_json()
    assert _compile(load_graph_file(path), workflow="standard").to_json() == standard


@pytest.mark.parametrize("path", GRAPHS, ids=lambda p: p.stem)
def test_state_names_are_unique_short_and_every_target_exists(path: Path) -> None:
    for workflow in ("express", "standard"):
        machine = _compile(load_graph_file(path), workflow=workflow)
        states = _all_states(machine.definition)
        names = [name for name, _ in states]
        assert len(names) == len(set(names)), "state names must be unique machine-wide"
        assert max(len(n) for n in names) <= STATE_NAME_MAX
        for _, state in states:
            targets = [state.get("Next"), state.get("Default")]
            targets += [r["Next"] for r in state.get("Choices", []) + state.get("Catch", [])]
            assert set(filter(None, targets)) <= set(names)


def test_moto_accepts_every_definition(cloud: LocalStepFunctions) -> None:
    """moto's parser (LocalStack's ASL grammar) refuses a definition it cannot run."""
    for path in GRAPHS:
        for workflow in ("express", "standard"):
            machine = _compile(load_graph_file(path), workflow=workflow)
            definition = substitute(machine.to_json(), {"StepHandler": "steps"})
            cloud.sfn.create_state_machine(
                name=f"{path.stem}-{workflow}",
                definition=definition,
                roleArn=cloud.role,
                type=machine.workflow.type,
            )


def test_an_id_with_a_hyphen_is_a_bracketed_path_and_never_inside_an_intrinsic() -> None:
    graph = make_graph(
        [{"id": "s", "type": "trigger.manual"}, {"id": "my-node", "type": "transform.pick",
          "config": {"query": "@"}}],
        [{"source": "s", "target": "my-node"}],
    )  # fmt: skip
    states = dict(_all_states(_compile(graph).definition))
    assert states["my-node: run"]["ResultPath"] == "$.state.nodes['my-node']"
    assert states["my-node: failed"]["Parameters"]["message.$"] == (
        "$.state.nodes['my-node'].error.message"
    )
    assert all("my-node" not in str(s.get("CausePath", "")) for s in states.values())


def test_the_step_handler_is_a_substitution() -> None:
    text = _compile(load_graph_file(GRAPHS[0])).to_json()
    assert STEP_HANDLER in text
    filled = substitute(text, {"StepHandler": 'arn:aws:lambda:us-east-1:1:function:x"y'})
    assert STEP_HANDLER not in filled
    assert 'function:x\\"y' in filled  # a value cannot break out of its JSON string


def test_a_node_is_a_gate_a_task_and_a_skip() -> None:
    states = dict(_all_states(_compile(load_fixture("linear.graph.json")).definition))
    gate = states["greet"]
    assert gate["Type"] == "Choice"
    assert gate["Choices"][0]["Variable"] == "$.state.nodes.start.out.out"
    assert gate["Choices"][0]["IsPresent"] is True
    assert (gate["Choices"][0]["Next"], gate["Default"]) == ("greet: run", "greet: skip")
    run = states["greet: run"]
    assert run["Resource"] == "arn:aws:states:::lambda:invoke"
    assert run["Parameters"]["FunctionName"] == STEP_HANDLER
    assert run["Parameters"]["Payload"]["node"] == "greet"
    assert run["ResultPath"] == "$.state.nodes.greet"
    assert states["greet: skip"]["Parameters"]["status"] == "skipped"
    assert states["start"]["Type"] == "Task"  # a trigger always runs


def test_if_branches_are_chosen_by_the_port_that_fired() -> None:
    states = dict(_all_states(_compile(load_fixture("if-branches.graph.json")).definition))
    gold, basic = states["gold"], states["basic"]
    assert gold["Choices"][0]["Variable"] == "$.state.nodes.check.out.true"
    assert basic["Choices"][0]["Variable"] == "$.state.nodes.check.out.false"
    join = states["join"]  # a merge runs when any of its (optional) inputs fired
    assert {c["Variable"] for c in join["Choices"][0]["Or"]} == {
        "$.state.nodes.gold.out.out",
        "$.state.nodes.basic.out.out",
    }


def test_independent_branches_are_a_parallel_state_merged_after() -> None:
    states = _compile(load_fixture("diamond.graph.json")).definition["States"]
    parallel = states["Parallel 1"]
    assert parallel["Type"] == "Parallel"
    assert [b["StartAt"] for b in parallel["Branches"]] == ["left", "right"]
    join = states[parallel["Next"]]
    assert "States.JsonMerge" in join["Parameters"]["nodes.$"]
    assert join["Next"] == "join"


def test_retry_and_timeout_are_the_tasks() -> None:
    graph = make_graph(
        [
            {"id": "start", "type": "trigger.manual"},
            {
                "id": "call",
                "type": "transform.pick",
                "config": {"query": "@"},
                "settings": {
                    "timeout_seconds": 2.5,
                    "retry": {"max_attempts": 4, "backoff_seconds": 0.5, "backoff_factor": 3},
                },
            },
        ],
        [{"source": "start", "target": "call"}],
    )
    run = dict(_all_states(_compile(graph).definition))["call: run"]
    assert run["TimeoutSeconds"] == 3 + TIMEOUT_GRACE_SECONDS
    assert run["Retry"] == [
        {
            "ErrorEquals": [NodeAttemptFailed.__name__],
            "IntervalSeconds": 1,
            "MaxAttempts": 3,
            "BackoffRate": 3.0,
            "MaxDelaySeconds": 30,
        }
    ]


def test_an_error_port_keeps_the_run_going_and_an_unwired_failure_stops_it() -> None:
    handled = dict(_all_states(_compile(load_fixture("error-port.graph.json")).definition))
    assert "strict: stop" not in handled
    assert "strict: failed" not in handled
    assert handled["recover"]["Choices"][0]["Variable"] == "$.state.nodes.strict.out.error"
    assert handled["strict: lost"]["Parameters"]["out"]["error"]["node"] == "strict"
    stopped = dict(_all_states(_compile(load_fixture("unwired-failure.graph.json")).definition))
    assert stopped["strict: failed"]["Next"] == "strict: stop"
    fail = stopped["strict: stop"]
    assert (fail["Type"], fail["Error"]) == ("Fail", NODE_FAILED)
    assert fail["CausePath"] == "States.JsonToString($.failure)"


def test_a_delay_is_a_wait_state() -> None:
    graph = make_graph(
        [
            {"id": "start", "type": "trigger.manual"},
            {"id": "pause", "type": "logic.delay", "config": {"seconds": 600}},
        ],
        [{"source": "start", "target": "pause"}],
    )
    machine = _compile(graph)
    states = dict(_all_states(machine.definition))
    assert states["pause: wait"] == {
        "Type": "Wait",
        "SecondsPath": "$.state.nodes.pause.wait",
        "Next": "Run: done",
    }
    assert machine.workflow.type == "STANDARD"


def test_a_foreach_is_a_map_and_a_distributed_map_above_its_threshold() -> None:
    graph = load_graph_file(ROOT / "examples" / "foreach-fanout.graph.json")
    express = dict(_all_states(_compile(graph).definition))
    assert express["each_line: each"]["ItemProcessor"]["ProcessorConfig"] == {"Mode": "INLINE"}
    assert "each_line: spread" not in express  # Express workflows have no Distributed Map
    machine = _compile(graph, workflow="standard")
    standard = dict(_all_states(machine.definition))
    spread = standard["each_line: spread"]
    assert spread["ItemProcessor"]["ProcessorConfig"] == {
        "Mode": "DISTRIBUTED",
        "ExecutionType": "STANDARD",
    }
    above = machine.distributed_above["each_line"]
    rule = standard["each_line: fan-out"]["Choices"][0]
    assert (rule["Variable"], rule["NumericGreaterThan"]) == ("$.state.nodes.each_line.size", above)
    assert 100 < above < 10_000
    lowered = _compile(graph, workflow="standard", distributed_above={"each_line": 7, "x": 1})
    assert lowered.distributed_above == {"each_line": 7}  # only for-eaches that have one


def test_a_responder_that_never_answers_fails_the_execution() -> None:
    states = _compile(load_graph_file(ROOT / "examples" / "http-echo.graph.json")).definition[
        "States"
    ]
    answered = states["Run: answered"]
    assert answered["Default"] == "Run: no response"
    assert states["Run: no response"]["Error"] == NODE_FAILED
