import pytest

from runtime.core.errors import NodeRunError
from tests.nodes.helpers import run_node


async def test_maps_each_item_with_item_and_index() -> None:
    out = await run_node(
        "transform.map",
        {
            "items": "{{ input.leads }}",
            "value": {"n": "{{ index }}", "label": "{{ index }}: {{ upper(item.name) }}"},
        },
        {"in": {"leads": [{"name": "ada"}, {"name": "bob"}]}},
    )
    assert out == {"out": [{"n": 0, "label": "0: ADA"}, {"n": 1, "label": "1: BOB"}]}


async def test_defaults_map_the_input_list_to_itself() -> None:
    assert await run_node("transform.map", {}, {"in": [1, 2]}) == {"out": [1, 2]}


async def test_value_can_see_the_rest_of_the_scope() -> None:
    out = await run_node(
        "transform.map",
        {"items": "{{ input.xs }}", "value": "{{ input.prefix }}{{ item }}"},
        {"in": {"xs": ["a", "b"], "prefix": "p-"}},
    )
    assert out == {"out": ["p-a", "p-b"]}


async def test_empty_list_gives_empty_list() -> None:
    assert await run_node("transform.map", {"value": "{{ item.x }}"}, {"in": []}) == {"out": []}


@pytest.mark.parametrize(("value", "kind"), [({"a": 1}, "dict"), (None, "null"), ("text", "str")])
async def test_items_must_be_a_list(value: object, kind: str) -> None:
    with pytest.raises(NodeRunError, match=f"items must evaluate to a list, got {kind}"):
        await run_node("transform.map", {}, {"in": value})


async def test_max_items_guard() -> None:
    with pytest.raises(NodeRunError, match=r"items has 3 entries, more than max_items \(2\)"):
        await run_node("transform.map", {"max_items": 2}, {"in": [1, 2, 3]})
    with pytest.raises(ValueError, match="max_items"):
        await run_node("transform.map", {"max_items": 10_000_000}, {"in": []})
