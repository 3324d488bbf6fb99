"""Provision, inspect, update and tear down a tenant's stack: one code path for every target.

Each operation is a :class:`Job` of named steps (synth, assets, deploy, brand, validate...)
whose progress is saved to a sink and shown by listeners. The AWS clients are injected
(:class:`AwsClients`); without them, ``clients_for(target, region)`` makes them, so the
``local`` target is the local endpoint and ``aws`` is whatever boto3 resolves.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from infra.cdk.config import PLATFORM_STACK, STACK_PREFIX, TenantConfig
from infra.cdk.synth import Synthesized, SynthesizedStack, synthesize
from runtime.store.tenant import TenantStore
from runtime.tenant.brand import BrandPackage
from whitelabel.provision import bootstrap, brand_assets, checks, stacks
from whitelabel.provision.account import PlatformAccount
from whitelabel.provision.clients import AwsClients, clients_for
from whitelabel.provision.errors import ProvisionError, StackNotFound
from whitelabel.provision.jobs import Job, JobKind, JobRun, JobSink, Listener, StepLog, Target

Synthesizer = Callable[[TenantConfig, Path], Synthesized]


@dataclass(frozen=True)
class Options:
    """How to run a job; every field has a default that does the real thing."""

    target: Target = "local"
    clients: AwsClients | None = None
    sink: JobSink | None = None
    listeners: tuple[Listener, ...] = ()
    workdir: Path | None = None
    """Where the cloud assembly is written (a temporary folder when None)."""
    synthesizer: Synthesizer | None = None
    http_get: Callable[[str], int] | None = None
    job_id: str | None = None
    """The job's id, when the caller must know it before the job starts (the API does)."""
    account: PlatformAccount | None = None
    """The tenant's account on the platform (tenant, first admin, brand, templates).

    Set up after the stack answers, removed at teardown; None leaves the platform alone.
    """


class TenantStatus(BaseModel):
    tenant: str
    stack: str
    status: str
    outputs: dict[str, str]
    resources: dict[str, str]
    """Logical id -> ``<type> <status>``."""
    config: TenantConfig | None = None


def _clients(options: Options, region: str) -> AwsClients:
    return options.clients or clients_for(options.target, region)


def _synthesize(config: TenantConfig, outdir: Path) -> Synthesized:
    return synthesize(config, outdir)


@contextmanager
def _workdir(options: Options) -> Iterator[Path]:
    if options.workdir is not None:
        options.workdir.mkdir(parents=True, exist_ok=True)
        yield options.workdir
        return
    with tempfile.TemporaryDirectory(prefix="auterity-cdk-") as folder:
        yield Path(folder)


def _run(tenant: str, kind: JobKind, options: Options) -> JobRun:
    job = Job(tenant=tenant, kind=kind, target=options.target)
    if options.job_id is not None:
        job.id = options.job_id
    return JobRun(job, options.sink, options.listeners)


def _deploy_stack(
    clients: AwsClients,
    target: Target,
    stack: SynthesizedStack,
    tags: dict[str, str],
    log: StepLog,
) -> dict[str, str]:
    template = stacks.prepared(stack.template, target)
    return stacks.deploy(clients.cloudformation, stack.name, template, tags, log)


def _apply(
    run: JobRun,
    config: TenantConfig,
    package: BrandPackage,
    clients: AwsClients,
    options: Options,
) -> Job:
    """Synth, upload assets, deploy (platform first when pooled), brand, validate."""
    if options.target == "local" and config.custom_domain is not None:
        # The local endpoint has no API Gateway domain names (nor ACM, nor DNS): moto would
        # skip them, and fail on the output that reads the domain's target.
        raise ProvisionError(
            f"a custom domain ({config.custom_domain.domain_name}) needs API Gateway domain "
            f"names and an ACM certificate: use --target aws"
        )
    synthesizer = options.synthesizer or _synthesize
    with _workdir(options) as workdir:
        with run.step("synth") as log:
            log.note(f"synthesizing {config.stack_name} ({config.table_mode} table)")
            synthesized = synthesizer(config, workdir / "cdk.out")
            resources = len(synthesized.tenant.template.get("Resources", {}))
            log.note(f"{resources} resources, {len(synthesized.tenant.assets)} file assets")
        with run.step("assets") as log:
            for stack in (synthesized.platform, synthesized.tenant):
                if stack is not None:
                    bootstrap.upload_assets(clients, options.target, stack.assets, log)
        if synthesized.platform is not None:
            with run.step("platform") as log:
                _deploy_stack(
                    clients,
                    options.target,
                    synthesized.platform,
                    {"auterity:tenant": "platform"},
                    log,
                )
        with run.step("deploy") as log:
            outputs = _deploy_stack(clients, options.target, synthesized.tenant, config.tags, log)
    with run.step("brand") as log:
        brand_assets.upload_brand(clients, outputs["BucketName"], config, package, log)
    with run.step("validate") as log:
        checks.validate(clients, outputs, options.target, log, http_get=options.http_get)
        if options.account is None:
            log.note(f"tenant {config.tenant} is active")
    if options.account is not None:
        with run.step("account") as log:
            options.account.apply(config, package, log)
            log.note(f"tenant {config.tenant} is active")
    return run.finish(outputs)


@contextmanager
def _failing(run: JobRun) -> Iterator[None]:
    try:
        yield
    except Exception as error:
        run.fail(error)
        raise


