"""Synthesis for tests: each distinct config is synthesized once per test session.

The first synthesis in a process starts jsii's Node (several seconds); each later one takes a
few. Templates, lifecycle and CLI tests share this cache (a module-level memo, so it holds
across test folders whose conftests would otherwise make their own session fixtures).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from infra.cdk.config import TenantConfig
from infra.cdk.synth import Synthesized, synthesize
from runtime.tenant.brand import Brand

_ROOT = Path(tempfile.mkdtemp(prefix="auterity-cdk-tests-"))
atexit.register(shutil.rmtree, _ROOT, ignore_errors=True)
_CACHE: dict[str, Synthesized] = {}

SNAPSHOT_BRAND = Brand(
    product_name="Snapshot Flow",
    primary_color="#1d4ed8",
    accent_color="#0f766e",
    support_email="help@snapshot.example",
)
"""A brand that only the tests use, so the snapshot does not move with the example brands."""


def config(**changes: object) -> TenantConfig:
    fields: dict[str, object] = {
        "tenant": "acme",
        "brand": SNAPSHOT_BRAND,
        "industry": "automotive",
    }
    fields.update(changes)
    return TenantConfig.model_validate(fields)


def synthesized(cfg: TenantConfig, outdir: Path | None = None) -> Synthesized:
    """Synthesize ``cfg`` (or return this session's earlier result for an equal config)."""
    key = cfg.model_dump_json()
    if key not in _CACHE:
        _CACHE[key] = synthesize(cfg, _ROOT / f"out-{len(_CACHE)}")
    return _CACHE[key]


def cached_synthesizer(cfg: TenantConfig, outdir: Path) -> Synthesized:
    """An ``Options.synthesizer`` that reuses the session's synthesis (``outdir`` unused)."""
    return synthesized(cfg)
