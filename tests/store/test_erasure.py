"""``auterity gdpr erase``: the subject's values leave run records and conversations, graphs
that mention it are reported (never rewritten), and the erasure is audited by counts only."""

from __future__ import annotations

import json
from typing import Any

from typer.testing import CliRunner

from runtime.store import ChatTurn, RunRecord, TenantStore
from runtime.store.erasure import ERASED, erase_subject
from runtime.store.ids import utc_now

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


def test_the_cli_erases_and_reports(acme: TenantStore, client: Any, graph: Any) -> None:
    from runtime.store.cli import gdpr_app

    mine = _run(acme, {"id": SUBJECT, "note": f"{SUBJECT.upper()} asked for a refill"})
    other = _run(acme, {"id": "patient-00999"})
    chat = acme.create_conversation("user:ann@example.com", "notes")
    acme.append_turns(chat, [ChatTurn(role="user", content=f"about {SUBJECT}", at=utc_now())])
    acme.create_graph(graph("mentions", note=SUBJECT), author="ann", message="m")

    result = CliRunner().invoke(gdpr_app, ["erase", SUBJECT, "--tenant", "acme"])
    assert result.exit_code == 2, result.output  # 2: a graph still mentions the subject
    assert "erased 5 value(s) from 1 run(s) and 1 conversation(s)" in result.output
    assert "graph 'mentions' mentions the subject" in result.output

    run = acme.get_run(mine)
    assert run.output == {"echo": {"id": ERASED, "note": ERASED}}
    assert acme.get_run(other).output == {"echo": {"id": "patient-00999"}}
    leftover = _everything(client).replace(json.dumps(SUBJECT)[1:-1], "")
    assert "GRAPH#mentions" in leftover  # the graph itself is only reported
    runs_and_chats = [
        i for i in client.scan(TableName="auterity")["Items"]
        if i["PK"]["S"].endswith(("#RUNS", "#CHATS"))
    ]  # fmt: skip
    assert SUBJECT.casefold() not in json.dumps(runs_and_chats).casefold()
    events = [e for e in acme.iter_audit() if e.action == "gdpr.erase"]
    assert [e.outcome for e in events] == ["attempted", "succeeded"]
    assert SUBJECT not in json.dumps([e.model_dump() for e in events])
    assert erase_subject(acme, SUBJECT).values == 0  # nothing left to erase
