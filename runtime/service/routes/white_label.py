"""White-label provisioning over the API: start a job, then poll it.

``POST /api/v1/white-label/deploy`` starts a job that builds a branded tenant's stack and
platform account; ``GET .../jobs/{id}`` polls it.

Only an admin holding the ``white_label`` permission may call it (an agency or dealer group
provisioning its customers), and every step is in the caller's audit trail. The job runs the
same engine as ``auterity tenant provision`` in a worker thread and is kept under the caller's
tenant, so another tenant cannot even learn that a job id exists. The first admin's one-time
password is in the 202 answer only: the job record never holds it.
"""

from __future__ import annotations

import base64
import binascii
import logging
import uuid
from typing import Any, Literal

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from runtime.service.deps import AuditTrail, State, WhiteLabelAdmin
from runtime.service.errors import ApiError, not_found
from runtime.service.routes.brand import BrandFields
from runtime.service.state import ServiceState
from runtime.store import InvalidInput
from runtime.tenant.industry import Industry

router = APIRouter(prefix="/white-label", tags=["white-label"])
log = logging.getLogger("auterity.white_label")


class ProvisionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tenant: str = Field(min_length=1, max_length=63, description="The new tenant's id.")
    industry: Industry = "general"
    brand: BrandFields
    logo: str | None = Field(default=None, max_length=1_000_000, description="Base64 file.")
    favicon: str | None = Field(default=None, max_length=100_000, description="Base64 file.")
    admin_email: str = Field(min_length=3, max_length=254)
    target: Literal["local", "aws"] = "local"
    table_mode: Literal["dedicated", "pooled"] = "dedicated"


class ProvisionStarted(BaseModel):
    job_id: str
    tenant: str
    poll: str
    admin_email: str
    one_time_password: str
    """Shown once: the first admin logs in with it and must then choose their own."""


def _decoded(name: str, text: str | None) -> bytes | None:
    if text is None:
        return None
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(422, "invalid", f"{name}: not base64 data") from None


def _problems(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'config'}: {e['msg']}" for e in error.errors()
    )


def _job_sink(state: ServiceState, owner: str) -> Any:
    from whitelabel.provision.job_store import StoreJobSink  # cold start: provisioning

    return StoreJobSink(state.client, state.config.table_name, owner=owner)


@router.post("/deploy", status_code=status.HTTP_202_ACCEPTED)
async def deploy(
    body: ProvisionRequest, auth: WhiteLabelAdmin, state: State, trail: AuditTrail
) -> ProvisionStarted:
    """Start provisioning a branded tenant (stack, brand, first admin); answers at once."""
    import boto3  # type: ignore[import-untyped]

    from infra.cdk.config import TenantConfig
    from runtime.store import InvalidInput, NotFound
    from runtime.store.keys import normalize_email
    from runtime.tenant.brand import BrandError, check_brand
    from whitelabel.provision import AwsClients, Options, provision
    from whitelabel.provision.account import PlatformAccount, one_time_password
    from whitelabel.provision.jobs import Job, Step

    principal, _ = auth
    decoded = (
        ("logo", _decoded("logo", body.logo)),
        ("favicon", _decoded("favicon", body.favicon)),
    )
    files = {kind: data for kind, data in decoded if data is not None}
    try:
        package = check_brand(body.brand.model_dump(), files)  # type: ignore[arg-type]
    except BrandError as error:
        raise ApiError(422, "invalid", f"brand: {error}") from None
    try:
        admin = normalize_email(body.admin_email)
    except InvalidInput as error:
        raise ApiError(422, "invalid", f"admin_email: {error}") from None
    try:
        config = TenantConfig.model_validate(
            {
                "tenant": body.tenant,
                "industry": body.industry,
                "brand": package.brand,
                "table_mode": body.table_mode,
            }
        )
    except ValidationError as error:
        raise ApiError(422, "invalid", _problems(error)) from None
    try:
        await run_in_threadpool(state.directory.get_tenant, config.tenant)
    except NotFound:
        pass
    else:
        raise ApiError(409, "conflict", f"tenant: {config.tenant} already exists")

    password = one_time_password()
    account = PlatformAccount(
        state.directory, state.s3, state.config.assets_bucket, admin, password
    )
    tenant = config.tenant

    def audit_step(job: Job, step: Step | None) -> None:
        if step is not None and step.status in ("succeeded", "failed", "skipped"):
            trail.record_audit(
                actor=principal.actor,
                action=f"white_label.provision.{step.name}",
                target=tenant,
                details={"job_id": job.id, "status": step.status},
            )
        elif step is None and job.status != "running":
            trail.record_audit(
                actor=principal.actor,
                action="white_label.provision.finished",
                target=tenant,
                details={"job_id": job.id, "status": job.status, "error": job.error},
            )

    job_id = uuid.uuid4().hex
    options = Options(
        target=body.target,
        # boto3 resolves the endpoint (AWS_ENDPOINT_URL locally), as for the service's own table.
        clients=AwsClients.from_session(boto3.Session(region_name=config.region)),
        sink=_job_sink(state, trail.tenant_id),
        listeners=(audit_step,),
        account=account,
        job_id=job_id,
    )
    await run_in_threadpool(
        trail.record_audit,
        actor=principal.actor,
        action="white_label.provision",
        target=tenant,
        details={"job_id": job_id, "target": body.target, "industry": body.industry},
    )

    def work() -> None:
        try:
            provision(config, package, options)
        except Exception:  # the job record and the trail say what failed
            log.exception("provisioning %s failed", tenant)

    state.spawn(run_in_threadpool(work))
    return ProvisionStarted(
        job_id=job_id,
        tenant=tenant,
        poll=f"/api/v1/white-label/jobs/{job_id}",
        admin_email=admin,
        one_time_password=password,
    )


@router.get("/jobs/{job_id}")
def job(job_id: str, auth: WhiteLabelAdmin, state: State) -> Any:
    """A provisioning job this tenant started: its steps, status and (when done) outputs."""
    principal, _ = auth
    tenant_id = principal.tenant_id
    try:
        found = _job_sink(state, tenant_id).get(tenant_id, job_id)
    except InvalidInput:
        found = None
    if found is None:
        raise not_found("job")
    return found.model_dump(mode="json")
