"""Schemathesis over ``/openapi.json``: no generated request, valid or not, is a server error.

Every operation in the document gets schema-valid (positive) and schema-violating (negative)
cases, sent in-process to the ASGI app as tenant ``acme`` (admin), over seeded data so the
generated ids sometimes hit real things (``lead_scoring``, version 2, slug ``leads``...).
Schemathesis' ``not_a_server_error`` check is applied to every response, and positive cases are
also checked against the response schema the document declares.

The deployed endpoints (``/t/{tenant}/{slug}``) are not in the document; ``test_bad_requests``
fuzzes them.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import response_schema_conformance

from runtime.store import Directory
from tests.service.attacks.conftest import seed_a
from tests.service.conftest import Tenant

EXAMPLES_PER_OPERATION = 30
PUBLIC_OPERATIONS = frozenset(
    {
        "POST /api/v1/auth/login",
        "GET /api/v1/brand/public",
        "GET /api/v1/brand/public/assets/{tenant}/{file_name}",
    }
)
"""No credential needed, by design: logging in, and the brand that a login page shows."""


ENDS_SESSIONS = "POST /api/v1/auth/logout"
"""Run last: it ends the seeded admin's sessions, and every operation after it would be a 401."""


def _operations(client: TestClient) -> list[Any]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operations.append(result.ok())
    return sorted(operations, key=lambda operation: operation.label == ENDS_SESSIONS)


def _run(
    operation: Any, mode: GenerationMode, headers: dict[str, str], checks: list[Any]
) -> list[str]:
    """Run one operation's cases; the failures, as text (empty if none)."""
    failures: list[str] = []
    strategy = operation.as_strategy(generation_mode=mode, headers=headers)

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def check(case: Any) -> None:
        response = case.call(headers=headers)
        case.validate_response(response, checks=checks, headers=headers)

    try:
        check()
    except Unsatisfiable:
        # Negative mode on an operation whose only inputs are the fixed credential headers:
        # there is nothing left to make invalid.
        assert mode is GenerationMode.NEGATIVE, operation.label
    except Exception as exc:  # FailureGroup, or hypothesis' group of distinct failures
        failures.append(f"{mode.value} {operation.label}:\n{exc}")
    return failures


@pytest.fixture
def seeded(client: TestClient, aws: Any, acme: Tenant, acme_co: Tenant) -> Tenant:
    seed_a(client, acme, Directory(aws, "auterity").tenant("acme"))
    return acme


def _credentials(tenant: Tenant) -> dict[str, str]:
    # Both credential headers are parameters in the document; left to schemathesis they would be
    # random and every case a 401. Fixed, the cases reach the handlers.
    return {"authorization": f"Bearer {tenant.token}", "x-api-key": tenant.api_key}


@pytest.mark.timeout(300)
def test_no_invalid_generated_request_is_a_server_error(client: TestClient, seeded: Tenant) -> None:
    """Requests that break the documented schema; the valid ones are the next test's cases
    (the same examples: generation is derandomized), checked there for 5xx too."""
    operations = _operations(client)
    assert len(operations) >= 20, [op.label for op in operations]
    failures: list[str] = []
    for operation in operations:
        failures += _run(
            operation, GenerationMode.NEGATIVE, _credentials(seeded), [not_a_server_error]
        )
    assert not failures, "\n\n".join(failures)


@pytest.mark.timeout(300)
def test_valid_generated_requests_get_documented_responses_and_no_server_error(
    client: TestClient, seeded: Tenant
) -> None:
    failures: list[str] = []
    for operation in _operations(client):
        failures += _run(
            operation,
            GenerationMode.POSITIVE,
            _credentials(seeded),
            [not_a_server_error, response_schema_conformance],
        )
    assert not failures, "\n\n".join(failures)


@pytest.mark.timeout(120)
def test_unauthenticated_generated_requests_are_refused(client: TestClient, seeded: Tenant) -> None:
    """With schemathesis choosing the credential headers too: 401/403/422, never 2xx or 5xx."""
    failures: list[str] = []
    for operation in _operations(client):
        if operation.label in PUBLIC_OPERATIONS:
            continue
        strategy = operation.as_strategy(generation_mode=GenerationMode.POSITIVE)

        @settings(max_examples=10, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        @given(case=strategy, drop=st.booleans())
        def check(case: Any, drop: bool) -> None:
            if drop and case.headers:
                case.headers = {k: v for k, v in case.headers.items()
                                if k.lower() not in ("authorization", "x-api-key")}  # fmt: skip
            response = case.call()
            assert response.status_code in (401, 403, 422), (
                f"{case.operation.label}: {response.status_code} {response.text[:200]}"
            )

        try:
            check()
        except AssertionError as exc:
            failures.append(str(exc))
    assert not failures, "\n".join(failures)
