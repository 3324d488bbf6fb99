"""The service bundle a tenant stack's function runs (``build_service_bundle``)."""

from __future__ import annotations

import io
import json
import re
import zipfile

from runtime.engine.bundle import SERVICE_HANDLER, build_service_bundle


def test_service_bundle_is_deterministic_and_names_its_handler() -> None:
    first = build_service_bundle()
    assert first == build_service_bundle()
    archive = zipfile.ZipFile(io.BytesIO(first))
    names = set(archive.namelist())
    manifest = json.loads(archive.read("auterity/manifest.json"))
    assert manifest["handler"] == SERVICE_HANDLER == "runtime.service.lambda_handler.handler"
    assert "runtime/service/lambda_handler.py" in names
    assert not any(n.startswith("runtime/local/llm/") for n in names)
    required = {re.split(r"[<>=\[ ;]", r, maxsplit=1)[0] for r in manifest["requires"]}
    # The management API validates and compiles graphs: NetworkX is needed at run time here.
    assert {"fastapi", "mangum", "aws-lambda-powertools", "boto3", "pydantic", "networkx"} <= (
        required
    )
    assert not {"uvicorn", "typer", "rich", "moto"} & required
