"""What a tenant is, as the store, provisioning and the CDK app all read it: brand and industry."""
