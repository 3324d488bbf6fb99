"""A scope as series and parallel blocks: nothing waits for what it does not need, where ASL
can say so, and every node still runs after all of its inputs."""

from __future__ import annotations

import random

import pytest

from runtime.engine.asl.blocks import Block, Parallel, Series, Unit, members, scope_blocks
from runtime.engine.compile import build_plan
from runtime.engine.plan import Plan, ScopePlan, Step
from tests.runtime.support import load_fixture

Edges = list[tuple[str, str]]


def _blocks(nodes: list[str], edges: Edges) -> Block | None:
    """``nodes`` in topological order; a plan with just the wiring the splitter reads."""
    steps = {
        n: Step(node=n, type="x", version=1, branches={"out": [b for a, b in edges if a == n]})
        for n in nodes
    }
    plan = Plan(
        graph_id="g", graph_name="g", graph_hash="h", trigger=nodes[0], steps=steps,
        root=ScopePlan(order=nodes),
    )  # fmt: skip
    return scope_blocks(plan, plan.root)


def test_a_chain_is_a_series() -> None:
    plan = build_plan(load_fixture("linear.graph.json"))
    assert scope_blocks(plan, plan.root) == Series((Unit("start"), Unit("greet"), Unit("shape")))


def test_a_diamond_runs_its_sides_in_parallel() -> None:
    plan = build_plan(load_fixture("diamond.graph.json"))
    assert scope_blocks(plan, plan.root) == Series(
        (Unit("start"), Parallel((Unit("left"), Unit("right"))), Unit("join"), Unit("count"))
    )


def test_independent_chains_do_not_wait_for_each_other() -> None:
    block = _blocks(["a", "c", "b", "d"], [("a", "b"), ("c", "d")])
    assert block == Parallel((Series((Unit("a"), Unit("b"))), Series((Unit("c"), Unit("d")))))


def test_an_n_shape_is_cut_between_levels() -> None:
    """a -> c, a -> d, b -> d: no point splits it freely; c then waits for b too (correct,
    only less concurrent than in-process)."""
    block = _blocks(["a", "b", "c", "d"], [("a", "c"), ("a", "d"), ("b", "d")])
    assert block == Series((Parallel((Unit("a"), Unit("b"))), Parallel((Unit("c"), Unit("d")))))


@pytest.mark.parametrize("seed", range(40))
def test_every_node_runs_once_and_after_its_inputs(seed: int) -> None:
    rng = random.Random(seed)
    nodes = [f"n{i}" for i in range(rng.randint(1, 9))]
    edges = [(a, b) for i, a in enumerate(nodes) for b in nodes[i + 1 :] if rng.random() < 0.3]
    block = _blocks(nodes, edges)
    assert block is not None
    assert sorted(members(block)) == sorted(nodes)
    _assert_inputs_first(block, edges, set())


def _assert_inputs_first(block: Block, edges: Edges, done: set[str]) -> set[str]:
    """What ``block`` finishes, given ``done`` before it; a node's inputs must be done."""
    if isinstance(block, Unit):
        missing = {a for a, b in edges if b == block.node} - done
        assert not missing, f"{block.node} may start before {missing}"
        return {block.node}
    if isinstance(block, Series):
        finished = set(done)
        for part in block.parts:
            finished |= _assert_inputs_first(part, edges, finished)
        return finished - done
    finished = set()
    for branch in block.branches:
        finished |= _assert_inputs_first(branch, edges, done)
    return finished


def test_an_empty_scope_has_no_block() -> None:
    plan = build_plan(load_fixture("linear.graph.json"))
    assert scope_blocks(plan, plan.root.model_copy(update={"order": []})) is None
