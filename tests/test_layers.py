"""The import layers are checked, not remembered: an arrow broken on purpose fails the check.

``make lint`` runs import-linter with the contracts in ``pyproject.toml``. These tests copy the
packages, plant one upward import, and run the same command on the copy: it must fail and name
the import, whether the import sits at the top of a module or inside a function.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("runtime", "nodes", "compliance", "builder", "whitelabel", "infra")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _copy(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


PLANTS = [
    pytest.param(
        "nodes/transforms/set_fields.py",
        "\nimport runtime.service.app\n",
        "nodes.transforms.set_fields -> runtime.service.app",
        id="a-node-importing-the-service",
    ),
    pytest.param(
        "runtime/engine/plan.py",
        "\n\ndef _planted() -> None:\n    import runtime.store  # noqa: F401\n",
        "runtime.engine.plan -> runtime.store",
        id="the-engine-importing-the-store-inside-a-function",
    ),
    pytest.param(
        "runtime/core/graph.py",
        "\nimport nodes.registry\n",
        "runtime.core.graph -> nodes.registry",
        id="the-kernel-importing-node-types",
    ),
    pytest.param(
        "infra/cdk/config.py",
        "\nimport whitelabel.provision\n",
        "infra.cdk.config -> whitelabel.provision",
        id="the-cdk-app-importing-white-label",
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize(("module", "line", "named"), PLANTS)
def test_an_upward_import_fails_the_layer_check(
    tmp_path: Path, module: str, line: str, named: str
) -> None:
    tree = _copy(tmp_path)
    with (tree / module).open("a", encoding="utf-8") as source:
        source.write(line)
    done = _lint(tree)
    assert done.returncode != 0, done.stdout
    assert "BROKEN" in done.stdout
    assert named in done.stdout
