"""Provisioning a tenant's own stack (``infra/cdk``) on the local endpoint or on AWS.

``provision(config, package, options)`` returns the finished :class:`Job` with the stack's
outputs; ``status``, ``update`` and ``teardown`` take the tenant id. See ``engine``.
"""

from whitelabel.provision.clients import AwsClients, clients_for
from whitelabel.provision.engine import Options, TenantStatus, provision, status, teardown, update
from whitelabel.provision.errors import ProvisionError, SkippedResources, StackNotFound
from whitelabel.provision.job_store import StoreJobSink
from whitelabel.provision.jobs import Job, JobRun, JobSink, MemorySink, Step

__all__ = [
    "AwsClients",
    "Job",
    "JobRun",
    "JobSink",
    "MemorySink",
    "Options",
    "ProvisionError",
    "SkippedResources",
    "StackNotFound",
    "Step",
    "StoreJobSink",
    "TenantStatus",
    "clients_for",
    "provision",
    "status",
    "teardown",
    "update",
]
