"""The app shell's pure helpers: ids and slugs from names, what the pages show, routes."""

from __future__ import annotations

import re
import shlex

import pytest
from hypothesis import given
from hypothesis import strategies as st

from builder import routes
from builder.canvas import naming
from builder.views import present
from runtime.core.diagnostics import Diagnostic
from runtime.core.diff import EdgeChange, GraphDiff, NodeChange
from runtime.core.graph import ID_PATTERN, Graph
from runtime.store import RunRecord

# --- naming ----------------------------------------------------------------------------------


def test_graph_ids_read_like_the_name_and_fit_the_model() -> None:
    graph_id = naming.graph_id_for("Dealership lead scoring", suffix="abc123")
    assert graph_id == "dealership_lead_scoring_abc123"
    Graph(id=graph_id)  # the model accepts it


def test_graph_ids_avoid_taken_ones() -> None:
    taken = {"untitled_graph_aaaaaa"}
    graph_id = naming.graph_id_for("Untitled graph", taken, suffix="aaaaaa")
    assert graph_id.startswith("untitled_graph_")
    assert graph_id not in taken


@given(st.text(max_size=300))
def test_any_name_gives_a_valid_graph_id_and_slug(name: str) -> None:
    assert re.match(ID_PATTERN, naming.graph_id_for(name))
    assert naming.valid_slug(naming.deploy_slug(name))


def test_ids_of_names_without_latin_letters_still_read() -> None:
    assert naming.graph_id_for("Überweisung prüfen", suffix="x1").startswith("uberweisung_")
    assert naming.graph_id_for("見積", suffix="x1") == "graph_x1"
    assert naming.graph_id_for("2024 leads", suffix="x1") == "g_2024_leads_x1"


def test_deploy_slug() -> None:
    assert naming.deploy_slug("Dealership lead scoring") == "dealership-lead-scoring"
    assert naming.deploy_slug("HTTP echo") == "http-echo"
    assert naming.deploy_slug("!!!") == "graph"
    assert naming.valid_slug("a-b-1")
    assert not naming.valid_slug("A_b")
    assert not naming.valid_slug("-a")


def test_copy_names_count_up() -> None:
    assert naming.copy_name("Leads", []) == "Leads (copy)"
    assert naming.copy_name("Leads", ["Leads (copy)"]) == "Leads (copy 2)"
    assert naming.copy_name("Leads (copy)", ["Leads (copy)"]) == "Leads (copy 2)"


def test_clean_name() -> None:
    assert naming.clean_name("  Lead \n scoring\t") == "Lead scoring"
    assert len(naming.clean_name("x" * 500)) == naming.MAX_NAME


# --- present ---------------------------------------------------------------------------------


def test_when_and_duration() -> None:
    assert present.when("2026-11-25T07:53:05.457287+00:00") == "2026-11-25 07:53 UTC"
    assert present.when("2026-11-25T09:53:05+02:00") == "2026-11-25 07:53 UTC"
    assert present.when("") == ""
    assert present.when("yesterday") == "yesterday"
    assert present.duration(None) == ""
    assert present.duration(0.2) == "0.20 ms"  # a run of a few nodes, not "0 ms"
    assert present.duration(0.76) == "0.76 ms"
    assert present.duration(4.25) == "4.2 ms"
    assert present.duration(12.4) == "12 ms"
    assert present.duration(2500) == "2.50 s"


def _record(**fields: object) -> RunRecord:
    base: dict[str, object] = {
        "run_id": "r1",
        "graph_id": "lead_scoring",
        "version": 0,
        "status": "succeeded",
        "trigger": "manual",
        "started_at": "2026-11-25T07:53:05+00:00",
        "duration_ms": 0.76,
        "expires_at": 0,
    }
    return RunRecord.model_validate(base | fields)


def test_run_rows_name_the_graph_and_say_draft_for_unsaved_test_runs() -> None:
    """Issue 14.8: runs listed by id, test runs read "manual v0", and "... in 0 ms"."""
    names = {"lead_scoring": "Dealership lead scoring"}
    draft = present.run_row(_record(), names)
    assert draft["graph"] == "Dealership lead scoring"
    assert draft["graph_id"] == "lead_scoring"
    assert draft["version"] == "draft"
    assert draft["trigger"] == "test run"
    assert draft["duration"] == "0.76 ms"
    saved = present.run_row(_record(version=3, trigger="http", slug="leads"), names)
    assert saved["version"] == "v3"
    assert saved["trigger"] == "http /leads"
    gone = present.run_row(_record(graph_id="deleted_one"), names)
    assert gone["graph"] == "deleted_one"  # a deleted graph's runs keep their id
    assert present.run_summary("succeeded", 0.76) == "succeeded in 0.76 ms"
    assert present.run_summary("failed", None) == "failed"


