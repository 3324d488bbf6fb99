"""White-label: a tenant's brand (builder theming) and its own provisioned stack."""
