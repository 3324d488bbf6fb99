"""Property tests over random graphs built from the registry's node types.

Two generators:

* ``chaotic_graphs``: anything the file format allows. Random subsets of node types (triggers,
  unknown types and wrong versions included), configs taken from each type's ``example``, ``{}``,
  junk dictionaries or a mutated example, random edges between random ports (most of which do
  not exist), random parents, duplicate node and edge ids.
* ``wired_graphs``: one trigger and a DAG wired through ports that exist and whose types fit,
  sometimes with a for-each body, then perhaps one mutation. Most of these are valid, so the
  compile and run properties get exercised.

Properties: ``validate`` never raises and never reports ``internal.error``; it is
deterministic; a graph survives a save/load round trip; every graph without error diagnostics
compiles, its plan orders every edge, and its bundle builds (identically twice, as a valid zip);
every compiled plan runs to ``succeeded``, to ``failed`` naming a node of the graph, or (a node
that waits) to ``waiting`` naming the nodes it waits on.
``logic.delay``, ``http.request`` and the ``flow.*`` nodes are left out of generated graphs that
run (sleeping, the network, waiting for an answer and calling other graphs through the service
are tested elsewhere: ``tests/nodes``, ``tests/service/durable``).
"""

from __future__ import annotations

import asyncio
import copy
import io
import json
import zipfile
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from nodes.base import NodeConfig
from nodes.registry import AnyNodeType, default_registry
from runtime.core.errors import CompileError
from runtime.core.graph import Graph
from runtime.core.load import load_graph
from runtime.core.options import RunOptions
from runtime.core.types import Port, PortType
from runtime.engine.bundle import build_bundle
from runtime.engine.compile import build_plan
from runtime.engine.executor import Executor
from runtime.engine.validate import validate

REGISTRY = default_registry()
ALL_TYPES: list[AnyNodeType] = REGISTRY.latest()
TYPE_NAMES = [t.type for t in ALL_TYPES]
NOT_RUN = frozenset(
    {"logic.delay", "http.request", "flow.approval", "flow.wait_for_callback", "flow.subgraph"}
)
RUNNABLE = [t for t in ALL_TYPES if t.type not in NOT_RUN]
TRIGGERS = [t for t in RUNNABLE if t.trigger]
STEPS = [t for t in RUNNABLE if not t.trigger]
BODY_STEPS = [t for t in STEPS if not t.container and not t.responds]
RESPONDERS = [t for t in STEPS if t.responds]

PORT_NAMES = sorted(
    {p.name for t in ALL_TYPES for p in (*t.inputs, *t.outputs, *t.body_inputs, *t.body_outputs)}
    | {"in", "out", "error", "item", "result", "in_1", "in_2", "in_3", "true", "false",
       "urgent", "fallback", "rejected", "nope", ""}
)  # fmt: skip
RUN_OPTIONS = RunOptions(run_timeout_seconds=5, max_delay_seconds=0.01, http_timeout_seconds=1)

# --------------------------------------------------------------------------------------------
# Value strategies