def test_actor() -> None:
    assert present.actor("user:ada@example.com") == "ada@example.com"
    assert present.actor("key:k1") == "API key k1"
    assert present.actor("make run") == "make run"


def test_json_text_is_indented_and_cut() -> None:
    assert present.json_text({"b": 1, "a": [1]}) == '{\n  "a": [\n    1\n  ],\n  "b": 1\n}'
    long = present.json_text("x" * (present.MAX_JSON_CHARS + 100))
    assert long.endswith("more characters)")
    assert len(long) < present.MAX_JSON_CHARS + 50


def test_diff_rows_and_summary() -> None:
    diff = GraphDiff(
        nodes=[
            NodeChange(node="hook", change="added"),
            NodeChange(node="set", change="changed", fields=["config.fields[0].value"]),
            NodeChange(node="old", change="removed"),
        ],
        edges=[EdgeChange(edge="hook.out->set.in", change="added")],
        changed=["name"],
    )
    rows = present.diff_rows(diff)
    assert [r["text"] for r in rows] == [
        "name changed",
        "node hook added",
        "node set changed: config.fields[0].value",
        "node old removed",
        "edge hook.out->set.in added",
    ]
    assert [r["kind"] for r in rows] == ["changed", "added", "changed", "removed", "added"]
    assert present.diff_summary(diff) == (
        "1 node added, 1 changed, 1 removed, 1 edge added, graph name changed"
    )
    assert present.diff_summary(GraphDiff()) == "no changes"


def test_diagnostic_rows_put_errors_first_and_say_where() -> None:
    rows = present.diagnostic_rows(
        [
            Diagnostic(severity="warning", code="w", message="unused", node="b"),
            Diagnostic(severity="error", code="e", message="no trigger", hint="add a trigger"),
            Diagnostic(severity="error", code="e", message="bad", node="a", path="config.x"),
        ]
    )
    assert [(r["severity"], r["where"]) for r in rows] == [
        ("error", "graph"),
        ("error", "node a · config.x"),
        ("warning", "node b"),
    ]
    assert rows[0]["message"] == "no trigger (add a trigger)"


@pytest.mark.parametrize("key", [None, "aut_acme_k1_secret"])
def test_curl_command_is_one_valid_shell_command(key: str | None) -> None:
    url = "http://127.0.0.1:8000/t/acme/it's-echo"
    command = present.curl_command(url, '{"quote": "it\'s"}', key)
    words = shlex.split(command.replace("\\\n", " "))
    assert words[:4] == ["curl", "-s", "-X", "POST"]
    assert url in words
    assert words[words.index("-d") + 1] == '{"quote": "it\'s"}'
    header = words[words.index("-H") + 1]
    assert header == (f"X-API-Key: {key}" if key else "X-API-Key: $AUTERITY_API_KEY")
    if key is None:
        assert '"X-API-Key: $AUTERITY_API_KEY"' in command  # double quotes: the shell expands it


def test_trace_rows() -> None:
    rows = present.trace_rows(
        [
            {
                "node": "hook",
                "type": "trigger.webhook",
                "status": "ok",
                "duration_ms": 1.5,
                "inputs": {},
                "outputs": {"out": {"a": 1}},
            },
            {
                "node": "each",
                "type": "x",
                "status": "failed",
                "iteration": [0, 2],
                "error": {"message": "boom"},
            },
        ]
    )
    assert rows[0]["node"] == "hook"
    assert rows[0]["duration"] == "1.5 ms"
    assert '"a": 1' in rows[0]["output"]
    assert rows[1]["node"] == "each[0][2]"
    assert rows[1]["error"] == "boom"
    assert present.status_color("succeeded") == "green"
    assert present.status_color("whatever") == "gray"


# --- routes ----------------------------------------------------------------------------------


def test_login_returns_only_to_paths_of_this_app() -> None:
    assert routes.login("/graphs/g1") == "/login?next=/graphs/g1"
    assert routes.login("/runs?graph=g1") == "/login?next=/runs%3Fgraph%3Dg1"
    assert routes.login("") == "/login"
    for unsafe in ("https://evil.example", "//evil.example", "/\\evil.example", "/login", "x"):
        assert not routes.safe_next(unsafe), unsafe
        assert routes.login(unsafe) == "/login"
    assert routes.safe_next("/settings")


def test_routes_round_trip_graph_ids() -> None:
    assert routes.editor("lead_scoring") == "/graphs/lead_scoring"
    assert routes.graph_id_of(routes.editor("lead_scoring")) == "lead_scoring"
    assert routes.graph_id_of("/graphs/lead_scoring/") == "lead_scoring"
    assert routes.graph_id_of(routes.editor("a/b")) == "a/b"
    assert routes.graph_id_of("/runs") == ""
    assert routes.runs("g1") == "/runs?graph=g1"
    assert routes.runs() == "/runs"
