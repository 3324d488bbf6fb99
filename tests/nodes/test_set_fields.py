import pytest

from runtime.core.errors import NodeRunError
from tests.nodes.helpers import run_node


async def test_sets_literal_and_expression_values_without_mutating_input() -> None:
    source = {"lead": {"name": "Ada"}}
    out = await run_node(
        "transform.set",
        {
            "fields": [
                {"path": "lead.score", "value": "{{ input.lead.name | length(@) }}"},
                {"path": "source", "value": "web"},
            ]
        },
        {"in": source},
    )
    assert out == {"out": {"lead": {"name": "Ada", "score": 3}, "source": "web"}}
    assert source == {"lead": {"name": "Ada"}}


async def test_refuses_to_write_through_a_scalar() -> None:
    with pytest.raises(NodeRunError, match="'a' is not an object"):
        await run_node("transform.set", {"fields": [{"path": "a.b", "value": 1}]}, {"in": {"a": 5}})


async def test_without_keep_input_starts_empty() -> None:
    out = await run_node(
        "transform.set",
        {"keep_input": False, "fields": [{"path": "x", "value": "{{ input.y }}"}]},
        {"in": {"y": [1]}},
    )
    assert out == {"out": {"x": [1]}}
