"""Synthesis in this process: a config in, CloudFormation templates and their assets out.

``aws_cdk.App(outdir=...)`` writes the cloud assembly (templates, asset manifests, the
bundle zip) to a folder; :class:`Synthesized` is what the provisioning engine and the tests
read from it. The first synthesis in a process starts jsii's Node (~15 s); later ones reuse it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.cdk.config import PLATFORM_STACK, TenantConfig
from infra.cdk.node import ensure_node
from runtime.engine.bundle import build_service_bundle

BUNDLE_NAME = "auterity-service.zip"


@dataclass(frozen=True)
class FileAsset:
    """One file asset of a stack: where it is on disk and where CloudFormation expects it."""

    asset_id: str
    path: Path
    packaging: str
    """``file`` (upload as it is) or ``zip`` (a folder CDK expects zipped)."""
    bucket_name: str
    """May hold ``${AWS::AccountId}``/``${AWS::Region}`` placeholders (see ``resolve``)."""
    object_key: str


@dataclass(frozen=True)
class SynthesizedStack:
    name: str
    template: dict[str, Any]
    assets: tuple[FileAsset, ...]


@dataclass(frozen=True)
class Synthesized:
    outdir: Path
    tenant: SynthesizedStack
    platform: SynthesizedStack | None
    """Only for pooled tenants (they need it deployed first)."""


def write_bundle(folder: Path) -> Path:
    """The service bundle the stack's function runs (byte-identical for the same sources)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / BUNDLE_NAME
    data = build_service_bundle()
    if not path.is_file() or path.read_bytes() != data:
        path.write_bytes(data)
    return path


def _assets(outdir: Path, manifest_file: str | None) -> tuple[FileAsset, ...]:
    if manifest_file is None:
        return ()
    manifest = json.loads((outdir / manifest_file).read_text())
    found = []
    for asset_id, asset in sorted(manifest.get("files", {}).items()):
        source = asset["source"]
        if "path" not in source:  # an executable's output; our app has none
            raise ValueError(f"asset {asset_id} is not a file on disk")
        for destination in asset["destinations"].values():
            found.append(
                FileAsset(
                    asset_id=asset_id,
                    path=outdir / source["path"],
                    packaging=source.get("packaging", "file"),
                    bucket_name=destination["bucketName"],
                    object_key=destination["objectKey"],
                )
            )
    return tuple(found)


def synthesize(config: TenantConfig, outdir: Path) -> Synthesized:
    """Build the app for ``config`` into ``outdir`` and read back what deploying needs."""
    ensure_node()
    from aws_cdk import App  # importing it starts jsii's Node process: after ensure_node

    # The stacks import aws_cdk at their top: after ensure_node too.
    from infra.cdk.platform_stack import PlatformStack
    from infra.cdk.tenant_stack import TenantStack

    bundle = write_bundle(outdir.parent / f"{outdir.name}-bundle")
    app = App(outdir=str(outdir), analytics_reporting=False)
    TenantStack(app, config, bundle=bundle)
    if config.table_mode == "pooled":
        PlatformStack(app)
    assembly = app.synth()

    def read(name: str) -> SynthesizedStack:
        artifact = assembly.get_stack_by_name(name)
        manifest: str | None = f"{artifact.id}.assets.json"
        if not (outdir / f"{artifact.id}.assets.json").is_file():
            manifest = None
        return SynthesizedStack(
            name=name, template=artifact.template, assets=_assets(outdir, manifest)
        )

    return Synthesized(
        outdir=outdir,
        tenant=read(config.stack_name),
        platform=read(PLATFORM_STACK) if config.table_mode == "pooled" else None,
    )
