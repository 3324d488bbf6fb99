"""A local stand-in for the OpenAI and Anthropic APIs, for tests, benchmarks and ``make run``.

It speaks both wire formats (plain, streaming and structured), answers from a per-test script
of replies (or synthesizes a schema-valid one), and records every request, so a test can prove
exactly how many calls a provider saw.
"""

from runtime.local.llm.script import Reply
from runtime.local.llm.server import FakeProvider, Recorded

__all__ = ["FakeProvider", "Recorded", "Reply"]
