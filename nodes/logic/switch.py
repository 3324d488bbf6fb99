"""N-way branch whose output ports are the cases the author defined.

Cases are data with a port-safe ``key`` so the graph can wire ``switch.<key>`` edges and the
validator can check them against ``output_ports(config)`` before anything runs.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from nodes.base import Expr, ExprValue, NodeConfig, NodeContext, NodeType, Outputs
from nodes.conditions import ConditionGroup, check_group, evaluate, json_equal
from runtime.core import expr
from runtime.core.types import ERROR_PORT, ERROR_PORT_SPEC, Port

FALLBACK_PORT = "fallback"
RESERVED_KEYS = frozenset({ERROR_PORT, FALLBACK_PORT})
"""Port names the node itself uses; a case may not take them (even with fallback off, so
turning fallback on later cannot silently collide)."""


class Case(NodeConfig):
    key: str = Field(
        pattern=r"^[a-z][a-z0-9_]{0,63}$",
        description="Output port name: lower-case letters, digits and `_`.",
    )
    label: str = Field(default="", max_length=100)
    condition: ConditionGroup | None = Field(default=None, description="Used in `rules` mode.")
    value: ExprValue = Field(default=None, description="Used in `value` mode.")


class SwitchConfig(NodeConfig):
    mode: Literal["rules", "value"] = Field(
        default="rules",
        description="`rules`: each case has conditions. `value`: compare `value` to each case.",
    )
    value: Expr = Field(default="{{ input }}", description="What `value` mode compares.")
    cases: list[Case] = Field(min_length=1, max_length=32)
    fallback: bool = Field(default=False, description="Add a `fallback` port for no match.")
    all_matches: bool = Field(
        default=False, description="Fire every matching case instead of only the first."
    )


class Switch(NodeType[SwitchConfig]):
    type = "logic.switch"
    title = "Switch"
    category = "logic"
    description = "Route the input to the case that matches, by rules or by comparing a value."
    icon = "split"
    inline = True
    Config = SwitchConfig
    dynamic_ports = True
    inputs = (Port(name="in"),)
    outputs = ()
    example = {
        "mode": "value",
        "value": "{{ input.priority }}",
        "cases": [
            {"key": "urgent", "label": "Urgent", "value": "high"},
            {"key": "normal", "label": "Normal", "value": "normal"},
        ],
        "fallback": True,
    }
    example_input = {"in": {"priority": "high", "ticket": 42}}

    @classmethod
    def output_ports(cls, config: SwitchConfig) -> tuple[Port, ...]:
        ports: list[Port] = []
        seen: set[str] = set()
        for case in config.cases:
            if case.key in seen or case.key in RESERVED_KEYS:
                continue  # check() reports it; ports must stay unique either way
            seen.add(case.key)
            ports.append(Port(name=case.key, label=case.label))
        if config.fallback:
            ports.append(Port(name=FALLBACK_PORT, label="Fallback"))
        return (*ports, ERROR_PORT_SPEC)

    @classmethod
    def check(cls, config: SwitchConfig) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        seen: set[str] = set()
        for i, case in enumerate(config.cases):
            path = f"cases[{i}]"
            if case.key in RESERVED_KEYS:
                problems.append((f"{path}.key", f"'{case.key}' is reserved; choose another key"))
            elif case.key in seen:
                problems.append((f"{path}.key", f"duplicate case key '{case.key}'"))
            seen.add(case.key)
            if config.mode == "rules":
                if case.condition is None:
                    problems.append((f"{path}.condition", "rules mode needs a condition"))
                else:
                    problems += check_group(case.condition, f"{path}.condition")
            else:
                if case.value is None:
                    problems.append((f"{path}.value", "value mode needs a value to compare"))
                problems += [
                    (f"{path}.value{'.' if sub and sub[0] != '[' else ''}{sub}", message)
                    for sub, message in expr.check_value(case.value)
                ]
        return problems

    async def run(self, config: SwitchConfig, inputs: dict[str, Any], ctx: NodeContext) -> Outputs:
        item = inputs.get("in")
        subject = ctx.render(config.value) if config.mode == "value" else None
        fired: Outputs = {}
        for case in config.cases:
            if case.key in RESERVED_KEYS or case.key in fired:
                continue
            if self._matches(config, case, subject, ctx):
                fired[case.key] = item
                if not config.all_matches:
                    break
        if not fired and config.fallback:
            fired[FALLBACK_PORT] = item
        return fired

    @staticmethod
    def _matches(config: SwitchConfig, case: Case, subject: Any, ctx: NodeContext) -> bool:
        if config.mode == "value":
            return case.value is not None and json_equal(subject, ctx.render(case.value))
        return case.condition is not None and evaluate(case.condition, ctx.scope)
