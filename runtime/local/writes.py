"""What a recorded request is: a read (never recorded) or a write, and which state it changes.

The local endpoint records writes only, so a restart replays what changed state rather than
every request ever made (issue 14.5: 176,000 recorded requests, most of them reads).
Compaction replaces DynamoDB and S3 object writes with a snapshot of the live state; requests
to other services (a CloudFormation deploy, say) and S3 bucket settings are kept verbatim.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Any
from urllib.parse import parse_qs, urlsplit

_READ_VERBS = ("Get", "Describe", "List", "Query", "Scan", "BatchGet", "TransactGet", "Head")
_CREDENTIAL = re.compile(r"Credential=[^/,\s]+/[^/]+/([^/]+)/([^/]+)/aws4_request")
_LOCAL_HOSTS = ("127.0.0.1", "localhost")


class Kind(Enum):
    """Where a write's effect ends up after compaction."""

    DYNAMODB = "dynamodb"  # replaced by the table snapshot
    S3_OBJECT = "s3-object"  # replaced by the bucket and object snapshot
    S3_BUCKET_SETTING = "s3-bucket-setting"  # kept, replayed after the buckets exist
    OTHER = "other"  # kept, replayed first, in order


def _header(headers: dict[str, Any], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return str(value)
    return ""


def _operation(headers: dict[str, Any], url: str, body: str) -> str:
    """The API action name for JSON (X-Amz-Target) and query (Action=) protocols, else ''."""
    target = _header(headers, "x-amz-target")
    if target:
        return target.rsplit(".", 1)[-1]
    query = urlsplit(url).query
    for source in (query, body if "=" in body[:200] else ""):
        action = parse_qs(source).get("Action")
        if action:
            return action[0]
    return ""


def is_read(method: str, url: str, headers: dict[str, Any], body: str = "") -> bool:
    """True for a request that cannot change state (GET/HEAD, Get*/Describe*/List*/Query/Scan)."""
    if method.upper() in ("GET", "HEAD", "OPTIONS"):
        return True
    return _operation(headers, url, body).startswith(_READ_VERBS)


def service_of(headers: dict[str, Any], url: str) -> str:
    """The signing service from SigV4's credential scope (header or presigned query)."""
    match = _CREDENTIAL.search(_header(headers, "authorization"))
    if match:
        return match.group(2)
    credential = parse_qs(urlsplit(url).query).get("X-Amz-Credential")
    if credential:
        parts = credential[0].split("/")
        if len(parts) >= 4:
            return parts[3]
    return ""


def kind_of(entry: dict[str, Any]) -> Kind:
    """Classify one recorded request (moto's entry shape) for compaction."""
    headers = entry.get("headers") or {}
    url = str(entry.get("url", ""))
    service = service_of(headers, url)
    if service == "dynamodb" or _header(headers, "x-amz-target").startswith("DynamoDB_"):
        return Kind.DYNAMODB
    if service != "s3":
        return Kind.OTHER
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    path = parts.path.strip("/")
    path_style = host in _LOCAL_HOSTS or host.startswith("s3.") or host == "s3.amazonaws.com"
    object_level = "/" in path if path_style else bool(path)
    if object_level:
        return Kind.S3_OBJECT
    subresources = set(parse_qs(parts.query, keep_blank_values=True))
    if not subresources or subresources <= {"delete"}:
        return Kind.S3_OBJECT  # CreateBucket, DeleteBucket, DeleteObjects: in the snapshot
    return Kind.S3_BUCKET_SETTING
