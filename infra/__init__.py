"""Infrastructure as code: the AWS CDK app that provisions a tenant's own stack."""