EXPRESSIONS = [
    "{{ input }}",
    "{{ input.lead.name }}",
    "{{ nodes.n1 }}",
    "{{ trigger.body }}",
    "{{ item }}",
    "{{ length(input) }}",
    "Hello {{ input.name }}!",
    "{{ nodes.ghost.x }}",
    "{{",
    "}}",
    "{{ }}",
    "{{ __class__ }}",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(max_size=12),
    st.sampled_from(EXPRESSIONS),
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)
junk_dicts = st.dictionaries(st.text(max_size=10), json_values, max_size=4)


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _leaves(v, (*path, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _leaves(v, (*path, i))]
    return [path] if path else []


@st.composite
def mutated_example(draw: st.DrawFn, node_type: AnyNodeType) -> dict[str, Any]:
    config = copy.deepcopy(node_type.example)
    leaves = _leaves(config)
    if not leaves:
        return config
    path = draw(st.sampled_from(leaves))
    target: Any = config
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = draw(json_values)
    return config


def configs(node_type: AnyNodeType | None) -> st.SearchStrategy[dict[str, Any]]:
    if node_type is None:
        return junk_dicts
    return st.one_of(
        st.just(copy.deepcopy(node_type.example)),
        st.just({}),
        junk_dicts,
        mutated_example(node_type),
    )


def _parsed(node_type: AnyNodeType, config: dict[str, Any]) -> NodeConfig | None:
    try:
        return node_type.Config.model_validate(config)
    except ValueError:
        return None


# --------------------------------------------------------------------------------------------
# Graph strategies


@st.composite
def chaotic_graphs(draw: st.DrawFn) -> Graph:
    count = draw(st.integers(0, 8))
    pool = [f"n{i}" for i in range(max(count, 1))]
    nodes = []
    for i in range(count):
        type_name = draw(st.sampled_from([*TYPE_NAMES, "no.such.type", "trigger.manua"]))
        node_type = REGISTRY.get(type_name)
        node: dict[str, Any] = {
            "id": draw(st.sampled_from(pool)) if draw(st.integers(0, 5)) == 0 else f"n{i}",
            "type": type_name,
            "version": draw(st.sampled_from([1, 1, 1, 2])),
            "config": draw(configs(node_type)),
        }
        if draw(st.integers(0, 3)) == 0:
            node["parent"] = draw(st.sampled_from([*pool, "ghost"]))
        if draw(st.integers(0, 5)) == 0:
            node["settings"] = {"disabled": draw(st.booleans())}
        nodes.append(node)
    endpoints = st.sampled_from([*pool, "ghost"])
    edges = draw(
        st.lists(
            st.fixed_dictionaries(
                {"source": endpoints, "target": endpoints},
                optional={
                    "source_port": st.sampled_from(PORT_NAMES),
                    "target_port": st.sampled_from(PORT_NAMES),
                    "id": st.sampled_from(["e1", "e2", "e3"]),
                },
            ),
            max_size=12,
        )
    )
    if edges and bool(draw(st.booleans())):
        edges.append(dict(draw(st.sampled_from(edges))))  # an exact duplicate
    return Graph.model_validate({"id": "chaos", "nodes": nodes, "edges": edges})


def _config_for(draw: st.DrawFn, node_type: AnyNodeType) -> tuple[dict[str, Any], NodeConfig]:
    """A config that parses, preferring the example (which shows the node working)."""
    candidates = [node_type.example, {}]
    if draw(st.integers(0, 3)) == 0:
        candidates.insert(0, draw(mutated_example(node_type)))
    for config in candidates:
        parsed = _parsed(node_type, config)
        if parsed is not None and not node_type.check(parsed):
            return copy.deepcopy(config), parsed
    raise AssertionError(f"{node_type.type}: neither the example nor {{}} is a valid config")


Available = list[tuple[str, str, PortType]]


def _wire(
    draw: st.DrawFn,
    node_id: str,
    ports: tuple[Port, ...],
    available: Available,
    edges: list[dict[str, str]],
) -> bool:
    """Connect the node's inputs from compatible outputs; False when a required one can't be."""
    planned = []
    for port in ports:
        if not port.required and draw(st.booleans()):
            continue
        fits = [(s, sp) for s, sp, t in available if port.type.accepts(t)]
        if not fits:
            if port.required:
                return False
            continue
        source, source_port = draw(st.sampled_from(fits))
        planned.append(
            {
                "source": source,
                "source_port": source_port,
                "target": node_id,
                "target_port": port.name,
            }
        )
    edges.extend(planned)
    return True


def _outputs(node_id: str, node_type: AnyNodeType, config: NodeConfig) -> Available:
    return [(node_id, p.name, p.type) for p in node_type.output_ports(config)]


@st.composite
def wired_graphs(draw: st.DrawFn) -> tuple[Graph, Any]:
    trigger = draw(st.sampled_from(TRIGGERS))
    trigger_config, parsed_trigger = _config_for(draw, trigger)
    nodes: list[dict[str, Any]] = [{"id": "t0", "type": trigger.type, "config": trigger_config}]
    edges: list[dict[str, str]] = []
    available = _outputs("t0", trigger, parsed_trigger)
    for i in range(1, draw(st.integers(1, 7)) + 1):
        node_type = draw(st.sampled_from(STEPS))
        config, parsed = _config_for(draw, node_type)
        node_id = f"n{i}"
        if not _wire(draw, node_id, node_type.input_ports(parsed), available, edges):
            continue
        nodes.append({"id": node_id, "type": node_type.type, "config": config})
        if node_type.container and draw(st.booleans()):
            _body(draw, node_id, node_type, nodes, edges)
        available += _outputs(node_id, node_type, parsed)
    if trigger.needs_response and RESPONDERS:
        responder = RESPONDERS[0]
        config, parsed = _config_for(draw, responder)
        _wire(draw, "reply", responder.input_ports(parsed), available, edges)
        nodes.append({"id": "reply", "type": responder.type, "config": config})
    doc: dict[str, Any] = {"id": "wired", "nodes": nodes, "edges": edges}
    _mutate(draw, doc)
    event_value = _event(draw, trigger)
    return Graph.model_validate(doc), event_value


def _body(
    draw: st.DrawFn,
    container: str,
    container_type: AnyNodeType,
    nodes: list[dict[str, Any]],
    edges: list[dict[str, str]],
) -> None:
    available: Available = [(container, p.name, p.type) for p in container_type.body_outputs]
    last: tuple[str, str] | None = None
    for j in range(draw(st.integers(1, 3))):
        node_type = draw(st.sampled_from(BODY_STEPS))
        config, parsed = _config_for(draw, node_type)
        node_id = f"{container}_b{j}"
        if not _wire(draw, node_id, node_type.input_ports(parsed), available, edges):
            continue
        nodes.append({"id": node_id, "type": node_type.type, "config": config, "parent": container})
        outputs = _outputs(node_id, node_type, parsed)
        available += outputs
        last = (node_id, outputs[0][1])
    for port in container_type.body_inputs:
        if last is not None:
            edges.append(
                {
                    "source": last[0],
                    "source_port": last[1],
                    "target": container,
                    "target_port": port.name,
                }
            )


def _mutate(draw: st.DrawFn, doc: dict[str, Any]) -> None:
    """At most one change that may or may not break the graph."""
    nodes, edges = doc["nodes"], doc["edges"]
    choice = draw(st.sampled_from(["none", "none", "none", "drop_edge", "dup_edge", "disable",
                                   "retry", "timeout", "dup_node", "reverse_edge"]))  # fmt: skip
    if choice == "drop_edge" and edges:
        edges.pop(draw(st.integers(0, len(edges) - 1)))
    elif choice == "dup_edge" and edges:
        edges.append(dict(draw(st.sampled_from(edges))))
    elif choice == "reverse_edge" and edges:
        e = edges[draw(st.integers(0, len(edges) - 1))]
        e["source"], e["target"] = e["target"], e["source"]
    elif choice == "dup_node" and len(nodes) > 1:
        nodes.append(copy.deepcopy(draw(st.sampled_from(nodes[1:]))))
    elif choice in ("disable", "retry", "timeout") and len(nodes) > 1:
        node = draw(st.sampled_from(nodes[1:]))
        node["settings"] = {
            "disable": {"disabled": True},
            "retry": {"retry": {"max_attempts": 2, "backoff_seconds": 0}},
            "timeout": {"timeout_seconds": 2},
        }[choice]


def _event(draw: st.DrawFn, trigger: AnyNodeType) -> Any:
    if trigger.needs_response:
        body = draw(st.one_of(st.just({"lead": {"email": "a@b.co", "score": 3}}), junk_dicts))
        return {"method": "POST", "path": "/", "headers": {}, "query": {}, "body": body}
    return draw(st.one_of(st.none(), st.just(getattr(trigger, "example_event", None)), json_values))


# --------------------------------------------------------------------------------------------
# Properties

PROPERTY_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _errors(graph: Graph) -> list[Any]:
    diagnostics = validate(graph)
    internal = [d for d in diagnostics if d.code == "internal.error"]
    assert not internal, internal
    return [d for d in diagnostics if d.severity == "error"]


@PROPERTY_SETTINGS
@given(chaotic_graphs())
def test_validate_never_raises_on_chaotic_graphs(graph: Graph) -> None:
    first = validate(graph)
    assert not [d for d in first if d.code == "internal.error"], first
    assert validate(graph) == first, "validation is not deterministic"
    for d in first:
        assert d.severity in ("error", "warning", "info")
        assert d.message
    event("valid" if not [d for d in first if d.severity == "error"] else "invalid")


@PROPERTY_SETTINGS
@given(chaotic_graphs())
def test_graph_round_trips_through_json(graph: Graph) -> None:
    again = load_graph(graph.to_json())
    assert again == graph
    assert validate(again) == validate(graph)


def _check_compiles(graph: Graph) -> Any:
    errors = _errors(graph)
    if errors:
        with pytest.raises(CompileError):
            build_plan(graph)
        return None
    plan = build_plan(graph)
    ids = {n.id for n in graph.nodes}
    assert set(plan.steps) == ids
    for node in graph.nodes:
        step = plan.steps[node.id]
        node_type = REGISTRY.get(step.type, step.version)
        assert node_type is not None
        written = node_type.Config.model_validate(node.config)
        try:
            planned = node_type.Config.model_validate(step.config)
        except ValueError as exc:
            raise AssertionError(
                f"{node.id} ({step.type}): the plan's config does not parse again: {step.config}"
            ) from exc
        assert planned == written, f"{node.id} ({step.type}): the plan changed the config"
    assert plan.trigger in ids
    position = {n: i for i, n in enumerate(plan.root.order)}
    for scope in plan.bodies.values():
        position.update({n: i for i, n in enumerate(scope.order)})
    for edge in graph.edges:
        same_scope = plan.steps[edge.source].scope == plan.steps[edge.target].scope
        if same_scope and edge.source in position and edge.target in position:
            assert position[edge.source] < position[edge.target], f"{edge.key} runs backwards"
    bundle = build_bundle(plan, graph)
    assert bundle == build_bundle(plan, graph), "bundle bytes are not deterministic"
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        assert archive.testzip() is None
        assert json.loads(archive.read("auterity/plan.json"))["trigger"] == plan.trigger
        compile(archive.read("auterity_entry.py"), "auterity_entry.py", "exec")
    return plan


@PROPERTY_SETTINGS
@given(chaotic_graphs())
def test_chaotic_graphs_without_errors_compile(graph: Graph) -> None:
    _check_compiles(graph)


def _check_runs(graph: Graph, plan: Any, trigger_event: Any) -> str:
    result = asyncio.run(Executor(plan).run(trigger_event, options=RUN_OPTIONS))
    ids = {n.id for n in graph.nodes}
    assert result.status in ("succeeded", "failed", "waiting"), (result.status, result.error)
    if result.status == "waiting":  # a flow.* example asks a person or a system: it names itself
        assert result.error is None
        assert result.waits
        assert {w.node for w in result.waits} <= ids
    elif result.status == "failed":
        assert result.error is not None
        assert result.error.node in ids, result.error
        assert result.error.message
    else:
        assert result.error is None
    assert {t.node for t in result.trace} <= ids
    return result.status


@pytest.mark.slow
@settings(PROPERTY_SETTINGS, max_examples=120)
@given(wired_graphs())
def test_wired_graphs_compile_and_run(graph_and_event: tuple[Graph, Any]) -> None:
    graph, trigger_event = graph_and_event
    plan = _check_compiles(graph)
    event("valid" if plan is not None else "invalid")
    if plan is not None:
        event(f"run {_check_runs(graph, plan, trigger_event)}")


@pytest.mark.slow
@settings(PROPERTY_SETTINGS, max_examples=60)
@given(chaotic_graphs(), json_values)
def test_chaotic_graphs_that_compile_also_run(graph: Graph, trigger_event: Any) -> None:
    if any(REGISTRY.get(n.type) is None or n.type in NOT_RUN for n in graph.nodes):
        return
    plan = _check_compiles(graph)
    if plan is not None:
        event(f"run {_check_runs(graph, plan, trigger_event)}")


def _example_graph(node_type: AnyNodeType) -> tuple[Graph, Any]:
    """The smallest graph that runs one node type with its own example config and input."""
    if node_type.trigger:
        nodes: list[dict[str, Any]] = [
            {"id": "start", "type": node_type.type, "config": node_type.example}
        ]
        edges: list[dict[str, str]] = []
        last = "start"
        trigger_event = getattr(node_type, "example_event", None)
    else:
        inputs = node_type.example_input
        sample = inputs.get("in", next(iter(inputs.values()), None))
        nodes = [
            {"id": "start", "type": "trigger.manual"},
            {"id": "node", "type": node_type.type, "config": node_type.example},
        ]
        parsed = node_type.Config.model_validate(node_type.example)
        edges = [
            {"source": "start", "target": "node", "target_port": port.name}
            for port in node_type.input_ports(parsed)
            if port.name in inputs or port.required
        ]
        last = "node"
        trigger_event = sample
    if node_type.needs_response and RESPONDERS:
        nodes.append({"id": "reply", "type": RESPONDERS[0].type})
        edges.append({"source": last, "target": "reply"})
    if node_type.container:
        nodes.append({"id": "inner", "type": "transform.pick", "parent": "node",
                      "config": {"query": "@"}})  # fmt: skip
        edges += [
            {"source": "node", "source_port": "item", "target": "inner"},
            {"source": "inner", "target": "node", "target_port": "result"},
        ]
    return Graph.model_validate({"id": "example", "nodes": nodes, "edges": edges}), trigger_event


@pytest.mark.parametrize("type_name", TYPE_NAMES)
def test_every_node_example_compiles_and_runs(type_name: str) -> None:
    """Each type's example, alone after a trigger: valid, compiles, and its plan runs."""
    node_type = REGISTRY.get(type_name)
    assert node_type is not None
    graph, trigger_event = _example_graph(node_type)
    assert _errors(graph) == []
    plan = _check_compiles(graph)
    assert plan is not None
    _check_runs(graph, plan, trigger_event)
