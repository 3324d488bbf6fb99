"""``auterity gdpr erase``: the subject's values leave run records, conversations and every
version of every graph (which still load, with their hashes recomputed); a graph holding the
subject in its ids is reported; the erasure is audited by counts only."""

from __future__ import annotations

import json
from typing import Any

from typer.testing import CliRunner

from runtime.core.canonical import graph_hash
from runtime.core.clock import utc_now
from runtime.store import ChatTurn, RunRecord, TenantStore
from runtime.store.erasure import ERASED, erase_subject

SUBJECT = "patient-00417"


def _run(store: TenantStore, payload: Any) -> str:
    run_id = store.new_run_id()
    store.put_run(
        RunRecord(
            run_id=run_id, graph_id="intake", version=1, status="succeeded", trigger="http",
            started_at=utc_now(), output={"echo": payload}, expires_at=4_000_000_000,
            trace=[{"node": "hook", "type": "trigger.webhook", "status": "ok",
                    "outputs": {"out": {"body": payload}}}],
        )
    )  # fmt: skip
    return run_id


def _everything(client: Any) -> str:
    items = client.scan(TableName="auterity")["Items"]
    return json.dumps(items)


def _mentions(graph: Any) -> Any:
    """Two versions that mention the subject in data: name, metadata, a label and a config."""
    first = graph("mentions", name=f"Follow-up for {SUBJECT}", note=SUBJECT)
    second = first.model_copy(
        update={
            "nodes": [
                first.nodes[0].model_copy(update={"label": f"{SUBJECT} intake"}),
                first.nodes[1].model_copy(
                    update={"config": {"expr": f"{{who: '{SUBJECT}', total: `1`}}"}}
                ),
            ]
        }
    )
    return first, second


def test_the_cli_erases_and_reports(acme: TenantStore, client: Any, graph: Any) -> None:
    from runtime.cli.store import gdpr_app

    mine = _run(acme, {"id": SUBJECT, "note": f"{SUBJECT.upper()} asked for a refill"})
    other = _run(acme, {"id": "patient-00999"})
    chat = acme.create_conversation("user:ann@example.com", "notes")
    acme.append_turns(chat, [ChatTurn(role="user", content=f"about {SUBJECT}", at=utc_now())])
    first, second = _mentions(graph)
    acme.create_graph(first, author="ann", message=f"sample from {SUBJECT}")
    acme.save_graph(second, base_version=1, author="ann", message="label")
    acme.create_graph(graph("clean"), author="ann", message="m")
    clean_before = acme.get_graph("clean", 1)
    revision = acme.get_settings().revision

    result = CliRunner().invoke(gdpr_app, ["erase", SUBJECT, "--tenant", "acme"])
    assert result.exit_code == 0, result.output
    assert "from 1 run(s), 1 conversation(s) and 2 graph version(s)" in result.output

    run = acme.get_run(mine)
    assert run.output == {"echo": {"id": ERASED, "note": ERASED}}
    assert acme.get_run(other).output == {"echo": {"id": "patient-00999"}}
    assert SUBJECT.casefold() not in _everything(client).casefold()  # nowhere in the table
    # The graph and both its versions are still there and load; only the data went.
    assert [v.version for v in acme.list_versions("mentions")] == [2, 1]
    old, new = acme.get_graph("mentions", 1), acme.get_graph("mentions", 2)
    assert old.graph.metadata == {"note": ERASED}
    assert old.graph.name == ERASED
    assert old.message == ERASED
    assert new.graph.nodes[0].label == ERASED
    assert new.graph.nodes[1].config == {"expr": ERASED}
    assert [n.id for n in new.graph.nodes] == ["hook", "shape"]
    assert len(new.graph.edges) == 1
    assert old.hash == graph_hash(old.graph)
    assert new.hash == graph_hash(new.graph)
    names = {h.graph_id: h.name for h in acme.list_graphs()}
    assert names == {"mentions": ERASED, "clean": "Orders"}  # the head's name too
    assert acme.get_graph("clean", 1) == clean_before  # others untouched
    # Every service instance compiles the tenant's graphs again (``ServiceState.executor``).
    assert acme.get_settings().revision == revision + 1

    events = [e for e in acme.iter_audit() if e.action == "gdpr.erase"]
    assert [e.outcome for e in events] == ["attempted", "succeeded"]
    assert events[-1].details["graph_versions"] == 2
    assert SUBJECT not in json.dumps([e.model_dump() for e in events])
    assert erase_subject(acme, SUBJECT).values == 0  # nothing left to erase


def test_a_graph_holding_the_subject_in_its_ids_is_reported(acme: TenantStore, graph: Any) -> None:
    """Ids are the graph's structure (edges and expressions name them): not rewritten."""
    from runtime.cli.store import gdpr_app

    acme.create_graph(graph(SUBJECT, note=SUBJECT), author="ann", message="m")
    result = CliRunner().invoke(gdpr_app, ["erase", SUBJECT, "--tenant", "acme"])
    assert result.exit_code == 2, result.output
    assert f"graph '{SUBJECT}' holds the subject in its ids" in result.output
    assert acme.get_graph(SUBJECT, 1).graph.metadata == {"note": SUBJECT}  # left whole
