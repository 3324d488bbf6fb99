import pytest

from runtime.core.errors import ExpressionError
from tests.nodes.helpers import run_node

LEADS = {
    "leads": [
        {"name": "Ada", "email": "ADA@example.com", "score": 90},
        {"name": "Bob", "email": "bob@example.com", "score": 10},
    ]
}


async def test_query_root_is_the_incoming_value() -> None:
    out = await run_node("transform.pick", {"query": "leads[0].score"}, {"in": LEADS})
    assert out == {"out": 90}


async def test_filter_and_projection() -> None:
    out = await run_node(
        "transform.pick",
        {"query": "leads[?score > `50`].{name: name, email: lower(email)}"},
        {"in": LEADS},
    )
    assert out == {"out": [{"name": "Ada", "email": "ada@example.com"}]}


async def test_list_input_works_at_the_root() -> None:
    out = await run_node("transform.pick", {"query": "[].name"}, {"in": LEADS["leads"]})
    assert out == {"out": ["Ada", "Bob"]}


async def test_no_match_gives_null_and_empty_list_gives_empty_list() -> None:
    assert await run_node("transform.pick", {"query": "missing.field"}, {"in": LEADS}) == {
        "out": None
    }
    assert await run_node("transform.pick", {"query": "[].name"}, {"in": []}) == {"out": []}


async def test_scope_names_are_not_roots_here() -> None:
    out = await run_node("transform.pick", {"query": "input"}, {"in": {"a": 1}})
    assert out == {"out": None}


async def test_invalid_query_is_an_expression_error() -> None:
    with pytest.raises(ExpressionError, match="invalid expression"):
        await run_node("transform.pick", {"query": "leads[?"}, {"in": LEADS})
    with pytest.raises(ExpressionError, match="__"):
        await run_node("transform.pick", {"query": "__class__"}, {"in": LEADS})
