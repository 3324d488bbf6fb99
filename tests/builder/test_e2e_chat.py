"""The Assistant panel in headless Chromium against the real service, whose AI provider is the
test suite's local server speaking the OpenAI wire format through the real SDK: a proposed
graph is previewed as a diff on the canvas, Discard leaves the canvas as it was, Accept
applies it as one undo step, an edit of the accepted graph is previewed with its changed and
removed nodes marked, and the conversation is listed again after a reload.

Without any provider (a second service, started without one), the automotive tenant's ask
gets the bundled lead template with the compliance auto-fix applied and listed, and a
follow-up asking for redaction fixes the canvas, while one it cannot do says so."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from builder import routes
from runtime.local.llm import FakeProvider, Reply
from tests.builder.conftest import Service, api_at, running_service
from tests.builder.session import HYDRATED, log_in, new_graph

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

ASK = "when a dealership lead arrives, score it and text hot leads to sales"
EDIT = "drop the cold tier and text hot leads within 2 minutes"
PROVIDER_VARS = ("AUTERITY_AI_PROVIDERS", "OPENAI_API_KEY", "ANTHROPIC_API_KEY")
ROOT = Path(__file__).resolve().parents[2]
LEAD_GRAPH = json.loads((ROOT / "templates" / "automotive-lead-triage.graph.json").read_text())
EXPLAINED = "Extracts the lead, classifies it hot, warm or cold and answers with a next step."
EDITED = "Cold leads are no longer handled; hot leads get a text within 2 minutes."


def _edited_graph() -> dict[str, Any]:
    graph: dict[str, Any] = copy.deepcopy(LEAD_GRAPH)
    graph["nodes"] = [n for n in graph["nodes"] if n["id"] != "cold"]
    graph["edges"] = [e for e in graph["edges"] if "cold" not in (e["source"], e["target"])]
    hot = next(n for n in graph["nodes"] if n["id"] == "hot")
    hot["config"]["fields"][1]["value"] = "Text {{ nodes.extract.data.name }} within 2 minutes"
    return graph


@pytest.fixture(scope="module")
def provider(fake_server: FakeProvider) -> Iterator[FakeProvider]:
    """The service's only AI provider is the local fake (set before ``service`` starts it)."""
    saved = {k: os.environ.pop(k) for k in PROVIDER_VARS if k in os.environ}
    providers = [{**p.model_dump(mode="json"), "api_key": "e2e"} for p in fake_server.providers()]
    os.environ["AUTERITY_AI_PROVIDERS"] = json.dumps(providers[:1])
    fake_server.reset()
    try:
        yield fake_server
    finally:
        os.environ.pop("AUTERITY_AI_PROVIDERS", None)
        os.environ.update(saved)
        fake_server.reset()


def _counts(page: Any, text: str) -> None:
    page.wait_for_function(
        "(want) => document.querySelector('[data-testid=graph-counts]')?.textContent === want",
        arg=text,
        timeout=30_000,
    )


def _send(page: Any) -> None:
    box = page.get_by_test_id("chat-input")
    box.fill(ASK)
    box.press("Enter")  # Enter sends


def _sign_dpa_with_the_provider(service: Any) -> None:
    """The automotive tenant's packs include GDPR: its leads' PII may reach the model only
    under a DPA with every provider its routing may pick (else the Assistant's proposal goes
    back for repair, as tests/service/test_compliance_api.py shows)."""
    import httpx

    login = {"tenant": service.tenant, "email": service.email, "password": service.password}
    token = httpx.post(f"{service.url}/api/v1/auth/login", json=login, trust_env=False).json()
    headers = {"Authorization": f"Bearer {token['token']}"}
    settings = httpx.get(f"{service.url}/api/v1/settings", headers=headers, trust_env=False).json()
    settings["dpa_providers"] = ["openai"]
    settings["ai"]["allowed_providers"] = ["openai"]
    saved = httpx.put(
        f"{service.url}/api/v1/settings", json=settings, headers=headers, trust_env=False
    )
    assert saved.status_code == 200, saved.text


