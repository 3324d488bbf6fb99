"""The cold-import baseline: a bare FastAPI app with one route, wrapped for Lambda by Mangum."""

from __future__ import annotations

from fastapi import FastAPI
from mangum import Mangum

app = FastAPI()


@app.get("/healthz")
def health() -> dict[str, str]:
    return {"status": "ok"}


handler = Mangum(app, lifespan="off")
