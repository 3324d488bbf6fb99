from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from runtime.cli.store import data_app
from runtime.engine.compile import build_plan
from runtime.service.approvals import bundle_hash
from runtime.service.gate import gate_of
from runtime.store import (
    Conflict,
    Directory,
    InvalidInput,
    RunRecord,
    TenantStore,
    UsageRecord,
    create_table,
)

from .conftest import TABLE, make_graph, passed

FIXTURE = Path(__file__).parent.parent / "fixtures" / "store" / "globex.jsonl"


def populate(store: TenantStore) -> str:
    store.create_graph(make_graph(), author="ann")
    store.save_graph(
        make_graph(name="Two", price=1.0, nested={"S": ["", None, -0.0]}),
        base_version=1,
        author="ann",
    )
    store.create_graph(make_graph("billing"), author="ann")
    if "soc2" in store.compliance_packs():  # the deploy gate holds: a second person approves
        plan = build_plan(store.get_graph("orders", 2).graph)
        store.request_approval("orders", 2, bundle_hash(plan), author="ann", by="ann")
        store.approve("orders", 2, by="bob")
    store.deploy("orders", passed(store, "orders", 2), by="ann")
    store.put_run(
        RunRecord(
            run_id=store.new_run_id(),
            graph_id="orders",
            version=2,
            status="succeeded",
            trigger="http",
            started_at="2026-11-05T10:00:00+00:00",
            duration_ms=1.0,
            output={"total": 10.0, "when": "2026-01-05T10:00:00.000000"},
            trace=[{"node": "a"}],
            expires_at=int(time.time()) + 3600,
        )
    )
    store.create_user("ann@example.com", "correct horse 42x", "admin")
    _, secret = store.create_api_key("ci")
    store.record_audit(actor="ann", action="x", target="y", details={"n": 1.5})
    store.record_usage(UsageRecord(at="2026-11-05T10:00:00+00:00", kind="run", quantity=1.0))
    return secret


def test_export_import_round_trips_into_a_fresh_table(
    acme: TenantStore, acme_co: TenantStore, client: Any
) -> None:
    secret = populate(acme)
    populate(acme_co)
    lines = list(acme.export_lines())
    assert all(json.loads(line)["Item"]["PK"]["S"].startswith("TENANT#acme#") for line in lines)
    assert len(lines) == len(set(lines)) == 13  # with the audit chain's head

    create_table(client, "restored")
    restored = TenantStore(client, "acme", "restored")
    assert restored.import_lines(lines, gate_of(restored)) == len(lines)
    assert sorted(restored.export_lines()) == sorted(lines)

    # The restored tenant works: its profile came along, and so did every kind of item.
    tenant = Directory(client, "restored").tenant("acme")
    original = Directory(client, TABLE).get_tenant("acme")
    assert Directory(client, "restored").list_tenants() == [original]
    assert tenant.get_graph("orders") == acme.get_graph("orders")
    assert tenant.list_runs() == acme.list_runs()
    assert tenant.authenticate("ann@example.com", "correct horse 42x") is not None
    assert tenant.verify_api_key(secret) is not None
    assert tenant.list_usage("2026-11") == acme.list_usage("2026-11")
    assert tenant.save_graph(make_graph(), base_version=2, author="b").version == 3


def test_import_is_idempotent_and_never_overwrites(acme: TenantStore) -> None:
    populate(acme)
    lines = list(acme.export_lines())
    assert acme.import_lines(lines, gate_of(acme)) == 0  # everything is already there, identically
    changed = [line.replace('"\\"Orders\\""', '"\\"Renamed\\""') for line in lines]
    assert changed != lines
    with pytest.raises(Conflict, match=r"line \d+: a different item"):
        acme.import_lines(changed, gate_of(acme))
    assert acme.get_graph("orders", 1).graph.name == "Orders"


def test_import_refuses_another_tenants_lines_before_writing_anything(
    acme: TenantStore, acme_co: TenantStore, client: Any
) -> None:
    populate(acme_co)
    theirs = list(acme_co.export_lines())
    create_table(client, "restored")
    target = TenantStore(client, "acme", "restored")
    mine = [line.replace("TENANT#acme-co#", "TENANT#acme#") for line in theirs]
    with pytest.raises(InvalidInput, match=r"line 3: .*another tenant.*TENANT#acme-co#"):
        target.import_lines([*mine[:2], theirs[2], *mine[3:]], gate_of(target))
    assert client.scan(TableName="restored")["Items"] == []


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("not json", "not JSON"),
        ('{"Item": {"PK": {"S": "TENANT#acme#"}}}', "no string PK"),
        (
            '{"Item": {"PK": {"S": "TENANT#acme#"}, "SK": {"S": "X"}, "v": {"S": "{oops"}}}',
            "line 2",
        ),
    ],
)
def test_import_refuses_malformed_lines(acme: TenantStore, line: str, problem: str) -> None:
    with pytest.raises(InvalidInput, match=problem):
        acme.import_lines(["", line], gate_of(acme))


def test_a_stored_export_still_imports(directory: Directory, client: Any) -> None:
    """The file format is an interface: an export written earlier must keep importing."""
    lines = FIXTURE.read_text().splitlines()
    globex = TenantStore(client, "globex", TABLE)
    # Its deployment serves a graph today's node types refuse: everything else comes in, and
    # the deploy gate keeps that version from going live.
    refusal = r"deployment 'intake' \(intake v2\): graph is not valid"
    with pytest.raises(InvalidInput, match=refusal) as refused:
        globex.import_lines(lines, gate_of(globex))
    assert str(refused.value).startswith(f"{len(lines) - 1} item(s) imported")
    assert directory.get_tenant("globex").name == "Globex Corporation"
    assert globex.get_graph("intake").graph.metadata == {"owner": "ops"}
    assert globex.list_deployments() == []
    assert globex.list_runs()[0].output == {"ok": True, "total": 1.0}
    assert globex.authenticate("hank@globex.example", "globex password") is not None
    with pytest.raises(InvalidInput, match="line 1"):
        (store := TenantStore(client, "acme", TABLE)).import_lines(lines, gate_of(store))


def test_cli_export_and_import(
    acme: TenantStore, client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    populate(acme)
    runner = CliRunner()
    out = tmp_path / "acme.jsonl"
    exported = runner.invoke(data_app, ["export", "acme", "-o", str(out)])
    assert exported.exit_code == 0, exported.output
    assert sorted(out.read_text().splitlines()) == sorted(acme.export_lines())

    monkeypatch.setenv("AUTERITY_TABLE", "copy")
    imported = runner.invoke(data_app, ["import", "acme", str(out), "--create-table"])
    assert imported.exit_code == 0, imported.output
    assert "imported 13 new item(s)" in imported.output
    assert sorted(TenantStore(client, "acme", "copy").export_lines()) == sorted(
        out.read_text().splitlines()
    )
    refused = runner.invoke(data_app, ["import", "acme-co", str(out)])
    assert refused.exit_code != 0
    assert isinstance(refused.exception, InvalidInput)

    monkeypatch.setenv("AUTERITY_TABLE", TABLE)
    to_stdout = runner.invoke(data_app, ["export", "acme"])
    assert to_stdout.exit_code == 0
    assert len([line for line in to_stdout.stdout.splitlines() if line.startswith("{")]) == 13