def _assistant_count(page: Any, n: int) -> None:
    page.wait_for_function(
        "(n) => document.querySelectorAll("
        "'[data-testid=chat-message][data-role=assistant]').length === n",
        arg=n,
        timeout=60_000,
    )


def test_chat_previews_discards_accepts_edits_and_keeps_the_conversation(
    provider: FakeProvider, service: Any, builder_app: Any, browser: Any, artifacts: Path
) -> None:
    shots = artifacts / "chat"
    shots.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1500, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _sign_dpa_with_the_provider(service)
    base = builder_app.frontend_url.rstrip("/")
    log_in(page, base, service)
    new_graph(page, base, "Assistant e2e")
    _counts(page, "0 nodes · 0 edges")

    page.get_by_test_id("open-chat").click()
    page.get_by_test_id("chat-panel").wait_for()
    page.get_by_test_id("chat-industry").click()
    page.get_by_role("option", name="automotive").click()
    answer = {"graph": LEAD_GRAPH, "explanation": EXPLAINED}
    provider.queue("openai", Reply.json(answer), Reply.json(answer))
    _send(page)

    # The answer, and the proposal drawn over the (still empty) canvas.
    assistant = page.locator("[data-testid=chat-message][data-role=assistant]")
    assistant.first.wait_for(timeout=60_000)
    assert EXPLAINED in assistant.first.inner_text()
    assert "template" not in assistant.first.inner_text()  # the model answered, not a fallback
    assert provider.count("openai") == 1
    assert ASK in json.dumps(provider.of("openai")[0].body)
    assert page.get_by_test_id("chat-industry").inner_text() == "automotive"
    page.get_by_test_id("proposal-bar").wait_for()
    added = page.locator(".auterity-node[data-diff=added]")
    added.first.wait_for()
    proposed = added.count()
    assert proposed >= 3
    assert page.locator(".auterity-node").count() == proposed  # nothing else is drawn
    assert page.get_by_test_id("proposal-summary").inner_text() == (
        f"Proposal: {proposed} nodes: {proposed} added"
    )
    _counts(page, "0 nodes · 0 edges")  # the canvas itself is untouched
    page.screenshot(path=str(shots / "chat-01-preview.png"))

    # Discard: the canvas is exactly as it was (empty).
    page.get_by_test_id("proposal-discard").click()
    page.get_by_test_id("proposal-bar").wait_for(state="detached")
    page.wait_for_function("() => document.querySelectorAll('.auterity-node').length === 0")
    page.screenshot(path=str(shots / "chat-02-discarded.png"))

    # Ask again and accept: the nodes are on the canvas, plain and valid.
    _send(page)
    _assistant_count(page, 2)
    page.get_by_test_id("proposal-accept").click()
    page.get_by_test_id("proposal-bar").wait_for(state="detached")
    page.wait_for_function(
        "(n) => document.querySelectorAll('.auterity-node:not([data-diff])').length === n",
        arg=proposed,
    )
    page.wait_for_function(
        "(n) => [...document.querySelectorAll('.auterity-status')]"
        ".filter((b) => b.textContent === 'valid').length === n",
        arg=proposed,
    )
    assert page.get_by_test_id("graph-counts").inner_text().startswith(f"{proposed} nodes")
    page.screenshot(path=str(shots / "chat-03-accepted.png"))

    # One undo step brings the empty canvas back.
    page.keyboard.press("Control+z")
    _counts(page, "0 nodes · 0 edges")
    page.wait_for_function("() => document.querySelectorAll('.auterity-node').length === 0")

    # An edit of what is on the canvas: the model is sent the canvas, and its answer is
    # previewed with the removed node and the changed node marked; Accept applies it.
    page.keyboard.press("Control+Shift+z")
    _counts(page, f"{proposed} nodes · {len(LEAD_GRAPH['edges'])} edges")
    provider.queue("openai", Reply.json({"graph": _edited_graph(), "explanation": EDITED}))
    page.get_by_test_id("chat-input").fill(EDIT)
    page.get_by_test_id("chat-input").press("Enter")
    _assistant_count(page, 3)
    sent = json.dumps(provider.of("openai")[-1].body)
    assert EDIT in sent
    assert "Cold: newsletter" in sent  # the canvas went with the request
    page.get_by_test_id("proposal-bar").wait_for()
    page.locator(".auterity-node[data-diff=removed]").first.wait_for()
    assert page.locator(".auterity-node[data-diff=removed]").count() == 1
    assert page.locator(".auterity-node[data-diff=changed]").count() == 1
    assert page.locator(".auterity-node[data-diff=added]").count() == 0
    assert "Cold: newsletter" in page.locator(".auterity-node[data-diff=removed]").inner_text()
    assert page.get_by_test_id("proposal-summary").inner_text() == (
        "Proposal: 2 nodes: 1 changed, 1 removed"
    )
    page.screenshot(path=str(shots / "chat-04-edit-preview.png"))
    page.get_by_test_id("proposal-accept").click()
    page.get_by_test_id("proposal-bar").wait_for(state="detached")
    _counts(page, f"{proposed - 1} nodes · {len(LEAD_GRAPH['edges']) - 2} edges")
    page.wait_for_function(
        "() => ![...document.querySelectorAll('.auterity-node')]"
        ".some((n) => n.textContent.includes('Cold: newsletter'))"
    )
    assert provider.count("openai") == 3

    # Each Accept is one undo step: back to the first proposal, then to the empty canvas
    # (nothing unsaved is left, so the reload below is not held up by the leave-page guard).
    page.keyboard.press("Control+z")
    _counts(page, f"{proposed} nodes · {len(LEAD_GRAPH['edges'])} edges")
    page.keyboard.press("Control+z")
    _counts(page, "0 nodes · 0 edges")

    # The conversation is saved by the service: after a reload it is listed.
    page.reload()
    page.wait_for_function(HYDRATED, timeout=60_000)
    page.get_by_test_id("open-chat").click()
    title = page.get_by_test_id("chat-title")
    title.first.wait_for(timeout=30_000)
    assert title.first.inner_text() == ASK
    title.first.click()
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=chat-message]').length === 6"
    )
    page.screenshot(path=str(shots / "chat-05-reloaded.png"))
    assert errors == []
    context.close()


