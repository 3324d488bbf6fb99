"""Big node outputs leave the state machine's state and come back by reference.

Every state of an execution must fit in 256 KiB (``limits.STATE_PAYLOAD_BYTES``), and every Task
sends the step handler the records so far. So when one answer's record would be larger than
``OFFLOAD_ABOVE``, the handler writes each big port value to the tenant's bucket and leaves
``{"$auterity_offloaded": <key>}`` in its place (the port stays, so the gates' ``IsPresent``
still sees it fire); the next handler (and the endpoint's answer) reads every reference back
before the node runs, so a node never sees one. Keys are the content's digest: an Express
workflow may run a state twice, and a second write of the same value is the same object.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Protocol

OFFLOAD_ABOVE = 200 * 1024
"""Bytes of JSON above which a record's big port values go to the bucket: the record's own, plus
the state it joins (what the handler was sent: the run and the records so far), since the whole
state must fit in 256 KiB and a Task's answer is stored inside it."""
SMALL_VALUE = 1024
"""Port values this small stay inline even in a record that is offloaded."""
REFERENCE = "$auterity_offloaded"


class Offload(Protocol):
    """Where offloaded values live (the tenant's bucket, under its prefix)."""

    def put(self, digest: str, data: bytes) -> str:
        """Store ``data``; the reference (an object key) to read it back with."""

    def get(self, reference: str) -> bytes: ...


def _encoded(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def encoded_size(value: Any) -> int:
    return len(_encoded(value))


def shrink(record: dict[str, Any], offload: Offload | None, state_bytes: int = 0) -> dict[str, Any]:
    """``record`` with big ``out`` values as references, if the state would pass the limit.

    ``state_bytes``: the size of the state the record joins (what the handler was sent).
    """
    if offload is None or state_bytes + encoded_size(record) <= OFFLOAD_ABOVE:
        return record
    out = dict(record.get("out") or {})
    for port, value in out.items():
        data = _encoded(value)
        if len(data) > SMALL_VALUE:
            out[port] = {REFERENCE: offload.put(hashlib.sha256(data).hexdigest(), data)}
    return {**record, "out": out}


def restore(value: Any, offload: Offload | None) -> Any:
    """``value`` with every reference read back (anywhere in it: records, Map results)."""
    if isinstance(value, dict):
        reference = value.get(REFERENCE)
        if len(value) == 1 and isinstance(reference, str):
            if offload is None:
                raise RuntimeError("an offloaded value arrived, and no bucket is configured")
            return json.loads(offload.get(reference))
        return {k: restore(v, offload) for k, v in value.items()}
    if isinstance(value, list):
        return [restore(v, offload) for v in value]
    return value
