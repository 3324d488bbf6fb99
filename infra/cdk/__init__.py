"""The CDK app (Python ``aws-cdk-lib``): a tenant's stack, and the platform's shared table.

Importing this package points jsii at the project's Node 22 (``infra.cdk.node``) before any
module imports ``aws_cdk``, whose import starts the jsii kernel on whatever Node it finds.
"""

from infra.cdk.node import ensure_node

ensure_node(strict=False)
