"""At run time a model or log node never receives a Luhn-valid card number or a CVV field."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from runtime.core.graph import Edge, Graph, Node
from runtime.core.guard import card_number_in, sensitive_payload
from runtime.engine.compile import build_plan
from runtime.engine.executor import Executor
from tests.compliance.standins import install_in_default, remove_from_default


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("card 4111 1111 1111 1111 please", True),
        ("4111-1111-1111-1111", True),
        ("4111111111111112", False),  # fails Luhn
        ("order 1234567890123", False),
        ("0000000000000000", False),
        ("phone +1 555 0100", False),
    ],
)
def test_card_numbers_are_found_by_luhn(text: str, found: bool) -> None:
    assert card_number_in(text) is found


def test_security_codes_and_card_numbers_are_located_without_their_value() -> None:
    assert sensitive_payload({"card": {"CVV": "123"}}) == "a card security code in card.CVV"
    where = sensitive_payload({"notes": ["hi", "pay with 5500 0000 0000 0004"]})
    assert where == "a card number in notes[1]"
    assert sensitive_payload({"card": {"cvv": ""}, "n": 42}) is None


def _graph(*middle: Node) -> Graph:
    nodes = [Node(id="start", type="trigger.manual"), *middle]
    ids = [n.id for n in nodes]
    edges = [Edge(source=a, target=b) for a, b in itertools.pairwise(ids)]
    return Graph(nodes=nodes, edges=edges)


@pytest.fixture
def standins() -> Any:
    added = install_in_default()
    yield
    remove_from_default(added)


@pytest.mark.usefixtures("standins")
async def test_a_log_node_is_refused_a_card_number_and_the_message_hides_it() -> None:
    graph = _graph(Node(id="audit_log", type="test.log"))
    result = await Executor(build_plan(graph)).run({"pan": "4111 1111 1111 1111"})
    assert result.status == "failed"
    assert result.error is not None
    assert result.error.node == "audit_log"
    assert "card number" in result.error.message
    assert "4111" not in result.error.message


@pytest.mark.usefixtures("standins")
async def test_after_redaction_the_log_node_runs() -> None:
    graph = _graph(
        Node(id="mask", type="compliance.redact", config={"patterns": ["card"]}),
        Node(id="audit_log", type="test.log"),
    )
    result = await Executor(build_plan(graph)).run({"pan": "4111 1111 1111 1111"})
    assert result.status == "succeeded", result.error
    assert result.output == {"pan": "411111******1111"}