NO_PROVIDER_ASK = "When a lead arrives by webhook, score it and text hot leads"
REDACT_ASK = "redact the personal data before the AI nodes"
CANNOT_ASK = "call hot leads instead of texting them"


@pytest.fixture(scope="module")
def bare_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """The same service with no AI provider at all (its automotive tenant has PCI and GDPR)."""
    with running_service(tmp_path_factory.mktemp("bare"), without=PROVIDER_VARS) as running:
        yield running


def _save_graph(service: Service, graph: dict[str, Any]) -> str:
    import httpx

    login = {"tenant": service.tenant, "email": service.email, "password": service.password}
    token = httpx.post(f"{service.url}/api/v1/auth/login", json=login, trust_env=False).json()
    headers = {"Authorization": f"Bearer {token['token']}"}
    saved = httpx.post(
        f"{service.url}/api/v1/graphs", json={"graph": graph}, headers=headers, trust_env=False
    )
    assert saved.status_code == 201, saved.text
    return str(graph["id"])


def _ask(page: Any, text: str, answers: int) -> Any:
    box = page.get_by_test_id("chat-input")
    box.fill(text)
    box.press("Enter")
    _assistant_count(page, answers)
    return page.locator("[data-testid=chat-message][data-role=assistant]").nth(answers - 1)


