from __future__ import annotations

from collections.abc import Iterator

import pytest

from nodes.registry import Registry
from tests.runtime.support import Board, make_test_registry


@pytest.fixture(autouse=True)
def _fresh_board() -> Iterator[None]:
    Board.reset()
    yield
    Board.reset()


@pytest.fixture
def registry() -> Registry:
    return make_test_registry()
