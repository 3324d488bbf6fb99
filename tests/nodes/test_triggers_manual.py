from tests.nodes.helpers import run_node


async def test_emits_the_event_when_given() -> None:
    out = await run_node("trigger.manual", {"sample": {"a": 1}}, scope={"trigger": {"b": 2}})
    assert out == {"out": {"b": 2}}


async def test_falls_back_to_the_sample() -> None:
    out = await run_node("trigger.manual", {"sample": {"a": 1}})
    assert out == {"out": {"a": 1}}


async def test_empty_event_is_still_an_event() -> None:
    out = await run_node("trigger.manual", {"sample": {"a": 1}}, scope={"trigger": {}})
    assert out == {"out": {}}


async def test_default_sample_is_empty_and_output_is_a_copy() -> None:
    out = await run_node("trigger.manual", {})
    assert out == {"out": {}}
    sample = {"nested": {"x": 1}}
    first = await run_node("trigger.manual", {"sample": sample})
    first["out"]["nested"]["x"] = 2
    assert sample == {"nested": {"x": 1}}
