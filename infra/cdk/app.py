"""The CDK app entry for the ``cdk`` CLI: ``cdk synth`` (``cdk.json`` points here).

The tenant comes from context, the brand from a brand file:

    cdk synth -c tenant=acme -c brand=examples/brands/acme.yaml [-c table_mode=pooled]

``auterity tenant provision`` builds the same stacks in-process and deploys them itself; this
entry is for looking at (or diffing, or deploying with the CDK CLI) what it would deploy.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from infra.cdk.config import TenantConfig
from infra.cdk.node import ensure_node
from infra.cdk.synth import write_bundle
from runtime.tenant.brand import load_brand


def main() -> None:
    ensure_node()
    # aws_cdk (here and in the stacks) starts jsii's Node process on import: after ensure_node.
    from aws_cdk import App

    from infra.cdk.platform_stack import PlatformStack
    from infra.cdk.tenant_stack import TenantStack

    app = App()
    context = {
        name: app.node.try_get_context(name)
        for name in ("tenant", "brand", "industry", "table_mode", "region")
    }
    brand_file = Path(str(context.pop("brand") or "examples/brands/acme.yaml"))
    fields = {k: v for k, v in context.items() if v is not None}
    fields.setdefault("tenant", "acme")
    config = TenantConfig.model_validate({**fields, "brand": load_brand(brand_file).brand})
    bundle = write_bundle(Path(tempfile.mkdtemp(prefix="auterity-bundle-")))
    TenantStack(app, config, bundle=bundle)
    if config.table_mode == "pooled":
        PlatformStack(app)
    app.synth()


if __name__ == "__main__":
    main()
