import pytest

from nodes.registry import default_registry
from runtime.core.errors import NodeRunError
from tests.nodes.helpers import run_node

HIGH_VALUE = {
    "condition": {
        "combinator": "and",
        "conditions": [{"left": "{{ input.amount }}", "op": "gte", "right": 1000}],
    }
}


async def test_fires_only_the_true_port_with_the_input() -> None:
    order = {"amount": 1500, "id": "o-1"}
    assert await run_node("logic.if", HIGH_VALUE, {"in": order}) == {"true": order}


async def test_fires_only_the_false_port_otherwise() -> None:
    order = {"amount": 10, "id": "o-2"}
    assert await run_node("logic.if", HIGH_VALUE, {"in": order}) == {"false": order}


async def test_a_text_amount_is_an_error_not_a_silent_false() -> None:
    with pytest.raises(NodeRunError, match="condition 1: cannot apply 'gte' to string and number"):
        await run_node("logic.if", HIGH_VALUE, {"in": {"amount": "1500"}})


async def test_conditions_can_read_upstream_nodes() -> None:
    config = {
        "condition": {
            "conditions": [{"left": "{{ nodes.lookup.found }}", "op": "is_true"}],
        }
    }
    out = await run_node(
        "logic.if", config, {"in": 1}, scope={"nodes": {"lookup": {"found": True}}}
    )
    assert out == {"true": 1}


def test_ports_and_check() -> None:
    node_type = default_registry().get("logic.if")
    assert node_type is not None
    config = node_type.Config.model_validate(HIGH_VALUE)
    assert [p.name for p in node_type.output_ports(config)] == ["true", "false", "error"]
    broken = node_type.Config.model_validate(
        {"condition": {"conditions": [{"left": "{{ input. }}", "op": "exists"}]}}
    )
    assert [p for p, _ in node_type.check(broken)] == ["condition.conditions[0].left"]
