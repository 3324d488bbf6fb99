import pytest

from runtime.core.errors import NodeRunError
from tests.nodes.helpers import run_node


async def test_removes_top_level_and_nested_fields_without_mutating_input() -> None:
    source = {"name": "Ada", "password": "x", "card": {"pan": "4111", "brand": "visa"}}
    out = await run_node("transform.remove", {"fields": ["password", "card.pan"]}, {"in": source})
    assert out == {"out": {"name": "Ada", "card": {"brand": "visa"}}}
    assert source["card"] == {"pan": "4111", "brand": "visa"}
    assert "password" in source


async def test_absent_fields_are_ignored() -> None:
    out = await run_node("transform.remove", {"fields": ["x", "a.b.c"]}, {"in": {"a": 1}})
    assert out == {"out": {"a": 1}}


async def test_empty_list_passes_the_object_through() -> None:
    assert await run_node("transform.remove", {}, {"in": {"a": 1}}) == {"out": {"a": 1}}


async def test_non_object_input_is_an_error() -> None:
    with pytest.raises(NodeRunError, match="expected an object on 'in', got str"):
        await run_node("transform.remove", {"fields": ["a"]}, {"in": "text"})


async def test_config_rejects_a_path_that_is_not_a_field_path() -> None:
    with pytest.raises(ValueError, match="fields"):
        await run_node("transform.remove", {"fields": ["a[0]"]}, {"in": {}})
