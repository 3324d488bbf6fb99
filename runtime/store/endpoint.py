"""Where the local AWS endpoint listens: the one ``make run`` starts, ``--target local`` uses.

Kept with the store (the lowest layer that talks to AWS) so that the local stack, which starts
the endpoint, and provisioning, which deploys to it, read the address the same way without
provisioning depending on the stack.
"""

from __future__ import annotations

import os

DEFAULT_PORT = 4566
PORT_ENV = "AUTERITY_AWS_PORT"


class LocalAwsError(RuntimeError):
    """A one-line, actionable reason the local AWS endpoint could not be started."""


def configured_port(port: int | None = None) -> int:
    """The port to use: the argument, else ``$AUTERITY_AWS_PORT``, else 4566."""
    if port is not None:
        return port
    raw = os.environ.get(PORT_ENV, "").strip()
    if not raw:
        return DEFAULT_PORT
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise LocalAwsError(f"{PORT_ENV}={raw!r} is not a port number (1-65535)")
    return int(raw)


def local_endpoint() -> str:
    """``AWS_ENDPOINT_URL`` if set, else the local endpoint's address."""
    return os.environ.get("AWS_ENDPOINT_URL") or f"http://127.0.0.1:{configured_port()}"
