"""The fallback when no provider is configured: the bundled graph closest to the description.

Matching is plain word overlap with each graph's name, description and ``metadata.keywords``
(keywords count double), plus a bonus for the requested industry. Crude, but deterministic,
explainable ("matched on: lead, dealership") and free. Which industry a bundled template serves
is its industry profile's word (``runtime.tenant.industry``), not the graph file's.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from runtime.core.graph import Graph
from runtime.core.load import load_graph_file
from runtime.tenant.industry import INDUSTRIES, Industry, template_industry

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("templates", "examples")
WORD = re.compile(r"[a-z0-9]+")
STOP = frozenset(
    {
        "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into", "is",
        "it", "its", "of", "on", "or", "our", "send", "sends", "that", "the", "then", "this",
        "to", "we", "when", "with", "who", "whose", "will", "your", "you",
    }
)  # fmt: skip
INDUSTRY_BONUS = 2.0


@dataclass(frozen=True, slots=True)
class Template:
    name: str
    graph: Graph
    industry: Industry | None
    words: frozenset[str]
    keywords: frozenset[str]


@dataclass(frozen=True, slots=True)
class Match:
    template: Template
    score: float
    matched: tuple[str, ...]


def words(text: str) -> set[str]:
    found = {w for w in WORD.findall(text.lower()) if w not in STOP and len(w) > 1}
    return found | {w[:-1] for w in found if w.endswith("s") and len(w) > 3}


def folders() -> list[Path]:
    """``AUTERITY_TEMPLATE_DIRS`` (``:``-separated) or the repository's templates and examples."""
    listed = os.environ.get("AUTERITY_TEMPLATE_DIRS")
    if listed:
        return [Path(p) for p in listed.split(os.pathsep) if p]
    return [ROOT / name for name in FOLDERS]


def _industry(path: Path, graph: Graph) -> Industry | None:
    """A graph from ``AUTERITY_TEMPLATE_DIRS`` that no profile names may still declare one."""
    named = template_industry(path.name)
    if named is not None:
        return named
    declared = graph.metadata.get("industry")
    return next((industry for industry in INDUSTRIES if industry == declared), None)


@cache
def _load(paths: tuple[Path, ...]) -> tuple[Template, ...]:
    found = []
    for folder in paths:
        for path in sorted(folder.glob("*.graph.json")):
            graph = load_graph_file(path)
            keywords = graph.metadata.get("keywords", [])
            found.append(
                Template(
                    name=path.name.removesuffix(".graph.json"),
                    graph=graph,
                    industry=_industry(path, graph),
                    words=frozenset(words(f"{graph.name} {graph.description}")),
                    keywords=frozenset(words(" ".join(map(str, keywords)))),
                )
            )
    return tuple(found)


def templates() -> tuple[Template, ...]:
    return _load(tuple(folders()))


def industry_templates(industry: Industry) -> tuple[Template, ...]:
    """What a new tenant of the industry starts with, so its builder is not empty."""
    return tuple(template for template in templates() if template.industry == industry)


def best_match(description: str, industry: Industry | None) -> Match | None:
    asked = words(description)
    best: Match | None = None
    for template in templates():
        matched = (asked & template.words) | (asked & template.keywords)
        score = len(asked & template.words) + 2.0 * len(asked & template.keywords)
        if industry and industry != "general" and template.industry == industry:
            score += INDUSTRY_BONUS
        if best is None or score > best.score:
            best = Match(template, score, tuple(sorted(matched)))
    return best
