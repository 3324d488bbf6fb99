import pytest

from runtime.core.errors import NodeRunError
from tests.nodes.helpers import run_node


async def test_renames_top_level_and_nested_fields_without_mutating_input() -> None:
    source = {"mail": "a@b.c", "lead": {"nm": "Ada", "score": 3}}
    out = await run_node(
        "transform.rename",
        {
            "fields": [
                {"from": "mail", "to": "contact.email"},
                {"from": "lead.nm", "to": "lead.name"},
            ]
        },
        {"in": source},
    )
    assert out == {"out": {"lead": {"score": 3, "name": "Ada"}, "contact": {"email": "a@b.c"}}}
    assert source == {"mail": "a@b.c", "lead": {"nm": "Ada", "score": 3}}


async def test_missing_source_is_skipped_by_default() -> None:
    out = await run_node(
        "transform.rename", {"fields": [{"from": "x", "to": "y"}]}, {"in": {"a": 1}}
    )
    assert out == {"out": {"a": 1}}


async def test_missing_source_can_be_an_error_naming_the_field() -> None:
    with pytest.raises(NodeRunError, match=r"fields\[1\]\.from: field 'b\.c' is not in the input"):
        await run_node(
            "transform.rename",
            {"fields": [{"from": "a", "to": "z"}, {"from": "b.c", "to": "y"}], "missing": "error"},
            {"in": {"a": 1, "b": {}}},
        )


async def test_null_values_are_moved_not_skipped() -> None:
    out = await run_node(
        "transform.rename",
        {"fields": [{"from": "a", "to": "b"}], "missing": "error"},
        {"in": {"a": None}},
    )
    assert out == {"out": {"b": None}}


async def test_target_is_overwritten_and_renames_apply_in_order() -> None:
    out = await run_node(
        "transform.rename",
        {"fields": [{"from": "a", "to": "b"}, {"from": "b", "to": "c"}]},
        {"in": {"a": 1, "b": 2}},
    )
    assert out == {"out": {"c": 1}}


async def test_same_source_and_target_is_a_no_op() -> None:
    out = await run_node(
        "transform.rename", {"fields": [{"from": "a", "to": "a"}]}, {"in": {"a": 1}}
    )
    assert out == {"out": {"a": 1}}


async def test_empty_list_passes_the_object_through() -> None:
    assert await run_node("transform.rename", {}, {"in": {"a": 1}}) == {"out": {"a": 1}}


async def test_non_object_input_is_an_error() -> None:
    with pytest.raises(NodeRunError, match="expected an object on 'in', got list"):
        await run_node("transform.rename", {"fields": []}, {"in": [1]})


async def test_cannot_move_into_a_scalar() -> None:
    with pytest.raises(NodeRunError, match="'b' is not an object"):
        await run_node(
            "transform.rename", {"fields": [{"from": "a", "to": "b.c"}]}, {"in": {"a": 1, "b": 2}}
        )
