"""What a node does with sensitive data: the labels it passes on and where data ends up.

Labels map a dotted field path of a value (``body.patient.ssn``; ``""`` for the value as a
whole) to the data classes found there. Field paths let a node that drops or redacts one field
remove exactly that field's classes; a node that cannot say where its output came from keeps
every label it was given, which errs on the side of the patient, not the author.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pydantic import BaseModel, ConfigDict

from runtime.core.types import DataClass

Labels = Mapping[str, frozenset[DataClass]]
"""Field path (``""`` for the whole value) to the classes it carries."""

NO_LABELS: Labels = {}


class Effects(BaseModel):
    """Facts about one configured node that the compliance packs check.

    Returned by ``NodeType.effects(config)`` so a node states them once, next to its config.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    provider: str | None = None
    """For ``llm``: the model provider; for ``egress``: the host. None when only known at run
    time, which the packs treat as a provider nobody has signed anything with."""
    routed: bool = False
    """For ``llm``: the tenant's model routing may send the data to other providers than
    ``provider`` (no provider named, or fallback to the tenant's other models allowed)."""
    region: str | None = None
    """Where the data goes or rests (``eu-west-1``, ``us``...), when the node knows."""
    encrypted: bool = False
    """For ``persist``: stored under a key the tenant controls."""
    tokenized: bool = False
    """For ``persist``: card numbers are replaced by tokens before they are stored."""
    retention_days: int | None = None
    """For ``persist``: how long stored data lives; None is forever."""
    masks_pan: bool = False
    """For ``log`` (and displays): card numbers are shown as first 6 / last 4 only."""
    public: bool = False
    """For triggers: anyone may start a run, without the tenant's credentials."""


def classes_of(labels: Labels) -> frozenset[DataClass]:
    out: set[DataClass] = set()
    for classes in labels.values():
        out |= classes
    return frozenset(out)


def merge(*many: Labels) -> dict[str, frozenset[DataClass]]:
    out: dict[str, frozenset[DataClass]] = {}
    for labels in many:
        for path, classes in labels.items():
            if classes:
                out[path] = out.get(path, frozenset()) | classes
    return out


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + ".")


def drop(labels: Labels, paths: Iterable[str]) -> dict[str, frozenset[DataClass]]:
    """Labels after the fields at ``paths`` (and everything inside them) are removed."""
    gone = list(paths)
    return {p: c for p, c in labels.items() if not any(_under(p, g) for g in gone)}


def without(labels: Labels, classes: Iterable[DataClass]) -> dict[str, frozenset[DataClass]]:
    """Labels after the given classes are removed wherever they are."""
    removed = frozenset(classes)
    return {p: c - removed for p, c in labels.items() if c - removed}


def move(labels: Labels, source: str, target: str) -> dict[str, frozenset[DataClass]]:
    """Labels after the field ``source`` is renamed to ``target``."""
    out: dict[str, frozenset[DataClass]] = {}
    for path, classes in labels.items():
        new = target + path[len(source) :] if _under(path, source) else path
        out[new] = out.get(new, frozenset()) | classes
    return out


def prefixed(prefix: str, fields: Iterable[tuple[str, Iterable[DataClass]]]) -> Labels:
    """Labels for declared fields that sit under ``prefix`` in a node's output."""
    return merge(*({f"{prefix}.{name}" if prefix else name: frozenset(c)} for name, c in fields))
