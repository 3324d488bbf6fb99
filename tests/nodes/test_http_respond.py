import pytest
from pydantic import ValidationError

from nodes.registry import default_registry
from runtime.core.errors import NodeRunError
from tests.nodes.helpers import run_node


async def test_defaults_echo_the_input_as_json() -> None:
    out = await run_node("http.respond", {}, {"in": {"ok": True}})
    assert out == {
        "out": {
            "status": 200,
            "headers": {"content-type": "application/json"},
            "body": {"ok": True},
        }
    }


async def test_example_renders_status_headers_and_body() -> None:
    node_type = default_registry().get("http.respond")
    assert node_type is not None
    assert node_type.check(node_type.Config.model_validate(node_type.example)) == []
    out = await run_node("http.respond", node_type.example, node_type.example_input)
    assert out["out"] == {
        "status": 201,
        "headers": {"content-type": "application/json", "x-request-id": "r-1"},
        "body": {"ok": True, "lead": {"id": 7}},
    }


@pytest.mark.parametrize(("status", "expected"), [("404", 404), (204.0, 204), (599, 599)])
async def test_status_from_an_expression(status: object, expected: int) -> None:
    out = await run_node("http.respond", {"status": "{{ input.s }}"}, {"in": {"s": status}})
    assert out["out"]["status"] == expected


@pytest.mark.parametrize("status", [99, 600, "abc", True, None, 200.5])
async def test_bad_status_is_a_clear_error(status: object) -> None:
    with pytest.raises(NodeRunError, match="status must be a whole number from 100 to 599"):
        await run_node("http.respond", {"status": "{{ input.s }}"}, {"in": {"s": status}})


def test_literal_status_is_range_checked_in_config() -> None:
    node_type = default_registry().get("http.respond")
    assert node_type is not None
    with pytest.raises(ValidationError):
        node_type.Config.model_validate({"status": 700})


async def test_header_value_with_crlf_cannot_split_the_response() -> None:
    config = {"headers": {"Location": "{{ input.next }}"}}
    with pytest.raises(NodeRunError, match="header 'Location' contains a line break"):
        await run_node("http.respond", config, {"in": {"next": "/ok\r\nSet-Cookie: session=evil"}})


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Bad\r\nSet-Cookie": "a"},
        {"X Bad": "a"},
        {"": "a"},
        {"Content-Length": "0"},
        {"Content-Type": "text/html"},
        {"X-A": "1", "x-a": "2"},
    ],
)
def test_header_names_are_validated(headers: dict[str, str]) -> None:
    node_type = default_registry().get("http.respond")
    assert node_type is not None
    with pytest.raises(ValidationError):
        node_type.Config.model_validate({"headers": headers})


def test_content_type_cannot_carry_a_line_break() -> None:
    node_type = default_registry().get("http.respond")
    assert node_type is not None
    with pytest.raises(ValidationError):
        node_type.Config.model_validate({"content_type": "text/plain\r\nX-Evil: 1"})


async def test_text_content_types_need_a_text_body() -> None:
    config = {"content_type": "text/html; charset=utf-8", "body": "<p>{{ input.name }}</p>"}
    out = await run_node("http.respond", config, {"in": {"name": "Ada"}})
    assert out["out"]["body"] == "<p>Ada</p>"
    assert out["out"]["headers"] == {"content-type": "text/html; charset=utf-8"}
    with pytest.raises(NodeRunError, match="body must be text"):
        await run_node("http.respond", {"content_type": "text/plain"}, {"in": {"a": 1}})


async def test_content_type_is_rendered_from_the_run_data() -> None:
    """Issue 14: ``{{ input.body.ct }}`` went out literally as the Content-Type."""
    config = {"content_type": "{{ input.body.ct }}", "body": "{{ input.body.text }}"}
    out = await run_node("http.respond", config, {"in": {"body": {"ct": "text/csv", "text": "a"}}})
    assert out["out"]["headers"] == {"content-type": "text/csv"}
    assert out["out"]["body"] == "a"


@pytest.mark.parametrize("bad", ["text/plain\r\nSet-Cookie: a=b", "", None, 7])
async def test_a_rendered_content_type_must_be_one_header_value(bad: object) -> None:
    with pytest.raises(NodeRunError, match="content_type"):
        await run_node("http.respond", {"content_type": "{{ input.ct }}"}, {"in": {"ct": bad}})


@pytest.mark.parametrize(
    "name",
    ["Set-Cookie", "set-cookie", "SET-COOKIE", "Set-Cookie2", "Clear-Site-Data",
     "Strict-Transport-Security", "Access-Control-Allow-Credentials", "Service-Worker-Allowed",
     "X-Content-Type-Options"],
)  # fmt: skip
def test_headers_that_act_on_the_apis_origin_are_refused(name: str) -> None:
    """Deployed endpoints share the API's origin: a graph may not set its cookies, wipe its
    storage, pin its transport, open it to credentialed reads, or turn sniffing back on."""
    node_type = default_registry().get("http.respond")
    assert node_type is not None
    with pytest.raises(ValidationError, match=f"'{name}' cannot be set by a graph"):
        node_type.Config.model_validate({"headers": {name: "x"}})