def provision(config: TenantConfig, package: BrandPackage, options: Options | None = None) -> Job:
    """Create (or bring up to date) the tenant's stack, put its brand in, check it answers.

    ``package`` is the checked brand with its files (``load_brand`` or the API's upload);
    ``config.brand`` must be its brand. Returns the finished job, outputs included.
    """
    options = options or Options()
    if config.brand != package.brand:
        raise ValueError("config.brand is not the package's brand")
    run = _run(config.tenant, "provision", options)
    with _failing(run):
        return _apply(run, config, package, _clients(options, config.region), options)


def _current(clients: AwsClients, tenant: str) -> tuple[dict[str, Any], TenantConfig]:
    name = STACK_PREFIX + tenant
    stack = stacks.describe(clients.cloudformation, name)
    if stack is None:
        raise StackNotFound(f"tenant {tenant} has no stack ({name}); provision it first")
    outputs = stacks.outputs_of(stack)
    if "BucketName" not in outputs:
        raise ProvisionError(f"stack {name} has no BucketName output ({stack['StackStatus']})")
    return stack, brand_assets.read_config(clients, outputs["BucketName"])


def update(
    tenant: str,
    *,
    region: str = "us-east-1",
    package: BrandPackage | None = None,
    changes: dict[str, Any] | None = None,
    options: Options | None = None,
) -> Job:
    """Re-synthesize with a new brand and/or config changes and deploy the difference."""
    options = options or Options()
    clients = _clients(options, region)
    run = _run(tenant, "update", options)
    with _failing(run):
        with run.step("read") as log:
            stack, config = _current(clients, tenant)
            log.note(f"{stack['StackName']} is {stack['StackStatus']}")
            bucket = stacks.outputs_of(stack)["BucketName"]
            if package is None:
                package = BrandPackage(
                    brand=config.brand, files=brand_assets.read_files(clients, bucket, config)
                )
            fields = {**config.model_dump(), **(changes or {}), "brand": package.brand}
            wanted = TenantConfig.model_validate(fields)
            for fixed in ("tenant", "table_mode", "region"):
                if getattr(wanted, fixed) != getattr(config, fixed):
                    raise ProvisionError(
                        f"{fixed} cannot change on an existing stack (its data would not move): "
                        f"tear it down and provision again"
                    )
            config = wanted
        return _apply(run, config, package, clients, options)


def _delete_tenant_items(clients: AwsClients, tenant: str, table_name: str) -> int:
    """Every item under the tenant's prefix in the pooled table (what an export would hold)."""
    return TenantStore(clients.dynamodb, tenant, table_name).delete_all()


def status(
    tenant: str, *, region: str = "us-east-1", options: Options | None = None
) -> TenantStatus:
    """The stack's status, outputs and resources, and the config it was built from."""
    options = options or Options()
    clients = _clients(options, region)
    name = STACK_PREFIX + tenant
    stack = stacks.describe(clients.cloudformation, name)
    if stack is None:
        raise StackNotFound(f"tenant {tenant} has no stack ({name})")
    outputs = stacks.outputs_of(stack)
    resources = {
        logical: f"{summary['ResourceType']} {summary['ResourceStatus']}"
        for logical, summary in sorted(stacks.stack_resources(clients.cloudformation, name).items())
    }
    config = None
    if "BucketName" in outputs:
        try:
            config = brand_assets.read_config(clients, outputs["BucketName"])
        except ProvisionError:
            config = None
    return TenantStatus(
        tenant=tenant,
        stack=name,
        status=str(stack["StackStatus"]),
        outputs=outputs,
        resources=resources,
        config=config,
    )


def teardown(tenant: str, *, region: str = "us-east-1", options: Options | None = None) -> Job:
    """Empty the brand bucket, delete the stack, and check its resources are gone.

    With ``retain_data`` the table, bucket and key stay (and are reported as kept). The
    platform stack of pooled tenants is never deleted here: other tenants live in it; this
    tenant's items in its table are (unless ``retain_data``).
    """
    options = options or Options()
    clients = _clients(options, region)
    run = _run(tenant, "teardown", options)
    with _failing(run):
        with run.step("read") as log:
            stack, config = _current(clients, tenant)
            outputs = stacks.outputs_of(stack)
            log.note(f"{stack['StackName']} is {stack['StackStatus']}")
        with run.step("empty bucket") as log:
            if config.retain_data:
                log.skip(f"kept s3://{outputs['BucketName']} (retain_data)")
            else:
                brand_assets.empty_bucket(clients, outputs["BucketName"], log)
        with run.step("delete") as log:
            stacks.delete(clients.cloudformation, stack["StackName"], log)
        if config.table_mode == "pooled":
            with run.step("delete tenant items") as log:
                if config.retain_data:
                    log.skip(f"kept {tenant}'s items in {outputs['TableName']} (retain_data)")
                else:
                    removed = _delete_tenant_items(clients, tenant, outputs["TableName"])
                    log.note(f"deleted {removed} items of {tenant} from {outputs['TableName']}")
        if options.account is not None:
            with run.step("account") as log:
                options.account.remove(tenant, log)
        with run.step("check gone") as log:
            kept = {"TableName", "BucketName", "KeyArn", "IdempotencyTableName"}
            expected_gone = {
                k: v for k, v in outputs.items() if not (config.retain_data and k in kept)
            }
            if config.table_mode == "pooled":
                expected_gone.pop("TableName", None)  # the platform's: it stays
            left = checks.leftovers(clients, expected_gone)
            if left:
                raise ProvisionError("still there after the stack was deleted: " + ", ".join(left))
            log.note("every resource of the stack is gone")
        return run.finish(
            {} if not config.retain_data else {k: v for k, v in outputs.items() if k in kept}
        )


__all__ = [
    "PLATFORM_STACK",
    "Options",
    "TenantStatus",
    "provision",
    "status",
    "teardown",
    "update",
]
