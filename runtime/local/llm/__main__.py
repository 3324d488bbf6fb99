"""``python -m runtime.local.llm [--port N]``: serve the fake provider until interrupted.

Prints one JSON line with its base URLs and an ``AUTERITY_AI_PROVIDERS`` value, so a local
stack (or a benchmark) can point the real SDKs at it without any real credentials.
"""

from __future__ import annotations

import argparse
import json
import signal
import threading

from runtime.local.llm.server import FakeProvider


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="0: chosen by the OS")
    args = parser.parse_args()
    server = FakeProvider()
    server.start(port=args.port)
    providers = [p.model_dump(mode="json") for p in server.providers()]
    for provider in providers:
        provider["api_key"] = "fake"
    print(
        json.dumps(
            {
                "url": server.url,
                "openai_url": server.openai_url,
                "anthropic_url": server.anthropic_url,
                "AUTERITY_AI_PROVIDERS": json.dumps(providers),
            }
        ),
        flush=True,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
