"""Reading graph files: every failure is one ``GraphLoadError`` line naming the file and place."""

from __future__ import annotations

from pathlib import Path

import pytest

from runtime.core.errors import GraphLoadError
from runtime.core.load import load_graph, load_graph_file, parse_json
from tests.runtime.support import UNLOADABLE_FIXTURES, fixture_path


def _error(path: Path) -> GraphLoadError:
    with pytest.raises(GraphLoadError) as info:
        load_graph_file(path)
    return info.value


def test_loads_a_fixture_file() -> None:
    graph = load_graph_file(fixture_path("linear.graph.json"))
    assert graph.id == "linear"
    assert [n.id for n in graph.nodes] == ["start", "greet", "shape"]


def test_malformed_json_names_file_line_and_column() -> None:
    path = UNLOADABLE_FIXTURES / "malformed.graph.json"
    error = _error(path)
    assert error.path == str(path)
    assert "invalid JSON at line 5 column 3" in str(error)
    assert str(error).startswith(str(path))


def test_model_error_names_the_field_location() -> None:
    error = _error(UNLOADABLE_FIXTURES / "bad-node-id.graph.json")
    assert "nodes[1].id" in error.message


def test_every_unloadable_fixture_fails_with_a_single_line() -> None:
    for path in sorted(UNLOADABLE_FIXTURES.glob("*.graph.json")):
        error = _error(path)
        assert "\n" not in str(error), path.name


def test_future_version_error_names_the_file() -> None:
    # Every other load error says which file it is about; this one must too, or a user
    # migrating a folder of graphs cannot tell which file is too new.
    path = UNLOADABLE_FIXTURES / "future-version.graph.json"
    error = _error(path)
    assert error.path == str(path)
    assert str(path) in str(error)


def test_missing_file(tmp_path: Path) -> None:
    error = _error(tmp_path / "nope.graph.json")
    assert "No such file" in error.message


def test_directory_instead_of_file(tmp_path: Path) -> None:
    error = _error(tmp_path)
    assert error.path == str(tmp_path)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.graph.json"
    path.write_bytes(b'{"name": "Caf\xe9"}')
    assert "not UTF-8" in _error(path).message


@pytest.mark.parametrize("text", ["[]", "42", '"graph"', "null"])
def test_document_must_be_an_object(text: str) -> None:
    with pytest.raises(GraphLoadError, match="must be a JSON object"):
        load_graph(text)


def test_deeply_nested_json_is_refused_not_crashing() -> None:
    text = '{"metadata": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(GraphLoadError, match="nested too deeply"):
        load_graph(text)


def test_oversized_document_is_refused_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("runtime.core.load.MAX_DOCUMENT_BYTES", 100)
    with pytest.raises(GraphLoadError, match="larger than 100 bytes"):
        parse_json(b"{" + b" " * 200 + b"}")


def test_first_of_several_model_errors_is_reported_with_a_count() -> None:
    text = '{"nodes": [{"id": "1"}, {"id": "2"}]}'
    with pytest.raises(GraphLoadError) as info:
        load_graph(text)
    assert info.value.message.startswith("nodes[0].")
    assert "more)" in info.value.message
