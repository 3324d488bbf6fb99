"""The hand-written baseline: one FastAPI route doing the six-node graph's work in Python.

Same request and response as the deployed ``bench/graphs/six-nodes.graph.json``: check the
API key, validate the lead (a pydantic model standing in for the webhook's declared fields),
score it, and answer with tier and next action. And the same persistence the product does per
request: one conditional PutItem of a comparable run record (run id, status, timestamps, the
response, and a six-step trace holding each step's input and output, the request's headers
without credentials included) to the same DynamoDB: about 3 KB, the product's about 4 KB.

What it leaves out is what the product adds on top: looking the tenant, the key, the
deployment and the settings up in DynamoDB, the executor, per-node contexts and trace models.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

import boto3  # type: ignore[import-untyped]
from fastapi import FastAPI, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

TABLE = os.environ.get("AUTERITY_TABLE", "auterity")
KEY_SHA256 = hashlib.sha256(os.environ["BENCH_API_KEY"].encode()).hexdigest()
RETENTION_SECONDS = 30 * 86_400
CREDENTIAL_HEADERS = frozenset({"authorization", "x-api-key", "cookie"})

app = FastAPI()
dynamodb = boto3.client("dynamodb")


class Lead(BaseModel):
    email: str
    name: str | None = None
    budget: int | float
    timeline: str | None = None
    source: str | None = None


class LeadRequest(BaseModel):
    lead: Lead


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _text(value: Any) -> dict[str, str]:
    return {"S": json.dumps(value, separators=(",", ":"))}


@app.post("/t/{tenant}/{slug}")
def score_lead(
    tenant: str,
    slug: str,
    body: LeadRequest,
    request: Request,
    x_api_key: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    digest = hashlib.sha256((x_api_key or "").encode()).hexdigest()
    if not hmac.compare_digest(digest, KEY_SHA256):
        return JSONResponse({"error": {"code": "unauthorized"}}, status_code=401)
    started, t0 = _now(), time.perf_counter()
    lead = body.lead.model_dump()
    headers = {k: v for k, v in request.headers.items() if k not in CREDENTIAL_HEADERS}
    event = {"method": "POST", "path": request.url.path, "headers": headers, "body": {"lead": lead}}
    points = {
        "budget": 40 if lead["budget"] >= 30000 else 20 if lead["budget"] >= 15000 else 0,
        "timeline": {"this_month": 35, "this_quarter": 15}.get(lead["timeline"] or "", 0),
        "source": {"referral": 25, "web": 10}.get(lead["source"] or "", 0),
    }
    score = sum(points.values())
    scored: dict[str, Any] = {"lead": lead, "points": points, "score": score}
    qualified = score >= 40
    steps: list[tuple[str, Any, Any]] = [
        ("hook", None, event),
        ("points", event, {"lead": lead, "points": points}),
        ("score", {"lead": lead, "points": points}, scored),
        ("qualified", scored, {"true" if qualified else "false": scored}),
    ]
    response: dict[str, Any] = {"email": lead["email"], "score": score}
    if qualified:
        offer = {
            **scored,
            "tier": "hot" if score >= 70 else "warm",
            "next_action": f"Call {lead['name'] or 'the lead'} today",
        }
        response |= {"tier": offer["tier"], "next_action": offer["next_action"]}
        steps += [("offer", scored, offer), ("reply", offer, response)]
    run_id = uuid.uuid4().hex
    duration_ms = (time.perf_counter() - t0) * 1000
    now = time.time()
    trace = [
        {
            "node": node,
            "status": "ok",
            "inputs": {"in": i},
            "outputs": {"out": o},
            "started_at": now,
            "duration_ms": duration_ms / len(steps),
        }
        for node, i, o in steps
    ]
    dynamodb.put_item(
        TableName=TABLE,
        Item={
            "PK": {"S": f"BASELINE#{tenant}#RUNS"},
            "SK": {"S": f"RUN#{run_id}"},
            "run_id": {"S": run_id},
            "slug": {"S": slug},
            "status": {"S": "succeeded"},
            "trigger": {"S": "http"},
            "started_at": {"S": started},
            "finished_at": {"S": _now()},
            "duration_ms": {"N": f"{duration_ms:.3f}"},
            "output": _text({"status": 200, "body": response}),
            "trace": _text(trace),
            "expires_at": {"N": str(int(time.time()) + RETENTION_SECONDS)},
        },
        ConditionExpression="attribute_not_exists(PK)",
    )
    return JSONResponse(response, headers={"x-auterity-run-id": run_id})
