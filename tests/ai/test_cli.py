"""``auterity generate`` and ``auterity run`` with AI nodes, as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from runtime.core.load import load_graph_file
from runtime.engine.validate import validate
from runtime.local.llm import FakeProvider, Reply

AUTERITY = str(Path(sys.executable).with_name("auterity"))
ROOT = Path(__file__).parent.parent.parent


def cli(*args: str | Path, fake: FakeProvider | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "COLUMNS")}
    env.update(COLUMNS="200", NO_COLOR="1", TERM="dumb", PYTHONWARNINGS="always")
    if fake is not None:
        providers = [{**p.model_dump(mode="json"), "api_key": "test-key"} for p in fake.providers()]
        env["AUTERITY_AI_PROVIDERS"] = json.dumps(providers)
    return subprocess.run(
        [AUTERITY, *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
        cwd=ROOT,
    )


def test_generate_with_a_provider_writes_a_valid_graph(
    fake_server: FakeProvider, tmp_path: Path
) -> None:
    fake_server.reset()
    graph = json.loads(
        (ROOT / "templates" / "manufacturing-machine-incident.graph.json").read_text()
    )
    fake_server.queue("openai", Reply.json({"graph": graph, "explanation": "Pages maintenance."}))
    target = tmp_path / "incident.graph.json"
    done = cli(
        "generate",
        "Page maintenance when a press stops the line",
        "--industry",
        "manufacturing",
        "-o",
        target,
        "--json",
        fake=fake_server,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["source"], result["explanation"], result["diagnostics"]) == (
        "model",
        "Pages maintenance.",
        [],
    )
    assert validate(load_graph_file(target)) == []
    assert fake_server.count("openai") == 1
    assert "unclosed" not in done.stderr


def test_generate_without_a_provider_says_it_used_a_template(tmp_path: Path) -> None:
    done = cli("generate", "Triage patient messages for the nurse", "--industry", "healthcare")
    assert done.returncode == 0, done.stderr
    assert "from template healthcare-patient-message-triage" in done.stdout
    assert "No AI provider is configured" in done.stdout


def test_run_a_graph_with_ai_nodes_against_the_provider(fake_server: FakeProvider) -> None:
    fake_server.reset()
    fake_server.queue("openai", Reply.json({"label": "spam", "reason": "An ad."}))
    done = cli(
        "run",
        ROOT / "templates" / "general-support-reply.graph.json",
        "--input",
        '{"message": "Buy cheap watches"}',
        "--json",
        fake=fake_server,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["output"]["body"] == {"kind": "spam", "draft": None}
    assert "unclosed" not in done.stderr
