"""The logic nodes' and filter's own examples must validate, pass ``check`` and run."""

import pytest

from nodes.registry import default_registry
from tests.nodes.helpers import run_node

EXPECTED = {
    "logic.if": {"true": {"amount": 1200, "country": "DE"}},
    "logic.switch": {"urgent": {"priority": "high", "ticket": 42}},
    "logic.merge": {"out": [{"id": 1, "name": "Ada", "customer_id": 1, "plan": "pro"}]},
    "logic.delay": {"out": {"retry_after": 0.01}},
    "transform.filter": {
        "out": [{"email": "ada@example.com", "score": 80}],
        "rejected": [{"email": None, "score": 90}],
    },
}


@pytest.mark.parametrize("type_name", sorted(EXPECTED))
async def test_example_is_valid_and_runs(type_name: str) -> None:
    node_type = default_registry().get(type_name)
    assert node_type is not None
    config = node_type.Config.model_validate(node_type.example)
    assert node_type.check(config) == []
    out = await run_node(type_name, node_type.example, node_type.example_input)
    assert out == EXPECTED[type_name]
    ports = {p.name: p for p in node_type.output_ports(config)}
    for port, value in out.items():
        assert ports[port].type.matches(value)
