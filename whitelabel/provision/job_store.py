"""Provisioning jobs in the store's table, where the API will read them back for polling.

Why here and not a new ``runtime.store`` mixin: a job belongs to the tenant it provisions, so
it lives under that tenant's prefix (``TENANT#<t>#JOBS``, ``SK=JOB#<id>``) and is covered by
everything that covers the tenant's items (export, ``dynamodb:LeadingKeys`` fences, teardown
of its data); but the store's key module and mixins are being changed for brands at the same
time, so this writer uses the store's own ``Table`` and ``TenantKeys`` from outside. Moving it
into the store later changes no item. The service's deploy endpoint needs only::

    sink = StoreJobSink(client, config.table_name)
    provision(tenant_config, package, Options(sink=sink))  # in a worker
    sink.get(tenant, job_id)                               # GET .../jobs/{id}
"""

from __future__ import annotations

import json
import time
from typing import Any

from runtime.store.access import Table
from runtime.store.codec import MAX_ITEM_BYTES
from runtime.store.keys import RECORD_ID, Key, TenantKeys, checked
from runtime.store.table import TABLE_NAME_DEFAULT
from whitelabel.provision.jobs import Job

JOBS = "JOBS"
JOB = "JOB#"
KEEP_SECONDS = 90 * 24 * 3600
"""Finished or not, a job's record expires after 90 days (the table's TTL)."""


class StoreJobSink:
    """A :class:`JobSink` that keeps each job as one item, rewritten on every change."""

    def __init__(
        self, client: Any, table_name: str = TABLE_NAME_DEFAULT, *, owner: str | None = None
    ) -> None:
        self._table = Table(client, table_name)
        self._owner = owner
        """The tenant whose items hold the jobs (the one that asked for them through the API);
        None: each job under the tenant it provisions."""

    @staticmethod
    def _key(tenant: str, job_id: str) -> tuple[str, str]:
        return f"{TenantKeys(tenant).prefix}{JOBS}", JOB + checked(RECORD_ID, job_id, "job id")

    def save(self, job: Job) -> None:
        pk, sk = self._key(self._owner or job.tenant, job.id)
        self._table.put(
            {
                "PK": pk,
                "SK": sk,
                "status": job.status,
                "job": _bounded(job).model_dump(mode="json"),
                "expires_at": int(job.created_at.timestamp()) + KEEP_SECONDS,
            }
        )

    def get(self, tenant: str, job_id: str) -> Job | None:
        pk, sk = self._key(tenant, job_id)
        fields = self._table.get(Key(pk, sk))
        if fields is None or fields.get("expires_at", 0) <= time.time():
            return None
        return Job.model_validate(fields["job"])

    def list(self, tenant: str) -> list[Job]:
        """The tenant's jobs, newest first."""
        pk = f"{TenantKeys(tenant).prefix}{JOBS}"
        jobs = [Job.model_validate(f["job"]) for f in self._table.query(pk, prefix=JOB)]
        return sorted(jobs, key=lambda j: j.created_at, reverse=True)


def _bounded(job: Job) -> Job:
    """The job, its oldest step messages dropped until the item fits DynamoDB's limit."""
    keep = 200
    while len(json.dumps(job.model_dump(mode="json"))) > MAX_ITEM_BYTES // 2 and keep > 1:
        keep //= 2
        job = job.model_copy(
            update={
                "steps": [s.model_copy(update={"messages": s.messages[-keep:]}) for s in job.steps]
            }
        )
    return job
