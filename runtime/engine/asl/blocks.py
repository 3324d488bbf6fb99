"""A scope's nodes as nested series and parallel blocks, which is how ASL can say them.

ASL has no "start when all inputs are done": a state has one successor, a Parallel state's
branches are separate machines that meet again after it. So a scope's DAG is split into
independent parts (a Parallel of their blocks) and, within one connected part, at the first
point everything before reaches everything after (a series of two blocks, with nothing lost
by waiting). A part with no such point (an "N" shape) is cut between topological levels: still
correct, since a node waits for a superset of its inputs, only less concurrent than in-process.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from runtime.engine.plan import Plan, ScopePlan


@dataclass(frozen=True, slots=True)
class Unit:
    node: str


@dataclass(frozen=True, slots=True)
class Series:
    parts: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class Parallel:
    branches: tuple[Block, ...]


Block = Unit | Series | Parallel


def members(block: Block) -> list[str]:
    """The block's nodes, in the order it runs them (branches one after another)."""
    if isinstance(block, Unit):
        return [block.node]
    inner = block.parts if isinstance(block, Series) else block.branches
    return [node for part in inner for node in members(part)]


def scope_blocks(plan: Plan, scope: ScopePlan) -> Block | None:
    """The scope as one block, or None when it has no nodes."""
    if not scope.order:
        return None
    nodes = set(scope.order)
    succs = {
        n: {t for ts in plan.steps[n].branches.values() for t in ts if t in nodes} for n in nodes
    }
    return _Splitter(scope.order, succs).block(scope.order)


class _Splitter:
    def __init__(self, order: list[str], succs: dict[str, set[str]]) -> None:
        self.succs = succs
        self.preds: dict[str, set[str]] = {n: set() for n in order}
        for n, targets in succs.items():
            for t in targets:
                self.preds[t].add(n)
        self.below: dict[str, frozenset[str]] = {}
        for n in reversed(order):
            reach: set[str] = set()
            for t in succs[n]:
                reach |= {t, *self.below[t]}
            self.below[n] = frozenset(reach)

    def block(self, nodes: list[str]) -> Block:
        """``nodes`` in topological order."""
        if len(nodes) == 1:
            return Unit(nodes[0])
        parts = self._components(nodes)
        if len(parts) > 1:
            return Parallel(tuple(self.block(part) for part in parts))
        cut = self._free_cut(nodes)
        if cut is None:
            nodes = self._sources_first(nodes)
            cut = len([n for n in nodes if not self.preds[n] & set(nodes)])
        head, tail = self.block(nodes[:cut]), self.block(nodes[cut:])
        return Series((*_flat(head), *_flat(tail)))

    def _components(self, nodes: list[str]) -> list[list[str]]:
        inside = set(nodes)
        seen: set[str] = set()
        parts: list[list[str]] = []
        for start in nodes:
            if start in seen:
                continue
            stack, found = [start], {start}
            while stack:
                n = stack.pop()
                for m in (self.succs[n] | self.preds[n]) & inside:
                    if m not in found:
                        found.add(m)
                        stack.append(m)
            seen |= found
            parts.append([n for n in nodes if n in found])
        return parts

    def _free_cut(self, nodes: list[str]) -> int | None:
        """The shortest prefix every node of which reaches every node after it."""
        for cut in range(1, len(nodes)):
            rest = frozenset(nodes[cut:])
            if all(rest <= self.below[n] for n in nodes[:cut]):
                return cut
        return None

    def _sources_first(self, nodes: list[str]) -> list[str]:
        """Still topological: the part's first level, then the rest (cut between the two)."""
        inside = set(nodes)
        first = [n for n in nodes if not self.preds[n] & inside]
        return first + [n for n in nodes if n not in first]


def _flat(block: Block) -> Iterable[Block]:
    return block.parts if isinstance(block, Series) else (block,)
