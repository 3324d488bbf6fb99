from typing import Any

import pytest

from nodes.registry import default_registry
from runtime.core.errors import NodeRunError
from tests.nodes.helpers import run_node


async def test_append_lists_arrived_values_in_port_order() -> None:
    out = await run_node("logic.merge", {"inputs": 3}, {"in_3": "c", "in_1": "a"})
    assert out == {"out": ["a", "c"]}


async def test_merge_objects_is_shallow_and_later_ports_win() -> None:
    out = await run_node(
        "logic.merge",
        {"inputs": 3, "mode": "merge_objects"},
        {"in_1": {"a": 1, "n": {"x": 1}}, "in_2": None, "in_3": {"a": 2, "n": {"y": 2}}},
    )
    assert out == {"out": {"a": 2, "n": {"y": 2}}}


async def test_merge_objects_names_the_port_with_a_non_object() -> None:
    with pytest.raises(NodeRunError, match="'in_2' must be an object to merge, got array"):
        await run_node("logic.merge", {"mode": "merge_objects"}, {"in_1": {}, "in_2": [1]})


async def test_first_takes_the_first_non_null_branch() -> None:
    config = {"inputs": 3, "mode": "first"}
    assert await run_node("logic.merge", config, {"in_1": None, "in_3": 0}) == {"out": 0}
    assert await run_node("logic.merge", config, {"in_2": None}) == {"out": None}


CUSTOMERS = [{"id": 1, "name": "Ada"}, {"id": 2, "name": "Alan"}, {"id": None, "name": "?"}]
ORDERS = [
    {"customer": {"id": 1.0}, "total": 10},
    {"customer": {"id": 1}, "total": 5},
    {"customer": {"id": None}, "total": 99},
]


async def test_inner_join_on_nested_keys() -> None:
    config = {"mode": "join", "key": "id", "right_key": "customer.id"}
    out = await run_node("logic.merge", config, {"in_1": CUSTOMERS, "in_2": ORDERS})
    assert out == {
        "out": [
            {"id": 1, "name": "Ada", "customer": {"id": 1.0}, "total": 10},
            {"id": 1, "name": "Ada", "customer": {"id": 1}, "total": 5},
        ]
    }


async def test_left_join_keeps_unmatched_left_rows_and_nulls_never_match() -> None:
    config = {"mode": "join", "join_type": "left", "key": "id", "right_key": "customer.id"}
    out = await run_node("logic.merge", config, {"in_1": CUSTOMERS, "in_2": ORDERS})
    names = [(row["name"], row.get("total")) for row in out["out"]]
    assert names == [("Ada", 10), ("Ada", 5), ("Alan", None), ("?", None)]


async def test_join_with_a_skipped_branch() -> None:
    config: dict[str, Any] = {"mode": "join", "key": "id"}
    assert await run_node("logic.merge", config, {"in_1": CUSTOMERS}) == {"out": []}
    left = await run_node("logic.merge", {**config, "join_type": "left"}, {"in_1": CUSTOMERS})
    assert left == {"out": CUSTOMERS}


async def test_join_refuses_non_lists() -> None:
    with pytest.raises(NodeRunError, match="join needs objects on 'in_2'; item 0 is int"):
        await run_node("logic.merge", {"mode": "join", "key": "id"}, {"in_1": [], "in_2": [1]})
    with pytest.raises(NodeRunError, match="list of objects on 'in_1', got object"):
        await run_node("logic.merge", {"mode": "join", "key": "id"}, {"in_1": {"id": 1}})


def test_input_ports_come_from_config_and_are_optional() -> None:
    node_type = default_registry().get("logic.merge")
    assert node_type is not None
    ports = node_type.input_ports(node_type.Config.model_validate({"inputs": 4}))
    assert [p.name for p in ports] == ["in_1", "in_2", "in_3", "in_4"]
    assert not any(p.required for p in ports)
    join = node_type.Config.model_validate({"mode": "join", "inputs": 3})
    assert node_type.check(join) == [
        ("key", "join mode needs a key field path"),
        ("inputs", "join mode takes exactly two inputs"),
    ]
