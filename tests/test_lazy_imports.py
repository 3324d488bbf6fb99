"""Imports inside functions are kept only where they pay, and each says why.

A lazy import hides an edge from readers (the layer check still sees it). The ones that stay
keep a heavy or optional library off a cold path (the Lambda's, the CLI's) or must wait for
something (``aws_cdk`` after Node is found); a comment on the import, or just above the block
of imports it starts, gives the reason.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("runtime", "nodes", "compliance", "builder", "whitelabel", "infra")


def _function_imports(path: Path) -> list[tuple[int, str]]:
    """(line, source) of each import inside a function that has no reason next to it."""
    lines = path.read_text(encoding="utf-8").splitlines()
    tree = ast.parse("\n".join(lines))
    unexplained: list[tuple[int, str]] = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        previous_end = 0
        block_explained = False
        for node in ast.walk(function):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            line = lines[node.lineno - 1]
            above = lines[node.lineno - 2] if node.lineno > 1 else ""
            continues_block = bool(previous_end) and node.lineno - previous_end <= 2
            explained = "#" in line or "#" in above or (continues_block and block_explained)
            if not explained:
                unexplained.append((node.lineno, line.strip()))
            block_explained = explained
            previous_end = node.end_lineno or node.lineno
    return unexplained


def test_every_import_inside_a_function_says_why() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}: {source}"
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        for line, source in _function_imports(path)
    ]
    assert found == [], "lazy imports without a reason:\n" + "\n".join(found)
