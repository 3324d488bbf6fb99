"""Zipped size of a deployable bundle (no AI SDKs): ``build_bundle`` of the lead-scoring example.

Baseline: the graph's own files (``auterity_entry.py``, ``plan.json``, ``graph.json``) zipped the
same way, so the difference is the runtime source every bundle carries. The manifest's
``requires`` (what the Lambda layer must provide) goes in the label; none of it may be an AI
SDK for this graph.

The diagnostic row unpacks the bundle and runs its handler once on the example's sample input
in a fresh interpreter in which the build-only packages (``runtime.engine.bundle.BUILD_ONLY``)
and the service's (FastAPI, boto3) cannot be imported, checks the answer, and counts the bundled
source files that never got imported: shipped, but dead weight for this graph.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from bench.report import INFO, Row
from runtime.core.graph import Graph
from runtime.engine.bundle import BUILD_ONLY, build_bundle
from runtime.engine.compile import build_plan

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "lead-scoring.graph.json"
OWN_FILES = ("auterity_entry.py", "auterity/plan.json", "auterity/graph.json")
AI_SDKS = ("openai", "anthropic")
BLOCKED = (*sorted(BUILD_ONLY), "fastapi", "starlette", "boto3", "botocore", "mangum")
TIMEOUT_S = 60.0

PROBE = """
import json, sys
for name in {blocked!r}:
    sys.modules[name] = None  # importing it now raises ImportError
sys.path.insert(0, {bundle!r})
import auterity_entry
event = {{"httpMethod": "POST", "path": "/", "headers": {{"content-type": "application/json"}},
          "body": json.dumps({sample!r})}}
answer = auterity_entry.handler(event, None)
used = sorted(m.__file__ for m in list(sys.modules.values())
              if (getattr(m, "__file__", None) or "").startswith({bundle!r}))
print(json.dumps({{"answer": answer, "used": used}}))
"""


def _zip(files: dict[str, bytes]) -> int:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return len(buffer.getvalue())


def _unused(bundle: bytes, metadata: dict[str, object]) -> list[str]:
    """Bundled ``.py`` files the handler never imported while answering the sample input."""
    with tempfile.TemporaryDirectory(prefix="auterity-bundle-") as tmp:
        with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
            archive.extractall(tmp)
            names = [n for n in archive.namelist() if n.endswith(".py")]
        probe = PROBE.format(blocked=BLOCKED, bundle=tmp, sample=metadata["sample_input"])
        done = subprocess.run(
            [sys.executable, "-c", probe],
            cwd=tmp,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"the unpacked bundle failed to run:\n{done.stderr[-2000:]}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        answer = result["answer"]
        expected = metadata["expected_output"]
        assert isinstance(expected, dict)
        if answer["statusCode"] != 200 or json.loads(answer["body"]) != expected["body"]:
            raise RuntimeError(f"the unpacked bundle answered {answer}, not {expected}")
        used = {Path(f).relative_to(tmp).as_posix() for f in result["used"]}
    return [n for n in names if n not in used]


def run() -> list[Row]:
    doc = json.loads(EXAMPLE.read_text())
    graph = Graph.model_validate(doc)
    bundle = build_bundle(build_plan(graph), graph)
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
        manifest = json.loads(files["auterity/manifest.json"])
    own = _zip({name: files[name] for name in OWN_FILES})
    requires = manifest["requires"]
    sdks = [r for r in requires if r.split("<")[0].split(">")[0].split("=")[0] in AI_SDKS]
    unused = _unused(bundle, doc["metadata"])
    unused_zipped = _zip({name: files[name] for name in unused})
    groups: dict[str, list[str]] = {}
    for name in unused:  # runtime/service/app.py -> runtime/service/; runtime/cli.py -> runtime/*
        group = name.rsplit("/", 1)[0] + ("/" if name.count("/") > 1 else "/*")
        groups.setdefault(group, []).append(name)
    sized = sorted(
        ((_zip({n: files[n] for n in names}), group) for group, names in groups.items()),
        reverse=True,
    )
    where = ", ".join(f"{group} {size / 1024:.0f} KB" for size, group in sized[:4])
    runtime_share = (len(bundle) - own) / len(bundle)
    return [
        Row(
            benchmark=f"bundle zip: {EXAMPLE.name} ({len(files)} files, no AI SDK)",
            measured=(
                f"{len(bundle) / 1024:.1f} KB; requires: {', '.join(requires)}"
                + (f" [AI SDKs: {', '.join(sdks)}]" if sdks else "")
            ),
            baseline=f"{own / 1024:.1f} KB entry + plan + graph alone",
            ratio=f"{runtime_share:.0%} is runtime/nodes source",
            target="-",
            verdict=INFO,
        ),
        Row(
            benchmark="  diag: bundled source never imported to run it",
            measured=(
                f"{len(unused)} of {sum(n.endswith('.py') for n in files)} .py files,"
                f" {unused_zipped / 1024:.1f} KB zipped"
            ),
            baseline=where + (", …" if len(sized) > 4 else ""),
            ratio=f"{unused_zipped / len(bundle):.0%} of the zip",
            target="-",
            verdict=INFO,
        ),
    ]
