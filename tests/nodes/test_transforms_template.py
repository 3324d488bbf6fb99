import pytest

from runtime.core.errors import NodeRunError
from tests.nodes.helpers import run_node


async def test_renders_text_with_values_as_text() -> None:
    out = await run_node(
        "transform.template",
        {"template": "Hi {{ input.name }}: {{ input.score }} {{ input.tags }} {{ input.vip }}"},
        {"in": {"name": "Ada", "score": 9, "tags": ["a"], "vip": True}},
    )
    assert out == {"out": 'Hi Ada: 9 ["a"] true'}


async def test_a_lone_expression_still_yields_text() -> None:
    out = await run_node("transform.template", {"template": "{{ input.n }}"}, {"in": {"n": 5}})
    assert out == {"out": "5"}


async def test_missing_values_render_empty() -> None:
    out = await run_node("transform.template", {"template": "[{{ input.x }}]"}, {"in": {}})
    assert out == {"out": "[]"}


async def test_output_field_writes_into_the_input() -> None:
    source = {"name": "Ada"}
    out = await run_node(
        "transform.template",
        {"template": "Hello {{ input.name }}", "output_field": "mail.body"},
        {"in": source},
    )
    assert out == {"out": {"name": "Ada", "mail": {"body": "Hello Ada"}}}
    assert source == {"name": "Ada"}


async def test_output_field_needs_an_object() -> None:
    with pytest.raises(NodeRunError, match="output_field needs an object on 'in', got str"):
        await run_node("transform.template", {"template": "x", "output_field": "y"}, {"in": "s"})


async def test_user_text_is_not_a_python_format_string() -> None:
    out = await run_node(
        "transform.template", {"template": "{0.__class__} ${7*7} {name}"}, {"in": {"name": "x"}}
    )
    assert out == {"out": "{0.__class__} ${7*7} {name}"}
