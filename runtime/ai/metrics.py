"""AI call metrics as CloudWatch Embedded Metric Format log lines.

On Lambda, CloudWatch turns each EMF line into metrics (tokens, cost, latency, by tenant,
provider, model and outcome) with no agent and no extra API call; elsewhere it is a structured
log line any collector can parse. Nothing is built when the logger is off.
"""

from __future__ import annotations

import json
import logging
import time

from runtime.ai.usage import AiCall

log = logging.getLogger("auterity.metrics.ai")
NAMESPACE = "Auterity/AI"
DIMENSIONS = [["tenant", "provider", "model", "outcome"], ["provider", "outcome"]]
METRICS = [
    {"Name": "Calls", "Unit": "Count"},
    {"Name": "Attempts", "Unit": "Count"},
    {"Name": "InputTokens", "Unit": "Count"},
    {"Name": "OutputTokens", "Unit": "Count"},
    {"Name": "CostUSD", "Unit": "None"},
    {"Name": "LatencyMs", "Unit": "Milliseconds"},
]


def emit(call: AiCall) -> None:
    if not log.isEnabledFor(logging.INFO):
        return
    document = {
        "_aws": {
            "Timestamp": int(time.time() * 1000),
            "CloudWatchMetrics": [
                {"Namespace": NAMESPACE, "Dimensions": DIMENSIONS, "Metrics": METRICS}
            ],
        },
        "tenant": call.tenant_id,
        "provider": call.provider,
        "model": call.model,
        "outcome": call.outcome,
        "graph_id": call.graph_id,
        "node_id": call.node_id,
        "Calls": 1,
        "Attempts": call.attempts,
        "InputTokens": call.input_tokens,
        "OutputTokens": call.output_tokens,
        "CostUSD": call.cost_usd,
        "LatencyMs": round(call.latency_ms, 3),
    }
    log.info(json.dumps(document, separators=(",", ":")))
