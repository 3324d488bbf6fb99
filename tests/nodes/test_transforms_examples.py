"""Each of these node types' own example must validate, pass ``check`` and run."""

import pytest

from nodes.registry import default_registry
from tests.nodes.helpers import run_node

TYPES = [
    "trigger.webhook",
    "trigger.manual",
    "trigger.schedule",
    "transform.rename",
    "transform.remove",
    "transform.pick",
    "transform.template",
    "transform.map",
    "transform.json_parse",
    "transform.json_format",
    "transform.datetime",
]

EXPECTED = {
    "transform.rename": {"name": "Ada", "contact": {"email": "ada@example.com"}},
    "transform.remove": {"name": "Ada", "contact": {"city": "London"}},
    "transform.pick": [{"name": "Ada", "email": "ada@example.com"}],
    "transform.template": {"name": "Ada", "score": 90, "message": "Hi Ada, your score is 90."},
    "transform.map": [
        {"label": "0: Ada", "email": "ada@x.org"},
        {"label": "1: Bob", "email": "b@x.org"},
    ],
    "transform.json_parse": {"lead": {"name": "Ada", "tags": ["vip"]}},
    "transform.json_format": '{\n  "name": "Ada",\n  "tags": [\n    "vip"\n  ]\n}',
    "transform.datetime": "Sunday 31 March 2024, 09:30",
}


@pytest.mark.parametrize("type_name", TYPES)
async def test_example_is_valid_and_runs(type_name: str) -> None:
    node_type = default_registry().get(type_name)
    assert node_type is not None
    assert node_type.example, "every node shows itself off with an example"
    config = node_type.Config.model_validate(node_type.example)
    assert node_type.check(config) == []
    out = await run_node(type_name, node_type.example, node_type.example_input)
    assert set(out) == {"out"}
    assert node_type.outputs[0].type.matches(out["out"])
    if type_name in EXPECTED:
        assert out["out"] == EXPECTED[type_name]
    assert node_type.Config.model_json_schema()["type"] == "object"
