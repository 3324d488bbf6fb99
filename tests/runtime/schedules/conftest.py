"""The service over moto (``tests.service.conftest``), with a graph that runs every minute."""

from __future__ import annotations

from tests.service.conftest import acme, aws, client, config  # noqa: F401  # its fixtures
