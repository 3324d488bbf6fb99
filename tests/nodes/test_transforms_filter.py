import pytest

from runtime.core.errors import NodeRunError
from tests.nodes.helpers import run_node

LEADS = [
    {"email": "ada@example.com", "score": 80},
    {"email": None, "score": 95},
    {"email": "alan@example.com", "score": 20},
]
QUALIFIED = {
    "condition": {
        "conditions": [
            {"left": "{{ item.email }}", "op": "exists"},
            {"left": "{{ item.score }}", "op": "gt", "right": "{{ input.threshold }}"},
        ]
    },
    "items": "{{ input.leads }}",
}


async def test_splits_items_into_kept_and_rejected_in_order() -> None:
    out = await run_node("transform.filter", QUALIFIED, {"in": {"leads": LEADS, "threshold": 50}})
    assert out == {"out": [LEADS[0]], "rejected": [LEADS[1], LEADS[2]]}


async def test_index_is_in_scope_and_both_ports_fire_even_when_empty() -> None:
    config = {"condition": {"conditions": [{"left": "{{ index }}", "op": "lt", "right": 0}]}}
    out = await run_node("transform.filter", config, {"in": ["a", "b"]})
    assert out == {"out": [], "rejected": ["a", "b"]}


async def test_items_must_be_a_list() -> None:
    with pytest.raises(NodeRunError, match="'items' must evaluate to a list, got dict"):
        await run_node("transform.filter", QUALIFIED, {"in": {"leads": {"a": 1}}})


async def test_errors_name_the_item_and_the_condition() -> None:
    leads = [{"email": "a@x", "score": 80}, {"email": "b@x", "score": "high"}]
    with pytest.raises(NodeRunError, match="item 1: condition 2: cannot apply 'gt'"):
        await run_node("transform.filter", QUALIFIED, {"in": {"leads": leads, "threshold": 50}})