def test_without_a_provider_proposals_pass_the_packs_and_redaction_follow_ups_apply_the_fix(
    service: Any, builder_app: Any, bare_service: Service, browser: Any, artifacts: Path
) -> None:
    shots = artifacts / "chat"
    shots.mkdir(exist_ok=True)
    base = builder_app.frontend_url.rstrip("/")
    with api_at(bare_service.url):
        context = browser.new_context(viewport={"width": 1500, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        log_in(page, base, bare_service)
        new_graph(page, base, "Assistant without a provider")
        page.get_by_test_id("open-chat").click()
        page.get_by_test_id("chat-panel").wait_for()

        # The template fallback, fixed for the tenant's GDPR pack, and the fix listed.
        answer = _ask(page, NO_PROVIDER_ASK, 1).inner_text()
        assert "closest bundled template" in answer
        assert "Compliance auto-fix" in answer
        assert "added a Redact node before 'Extract lead details' for GDPR" in answer
        assert "made 'Hot, warm or cold?' read the redacted data" in answer
        page.get_by_test_id("proposal-bar").wait_for()
        added = page.locator(".auterity-node[data-diff=added]")
        added.filter(has_text="Redact PII").first.wait_for()
        assert page.locator("[data-testid=chat-diagnostics]").count() == 0  # nothing fails
        page.screenshot(path=str(shots / "chat-06-no-provider-fixed-template.png"))
        page.get_by_test_id("proposal-accept").click()
        page.get_by_test_id("proposal-bar").wait_for(state="detached")
        count = len(LEAD_GRAPH["nodes"]) + 1
        page.wait_for_function(
            "(n) => [...document.querySelectorAll('.auterity-status')]"
            ".filter((b) => b.textContent === 'valid').length === n",
            arg=count,
        )
        page.keyboard.press("Control+z")  # leave nothing unsaved (no leave-page guard below)
        _counts(page, "0 nodes · 0 edges")

        # The canvas: the unfixed template. Asking for redaction applies the fix.
        graph_id = _save_graph(bare_service, LEAD_GRAPH)
        page.goto(base + routes.editor(graph_id))
        page.wait_for_function(HYDRATED, timeout=60_000)
        _counts(page, f"{len(LEAD_GRAPH['nodes'])} nodes · {len(LEAD_GRAPH['edges'])} edges")
        page.get_by_test_id("open-chat").click()
        page.get_by_test_id("chat-panel").wait_for()
        page.get_by_test_id("chat-new").click()
        # The earlier conversation's answer must be gone first, or it would count as this one's.
        _assistant_count(page, 0)
        answer = _ask(page, REDACT_ASK, 1).inner_text()
        assert "applied the compliance auto-fix" in answer
        assert "added a Redact node before 'Extract lead details' for GDPR" in answer
        page.get_by_test_id("proposal-bar").wait_for()
        assert page.locator(".auterity-node[data-diff=added]").count() == 1
        assert "Redact PII" in page.locator(".auterity-node[data-diff=added]").inner_text()
        changed = page.locator(".auterity-node[data-diff=changed]")
        assert changed.filter(has_text="Hot, warm or cold?").count() == 1
        page.screenshot(path=str(shots / "chat-07-no-provider-redaction-follow-up.png"))
        page.get_by_test_id("proposal-accept").click()
        page.get_by_test_id("proposal-bar").wait_for(state="detached")
        _counts(page, f"{count} nodes · {len(LEAD_GRAPH['edges']) + 1} edges")

        # A follow-up it cannot do without a model says so, and changes nothing.
        answer = _ask(page, CANNOT_ASK, 2).inner_text()
        assert "could not make this change" in answer
        page.screenshot(path=str(shots / "chat-08-no-provider-cannot.png"))
        page.get_by_test_id("proposal-discard").click()
        _counts(page, f"{count} nodes · {len(LEAD_GRAPH['edges']) + 1} edges")
        assert errors == []
        context.close()
